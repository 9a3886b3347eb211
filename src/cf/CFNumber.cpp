// CFBoolean and CFNumber. A number keeps its value as int64 or double plus the canonical type it
// was created with; conversions report loss exactly as CFNumberGetValue documents.
#include <CoreFoundation/CFNumber.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "CFRuntime.h"

// --- CFBoolean -------------------------------------------------------------------------------

struct __CFBoolean final : cf::Object {
    constexpr explicit __CFBoolean(bool value) : cf::Object(cf::kTypeBoolean, true), value(value) {}
    CFHashCode hash() const override { return value ? 1 : 0; }
    std::string describe() const override { return header() + (value ? "{value = true}" : "{value = false}"); }
    const bool value;
};

namespace {
constinit __CFBoolean gTrue(true);
constinit __CFBoolean gFalse(false);
} // namespace

const CFBooleanRef kCFBooleanTrue = &gTrue;
const CFBooleanRef kCFBooleanFalse = &gFalse;

CFTypeID CFBooleanGetTypeID(void) { return cf::kTypeBoolean; }

Boolean CFBooleanGetValue(CFBooleanRef boolean)
{
    auto* b = cf::checked<__CFBoolean>(boolean, cf::kTypeBoolean, "CFBooleanGetValue");
    return b && b->value;
}

// --- CFNumber --------------------------------------------------------------------------------

namespace {

// The storage type macOS reports for each requested type (LP64).
CFNumberType canonicalType(CFNumberType type)
{
    switch (type) {
    case kCFNumberSInt8Type:
    case kCFNumberCharType: return kCFNumberSInt8Type;
    case kCFNumberSInt16Type:
    case kCFNumberShortType: return kCFNumberSInt16Type;
    case kCFNumberSInt32Type:
    case kCFNumberIntType: return kCFNumberSInt32Type;
    case kCFNumberSInt64Type:
    case kCFNumberLongType:
    case kCFNumberLongLongType:
    case kCFNumberCFIndexType:
    case kCFNumberNSIntegerType: return kCFNumberSInt64Type;
    case kCFNumberFloat32Type:
    case kCFNumberFloatType: return kCFNumberFloat32Type;
    case kCFNumberFloat64Type:
    case kCFNumberDoubleType:
    case kCFNumberCGFloatType: return kCFNumberFloat64Type;
    default: return 0;
    }
}

CFIndex byteSize(CFNumberType canonical)
{
    switch (canonical) {
    case kCFNumberSInt8Type: return 1;
    case kCFNumberSInt16Type: return 2;
    case kCFNumberSInt32Type:
    case kCFNumberFloat32Type: return 4;
    default: return 8;
    }
}

} // namespace

struct __CFNumber final : cf::Object {
    __CFNumber(CFNumberType type, int64_t integer) : cf::Object(cf::kTypeNumber), type(type), integer(integer) {}
    __CFNumber(CFNumberType type, double real) : cf::Object(cf::kTypeNumber), type(type), real(real), isFloat(true) {}

    bool equal(const cf::Object& other) const override
    {
        return compare(static_cast<const __CFNumber&>(other)) == kCFCompareEqualTo;
    }
    CFHashCode hash() const override
    {
        // Integral values hash as integers whatever their storage, so 1 and 1.0 (which CFEqual
        // calls equal) hash the same.
        if (isFloat) {
            if (std::isfinite(real) && real == std::trunc(real) && std::fabs(real) < 9.2e18) {
                return static_cast<CFHashCode>(static_cast<int64_t>(real));
            }
            return cf::hashBytes(&real, sizeof real);
        }
        return static_cast<CFHashCode>(integer);
    }
    std::string describe() const override;
    std::string formattingDescription() const override;

    CFComparisonResult compare(const __CFNumber& other) const;

    const CFNumberType type; // canonical
    int64_t integer = 0;
    double real = 0;
    bool isFloat = false;
};

std::string __CFNumber::formattingDescription() const
{
    char text[64];
    if (isFloat) {
        std::snprintf(text, sizeof text, "%.17g", real);
    } else {
        std::snprintf(text, sizeof text, "%lld", static_cast<long long>(integer));
    }
    return text;
}

std::string __CFNumber::describe() const
{
    static const char* const names[] = {"",  "kCFNumberSInt8Type", "kCFNumberSInt16Type", "kCFNumberSInt32Type",
                                        "kCFNumberSInt64Type", "kCFNumberFloat32Type", "kCFNumberFloat64Type"};
    char text[64];
    if (isFloat) {
        std::snprintf(text, sizeof text, "%+.17g", real);
    } else {
        std::snprintf(text, sizeof text, "%+lld", static_cast<long long>(integer));
    }
    return header() + "{value = " + text + ", type = " + names[type] + "}";
}

CFComparisonResult __CFNumber::compare(const __CFNumber& other) const
{
    auto order = [](auto a, auto b) {
        return CFComparisonResult(a < b ? kCFCompareLessThan : a > b ? kCFCompareGreaterThan : kCFCompareEqualTo);
    };
    if (!isFloat && !other.isFloat) {
        return order(integer, other.integer);
    }
    // NaN sorts below everything and equals itself, as CF orders it.
    const bool nanA = isFloat && std::isnan(real), nanB = other.isFloat && std::isnan(other.real);
    if (nanA || nanB) {
        return nanA && nanB ? CFComparisonResult(kCFCompareEqualTo) : nanA ? CFComparisonResult(kCFCompareLessThan) : CFComparisonResult(kCFCompareGreaterThan);
    }
    if (isFloat && other.isFloat) {
        return order(real, other.real);
    }
    // Mixed: compare exactly, without rounding the integer to double.
    const double d = isFloat ? real : other.real;
    const int64_t i = isFloat ? other.integer : integer;
    CFComparisonResult floatVsInt;
    if (d >= 9223372036854775808.0) {
        floatVsInt = kCFCompareGreaterThan;
    } else if (d < -9223372036854775808.0) {
        floatVsInt = kCFCompareLessThan;
    } else {
        const double whole = std::floor(d);
        const auto truncated = static_cast<int64_t>(whole);
        floatVsInt = truncated != i ? order(truncated, i)
                                     : CFComparisonResult(d > whole ? kCFCompareGreaterThan : kCFCompareEqualTo);
    }
    if (isFloat) {
        return floatVsInt;
    }
    return static_cast<CFComparisonResult>(-floatVsInt);
}

namespace {

template <class T>
T load(const void* p)
{
    T value;
    std::memcpy(&value, p, sizeof value);
    return value;
}

template <class T>
void store(void* p, T value)
{
    std::memcpy(p, &value, sizeof value);
}

// Converts an integer to T; true when exact.
template <class T>
bool integerTo(int64_t value, void* out)
{
    store<T>(out, static_cast<T>(value));
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<int64_t>(static_cast<T>(value)) == value &&
               static_cast<T>(value) < static_cast<T>(9223372036854775808.0);
    } else {
        return value >= std::numeric_limits<T>::min() && value <= std::numeric_limits<T>::max();
    }
}

template <class T>
bool floatTo(double value, void* out)
{
    if constexpr (std::is_floating_point_v<T>) {
        store<T>(out, static_cast<T>(value));
        return std::isnan(value) || static_cast<double>(static_cast<T>(value)) == value;
    } else {
        // Out-of-range values saturate (C's conversion would be undefined); fractions truncate.
        const double lo = static_cast<double>(std::numeric_limits<T>::min());
        const double hi = static_cast<double>(std::numeric_limits<T>::max());
        T result = std::isnan(value) ? 0 : value <= lo ? std::numeric_limits<T>::min()
                                       : value >= hi   ? std::numeric_limits<T>::max()
                                                       : static_cast<T>(value);
        store<T>(out, result);
        return !std::isnan(value) && value >= lo && value <= hi && std::trunc(value) == value &&
               static_cast<double>(result) == value;
    }
}

} // namespace

CFTypeID CFNumberGetTypeID(void) { return cf::kTypeNumber; }

CFNumberRef CFNumberCreate(CFAllocatorRef, CFNumberType theType, const void* valuePtr)
{
    const CFNumberType canonical = canonicalType(theType);
    if (!canonical || !valuePtr) {
        cf::reportMisuse("CFNumberCreate", !valuePtr ? "valuePtr is NULL" : "unknown CFNumberType");
        return nullptr;
    }
    switch (theType) {
    case kCFNumberSInt8Type:
    case kCFNumberCharType: return new __CFNumber(canonical, int64_t(load<int8_t>(valuePtr)));
    case kCFNumberSInt16Type:
    case kCFNumberShortType: return new __CFNumber(canonical, int64_t(load<int16_t>(valuePtr)));
    case kCFNumberSInt32Type:
    case kCFNumberIntType: return new __CFNumber(canonical, int64_t(load<int32_t>(valuePtr)));
    case kCFNumberFloat32Type:
    case kCFNumberFloatType: return new __CFNumber(canonical, double(load<float>(valuePtr)));
    case kCFNumberFloat64Type:
    case kCFNumberDoubleType:
    case kCFNumberCGFloatType: return new __CFNumber(canonical, load<double>(valuePtr));
    default: return new __CFNumber(canonical, load<int64_t>(valuePtr));
    }
}

CFNumberType CFNumberGetType(CFNumberRef number)
{
    auto* n = cf::checked<__CFNumber>(number, cf::kTypeNumber, "CFNumberGetType");
    return n ? n->type : 0;
}

CFIndex CFNumberGetByteSize(CFNumberRef number)
{
    auto* n = cf::checked<__CFNumber>(number, cf::kTypeNumber, "CFNumberGetByteSize");
    return n ? byteSize(n->type) : 0;
}

Boolean CFNumberIsFloatType(CFNumberRef number)
{
    auto* n = cf::checked<__CFNumber>(number, cf::kTypeNumber, "CFNumberIsFloatType");
    return n && n->isFloat;
}

Boolean CFNumberGetValue(CFNumberRef number, CFNumberType theType, void* valuePtr)
{
    auto* n = cf::checked<__CFNumber>(number, cf::kTypeNumber, "CFNumberGetValue");
    if (!n || !valuePtr || !canonicalType(theType)) {
        if (n) {
            cf::reportMisuse("CFNumberGetValue", !valuePtr ? "valuePtr is NULL" : "unknown CFNumberType");
        }
        return false;
    }
    auto convert = [&]<class T>() { return n->isFloat ? floatTo<T>(n->real, valuePtr) : integerTo<T>(n->integer, valuePtr); };
    switch (theType) {
    case kCFNumberSInt8Type:
    case kCFNumberCharType: return convert.template operator()<int8_t>();
    case kCFNumberSInt16Type:
    case kCFNumberShortType: return convert.template operator()<int16_t>();
    case kCFNumberSInt32Type:
    case kCFNumberIntType: return convert.template operator()<int32_t>();
    case kCFNumberFloat32Type:
    case kCFNumberFloatType: return convert.template operator()<float>();
    case kCFNumberFloat64Type:
    case kCFNumberDoubleType:
    case kCFNumberCGFloatType: return convert.template operator()<double>();
    default: return convert.template operator()<int64_t>();
    }
}

CFComparisonResult CFNumberCompare(CFNumberRef number, CFNumberRef otherNumber, void*)
{
    auto* a = cf::checked<__CFNumber>(number, cf::kTypeNumber, "CFNumberCompare");
    auto* b = cf::checked<__CFNumber>(otherNumber, cf::kTypeNumber, "CFNumberCompare");
    return a && b ? a->compare(*b) : CFComparisonResult(kCFCompareEqualTo);
}

namespace {
// Built on first use and never freed, like macOS's constant numbers.
CFNumberRef constantNumber(double value)
{
    auto* number = new __CFNumber(kCFNumberFloat64Type, value);
    number->makeImmortal();
    return number;
}
} // namespace

const CFNumberRef kCFNumberPositiveInfinity = constantNumber(std::numeric_limits<double>::infinity());
const CFNumberRef kCFNumberNegativeInfinity = constantNumber(-std::numeric_limits<double>::infinity());
const CFNumberRef kCFNumberNaN = constantNumber(std::numeric_limits<double>::quiet_NaN());
