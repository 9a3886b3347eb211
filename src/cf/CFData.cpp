// CFData / CFMutableData: owned bytes, or (CFDataCreateWithBytesNoCopy) the caller's bytes.
#include <CoreFoundation/CFData.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "CFRuntime.h"

struct __CFData final : cf::Object {
    __CFData(const UInt8* bytes, CFIndex length, bool isMutable)
        : cf::Object(cf::kTypeData), owned(bytes, bytes + length), isMutable(isMutable)
    {
    }
    // Borrowed storage; freed with free() on destruction when freeBytes is set.
    __CFData(const UInt8* bytes, CFIndex length, bool freeBytes, int)
        : cf::Object(cf::kTypeData), external(bytes), externalLength(length), freeExternal(freeBytes), isMutable(false)
    {
    }
    ~__CFData() override
    {
        if (freeExternal) {
            std::free(const_cast<UInt8*>(external));
        }
    }

    const UInt8* bytes() const { return external ? external : owned.data(); }
    CFIndex length() const { return external ? externalLength : static_cast<CFIndex>(owned.size()); }

    bool equal(const cf::Object& other) const override
    {
        auto& o = static_cast<const __CFData&>(other);
        return length() == o.length() && std::memcmp(bytes(), o.bytes(), static_cast<size_t>(length())) == 0;
    }
    CFHashCode hash() const override { return cf::hashBytes(bytes(), static_cast<size_t>(std::min<CFIndex>(length(), 80))); }
    std::string describe() const override
    {
        char head[96];
        std::snprintf(head, sizeof head, "{length = %ld, bytes = 0x", static_cast<long>(length()));
        std::string text = header() + head;
        // As macOS: at most 24 bytes shown in full; longer data shows its first and last 8.
        auto hex = [&](CFIndex from, CFIndex to) {
            for (CFIndex i = from; i < to; i++) {
                char byte[3];
                std::snprintf(byte, sizeof byte, "%02x", bytes()[i]);
                text += byte;
            }
        };
        if (length() <= 24) {
            hex(0, length());
        } else {
            hex(0, 8);
            text += " ... ";
            hex(length() - 8, length());
        }
        return text + "}";
    }

    std::vector<UInt8> owned;
    const UInt8* external = nullptr;
    CFIndex externalLength = 0;
    bool freeExternal = false;
    const bool isMutable;
};

namespace {

__CFData* mutableData(CFMutableDataRef data, const char* function)
{
    auto* d = cf::checked<__CFData>(data, cf::kTypeData, function);
    if (d && !d->isMutable) {
        cf::reportMisuse(function, "the data is immutable");
        return nullptr;
    }
    return d;
}

bool validRange(const __CFData* d, CFRange range, const char* function)
{
    if (range.location < 0 || range.length < 0 || range.location + range.length > d->length()) {
        cf::reportMisuse(function, "range lies outside the data");
        return false;
    }
    return true;
}

} // namespace

CFTypeID CFDataGetTypeID(void) { return cf::kTypeData; }

CFDataRef CFDataCreate(CFAllocatorRef, const UInt8* bytes, CFIndex length)
{
    if (length < 0 || (!bytes && length > 0)) {
        cf::reportMisuse("CFDataCreate", "bytes is NULL or length is negative");
        return nullptr;
    }
    return new __CFData(bytes, length, false);
}

CFDataRef CFDataCreateWithBytesNoCopy(CFAllocatorRef, const UInt8* bytes, CFIndex length, CFAllocatorRef bytesDeallocator)
{
    if (length < 0 || (!bytes && length > 0)) {
        cf::reportMisuse("CFDataCreateWithBytesNoCopy", "bytes is NULL or length is negative");
        return nullptr;
    }
    return new __CFData(bytes, length, bytesDeallocator != kCFAllocatorNull, 0);
}

CFDataRef CFDataCreateCopy(CFAllocatorRef, CFDataRef theData)
{
    auto* d = cf::checked<__CFData>(theData, cf::kTypeData, "CFDataCreateCopy");
    if (!d) {
        return nullptr;
    }
    if (!d->isMutable && !d->external) {
        d->retain();
        return d;
    }
    return new __CFData(d->bytes(), d->length(), false);
}

CFMutableDataRef CFDataCreateMutable(CFAllocatorRef, CFIndex)
{
    return new __CFData(nullptr, 0, true);
}

CFMutableDataRef CFDataCreateMutableCopy(CFAllocatorRef, CFIndex, CFDataRef theData)
{
    auto* d = cf::checked<__CFData>(theData, cf::kTypeData, "CFDataCreateMutableCopy");
    return d ? new __CFData(d->bytes(), d->length(), true) : nullptr;
}

CFIndex CFDataGetLength(CFDataRef theData)
{
    auto* d = cf::checked<__CFData>(theData, cf::kTypeData, "CFDataGetLength");
    return d ? d->length() : 0;
}

const UInt8* CFDataGetBytePtr(CFDataRef theData)
{
    auto* d = cf::checked<__CFData>(theData, cf::kTypeData, "CFDataGetBytePtr");
    return d ? d->bytes() : nullptr;
}

UInt8* CFDataGetMutableBytePtr(CFMutableDataRef theData)
{
    auto* d = mutableData(theData, "CFDataGetMutableBytePtr");
    return d ? d->owned.data() : nullptr;
}

void CFDataGetBytes(CFDataRef theData, CFRange range, UInt8* buffer)
{
    auto* d = cf::checked<__CFData>(theData, cf::kTypeData, "CFDataGetBytes");
    if (d && buffer && validRange(d, range, "CFDataGetBytes")) {
        std::memcpy(buffer, d->bytes() + range.location, static_cast<size_t>(range.length));
    }
}

void CFDataSetLength(CFMutableDataRef theData, CFIndex length)
{
    auto* d = mutableData(theData, "CFDataSetLength");
    if (d && length >= 0) {
        d->owned.resize(static_cast<size_t>(length), 0); // new bytes are zero, as documented
    }
}

void CFDataIncreaseLength(CFMutableDataRef theData, CFIndex extraLength)
{
    auto* d = mutableData(theData, "CFDataIncreaseLength");
    if (d && extraLength >= 0) {
        d->owned.resize(d->owned.size() + static_cast<size_t>(extraLength), 0);
    }
}

void CFDataAppendBytes(CFMutableDataRef theData, const UInt8* bytes, CFIndex length)
{
    auto* d = mutableData(theData, "CFDataAppendBytes");
    if (d && bytes && length > 0) {
        const std::vector<UInt8> copy(bytes, bytes + length); // bytes may point into the data itself
        d->owned.insert(d->owned.end(), copy.begin(), copy.end());
    }
}

void CFDataReplaceBytes(CFMutableDataRef theData, CFRange range, const UInt8* newBytes, CFIndex newLength)
{
    auto* d = mutableData(theData, "CFDataReplaceBytes");
    if (!d || newLength < 0 || (!newBytes && newLength > 0) || !validRange(d, range, "CFDataReplaceBytes")) {
        return;
    }
    const std::vector<UInt8> copy(newBytes, newBytes + newLength);
    auto at = d->owned.begin() + range.location;
    at = d->owned.erase(at, at + range.length);
    d->owned.insert(at, copy.begin(), copy.end());
}

void CFDataDeleteBytes(CFMutableDataRef theData, CFRange range)
{
    CFDataReplaceBytes(theData, range, nullptr, 0);
}
