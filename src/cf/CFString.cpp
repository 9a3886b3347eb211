// CFString: creation, access, conversion and mutation. UTF-8 inside; UTF-16 indices outside.
#include <CoreFoundation/CFString.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "CFStringInternal.h"
#include "CFUnicode.h"

using cf::unicode::fromUTF16;
using cf::unicode::toUTF16;

__CFString::__CFString(std::string text, bool isMutable)
    : cf::Object(cf::kTypeString), utf8(std::move(text)), isMutable(isMutable)
{
    textChanged();
}

void __CFString::textChanged()
{
    CFIndex units = 0;
    bool ascii = true;
    for (size_t i = 0; i < utf8.size(); i++) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte >= 0x80) {
            ascii = false;
        }
        if ((byte & 0xC0) != 0x80) {
            units += byte >= 0xF0 ? 2 : 1; // a 4-byte sequence is a surrogate pair
        }
    }
    utf16Length = units;
    isASCII = ascii;
}

bool __CFString::equal(const cf::Object& other) const
{
    return utf8 == static_cast<const __CFString&>(other).utf8;
}

CFHashCode __CFString::hash() const
{
    return cf::hashBytes(utf8.data(), utf8.size());
}

namespace cf {

CFStringRef makeString(std::string text)
{
    return new __CFString(std::move(text), false);
}

std::string_view text(CFStringRef string, const char* function)
{
    auto* s = checked<__CFString>(string, kTypeString, function);
    return s ? std::string_view(s->utf8) : std::string_view();
}

bool isValidUTF8(std::string_view bytes)
{
    for (size_t i = 0; i < bytes.size();) {
        const auto b0 = static_cast<unsigned char>(bytes[i]);
        int extra;
        char32_t c;
        if (b0 < 0x80) {
            i++;
            continue;
        } else if (b0 >= 0xC2 && b0 < 0xE0) {
            extra = 1, c = b0 & 0x1F;
        } else if (b0 >= 0xE0 && b0 < 0xF0) {
            extra = 2, c = b0 & 0x0F;
        } else if (b0 >= 0xF0 && b0 < 0xF5) {
            extra = 3, c = b0 & 0x07;
        } else {
            return false;
        }
        if (i + extra >= bytes.size()) {
            return false; // truncated sequence
        }
        for (int k = 1; k <= extra; k++) {
            const auto b = static_cast<unsigned char>(bytes[i + k]);
            if ((b & 0xC0) != 0x80) {
                return false;
            }
            c = (c << 6) | (b & 0x3F);
        }
        if ((extra == 2 && (c < 0x800 || (c >= 0xD800 && c < 0xE000))) || (extra == 3 && (c < 0x10000 || c > 0x10FFFF))) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

} // namespace cf

namespace {

__CFString* mutableString(CFMutableStringRef string, const char* function)
{
    auto* s = cf::checked<__CFString>(string, cf::kTypeString, function);
    if (s && !s->isMutable) {
        cf::reportMisuse(function, "the string is immutable");
        return nullptr;
    }
    return s;
}

// A UTF-16 range of s, or nullopt (with a report) if it does not lie inside the string.
bool validRange(const __CFString* s, CFRange range, const char* function)
{
    if (range.location < 0 || range.length < 0 || range.location + range.length > s->utf16Length) {
        cf::reportMisuse(function, "range lies outside the string");
        return false;
    }
    return true;
}

std::u16string_view slice(const std::u16string& units, CFRange range)
{
    return std::u16string_view(units).substr(static_cast<size_t>(range.location), static_cast<size_t>(range.length));
}

CFStringRef createFromBytes(std::string_view bytes, CFStringEncoding encoding, bool external, bool isMutable)
{
    auto decoded = cf::unicode::decode(bytes, encoding, external);
    if (!decoded) {
        return nullptr;
    }
    return new __CFString(std::move(*decoded), isMutable);
}

} // namespace

CFTypeID CFStringGetTypeID(void) { return cf::kTypeString; }

CFStringRef __CFStringMakeConstantString(const char* cStr)
{
    // Interned by content and never freed: the table lives as long as the process (a
    // heap-allocated table, so exit-time destructors cannot pull strings from under a thread).
    struct Table {
        std::mutex lock;
        std::unordered_map<std::string, __CFString*> strings;
    };
    static Table* table = new Table;
    if (!cStr) {
        return nullptr;
    }
    std::lock_guard guard(table->lock);
    auto [entry, inserted] = table->strings.try_emplace(cStr, nullptr);
    if (inserted) {
        auto decoded = cf::unicode::decode(cStr, kCFStringEncodingUTF8, false);
        // Literals that are not UTF-8 are taken as Latin-1 rather than refused.
        if (!decoded) {
            decoded = cf::unicode::decode(cStr, kCFStringEncodingISOLatin1, false);
        }
        entry->second = new __CFString(std::move(*decoded), false);
        entry->second->makeImmortal();
    }
    return entry->second;
}

CFStringRef CFStringCreateWithCString(CFAllocatorRef, const char* cStr, CFStringEncoding encoding)
{
    if (!cStr) {
        cf::reportMisuse("CFStringCreateWithCString", "cStr is NULL");
        return nullptr;
    }
    return createFromBytes(cStr, encoding, false, false);
}

CFStringRef CFStringCreateWithCStringNoCopy(CFAllocatorRef alloc, const char* cStr, CFStringEncoding encoding,
                                            CFAllocatorRef contentsDeallocator)
{
    CFStringRef result = CFStringCreateWithCString(alloc, cStr, encoding);
    // The text was copied, so the buffer is done with now; kCFAllocatorNull means the caller keeps it.
    if (cStr && contentsDeallocator != kCFAllocatorNull) {
        std::free(const_cast<char*>(cStr));
    }
    return result;
}

CFStringRef CFStringCreateWithBytes(CFAllocatorRef, const UInt8* bytes, CFIndex numBytes, CFStringEncoding encoding,
                                    Boolean isExternalRepresentation)
{
    if ((!bytes && numBytes > 0) || numBytes < 0) {
        cf::reportMisuse("CFStringCreateWithBytes", "bytes is NULL or numBytes is negative");
        return nullptr;
    }
    return createFromBytes(std::string_view(reinterpret_cast<const char*>(bytes), static_cast<size_t>(numBytes)),
                           encoding, isExternalRepresentation, false);
}

CFStringRef CFStringCreateWithCharacters(CFAllocatorRef, const UniChar* chars, CFIndex numChars)
{
    if ((!chars && numChars > 0) || numChars < 0) {
        cf::reportMisuse("CFStringCreateWithCharacters", "chars is NULL or numChars is negative");
        return nullptr;
    }
    return cf::makeString(fromUTF16(std::u16string_view(reinterpret_cast<const char16_t*>(chars),
                                                        static_cast<size_t>(numChars))));
}

CFStringRef CFStringCreateWithSubstring(CFAllocatorRef, CFStringRef str, CFRange range)
{
    auto* s = cf::checked<__CFString>(str, cf::kTypeString, "CFStringCreateWithSubstring");
    if (!s || !validRange(s, range, "CFStringCreateWithSubstring")) {
        return nullptr;
    }
    if (s->isASCII) {
        return cf::makeString(s->utf8.substr(static_cast<size_t>(range.location), static_cast<size_t>(range.length)));
    }
    const std::u16string units = toUTF16(s->utf8);
    return cf::makeString(fromUTF16(slice(units, range)));
}

CFStringRef CFStringCreateCopy(CFAllocatorRef, CFStringRef theString)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringCreateCopy");
    if (!s) {
        return nullptr;
    }
    // An immutable string is its own copy, as on macOS.
    if (!s->isMutable) {
        s->retain();
        return s;
    }
    return cf::makeString(s->utf8);
}

CFStringRef CFStringCreateFromExternalRepresentation(CFAllocatorRef alloc, CFDataRef data, CFStringEncoding encoding)
{
    if (!data) {
        cf::reportMisuse("CFStringCreateFromExternalRepresentation", "data is NULL");
        return nullptr;
    }
    return CFStringCreateWithBytes(alloc, CFDataGetBytePtr(data), CFDataGetLength(data), encoding, true);
}

CFDataRef CFStringCreateExternalRepresentation(CFAllocatorRef alloc, CFStringRef theString, CFStringEncoding encoding,
                                               UInt8 lossByte)
{
    const std::string_view text = cf::text(theString, "CFStringCreateExternalRepresentation");
    if (!theString) {
        return nullptr;
    }
    auto encoded = cf::unicode::encode(text, encoding, lossByte, true);
    if (!encoded) {
        return nullptr;
    }
    return CFDataCreate(alloc, reinterpret_cast<const UInt8*>(encoded->data()), static_cast<CFIndex>(encoded->size()));
}

CFMutableStringRef CFStringCreateMutable(CFAllocatorRef, CFIndex)
{
    return new __CFString(std::string(), true);
}

CFMutableStringRef CFStringCreateMutableCopy(CFAllocatorRef, CFIndex, CFStringRef theString)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringCreateMutableCopy");
    return s ? new __CFString(s->utf8, true) : nullptr;
}

CFIndex CFStringGetLength(CFStringRef theString)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetLength");
    return s ? s->utf16Length : 0;
}

UniChar CFStringGetCharacterAtIndex(CFStringRef theString, CFIndex idx)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetCharacterAtIndex");
    if (!s || !validRange(s, CFRangeMake(idx, 1), "CFStringGetCharacterAtIndex")) {
        return 0;
    }
    if (s->isASCII) {
        return static_cast<unsigned char>(s->utf8[static_cast<size_t>(idx)]);
    }
    return toUTF16(s->utf8)[static_cast<size_t>(idx)];
}

void CFStringGetCharacters(CFStringRef theString, CFRange range, UniChar* buffer)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetCharacters");
    if (!s || !buffer || !validRange(s, range, "CFStringGetCharacters")) {
        return;
    }
    const std::u16string units = toUTF16(s->utf8);
    std::copy_n(units.begin() + range.location, range.length, reinterpret_cast<char16_t*>(buffer));
}

Boolean CFStringGetCString(CFStringRef theString, char* buffer, CFIndex bufferSize, CFStringEncoding encoding)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetCString");
    if (!s || !buffer || bufferSize <= 0) {
        return false;
    }
    auto encoded = cf::unicode::encode(s->utf8, encoding, 0, false);
    // Apple's contract: false if the text does not convert or does not fit with its NUL.
    if (!encoded || static_cast<CFIndex>(encoded->size()) >= bufferSize) {
        buffer[0] = '\0';
        return false;
    }
    std::memcpy(buffer, encoded->c_str(), encoded->size() + 1);
    return true;
}

const char* CFStringGetCStringPtr(CFStringRef theString, CFStringEncoding encoding)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetCStringPtr");
    if (!s) {
        return nullptr;
    }
    const bool asciiCompatible = encoding == kCFStringEncodingASCII || encoding == kCFStringEncodingMacRoman ||
                                 encoding == kCFStringEncodingISOLatin1 || encoding == kCFStringEncodingWindowsLatin1 ||
                                 encoding == kCFStringEncodingNextStepLatin;
    if (encoding == kCFStringEncodingUTF8 || (asciiCompatible && s->isASCII)) {
        return s->utf8.c_str();
    }
    return nullptr;
}

CFIndex CFStringGetBytes(CFStringRef theString, CFRange range, CFStringEncoding encoding, UInt8 lossByte,
                         Boolean isExternalRepresentation, UInt8* buffer, CFIndex maxBufLen, CFIndex* usedBufLen)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetBytes");
    if (usedBufLen) {
        *usedBufLen = 0;
    }
    if (!s || !validRange(s, range, "CFStringGetBytes")) {
        return 0;
    }
    // Converts character by character so that a short buffer gets whole characters only and the
    // return value counts the UTF-16 units converted.
    const std::u16string units = toUTF16(s->utf8);
    CFIndex converted = 0, used = 0;
    bool first = true;
    for (CFIndex i = range.location; i < range.location + range.length;) {
        const bool pair = units[i] >= 0xD800 && units[i] < 0xDC00 && i + 1 < range.location + range.length;
        const size_t width = pair ? 2 : 1;
        auto piece = cf::unicode::encode(fromUTF16(std::u16string_view(units).substr(i, width)), encoding, lossByte,
                                         isExternalRepresentation && first);
        if (!piece) {
            break;
        }
        if (buffer && used + static_cast<CFIndex>(piece->size()) > maxBufLen) {
            break;
        }
        if (buffer) {
            std::memcpy(buffer + used, piece->data(), piece->size());
        }
        used += static_cast<CFIndex>(piece->size());
        converted += static_cast<CFIndex>(width);
        i += static_cast<CFIndex>(width);
        first = false;
    }
    if (usedBufLen) {
        *usedBufLen = used;
    }
    return converted;
}

CFIndex CFStringGetMaximumSizeForEncoding(CFIndex length, CFStringEncoding encoding)
{
    if (length < 0) {
        return kCFNotFound;
    }
    switch (encoding) {
    case kCFStringEncodingUTF8: return length * 3; // one UTF-16 unit is at most 3 UTF-8 bytes
    case kCFStringEncodingUTF16:
    case kCFStringEncodingUTF16BE:
    case kCFStringEncodingUTF16LE: return length * 2;
    case kCFStringEncodingUTF32:
    case kCFStringEncodingUTF32BE:
    case kCFStringEncodingUTF32LE: return length * 4;
    default: return length;
    }
}

CFStringEncoding CFStringGetSystemEncoding(void) { return kCFStringEncodingUTF8; }

CFStringEncoding CFStringGetFastestEncoding(CFStringRef theString)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringGetFastestEncoding");
    return s && s->isASCII ? kCFStringEncodingASCII : kCFStringEncodingUTF8;
}

Boolean CFStringIsEncodingAvailable(CFStringEncoding encoding) { return cf::unicode::isSupported(encoding); }

CFIndex CFStringGetMaximumSizeOfFileSystemRepresentation(CFStringRef string)
{
    return CFStringGetMaximumSizeForEncoding(CFStringGetLength(string), kCFStringEncodingUTF8) + 1;
}

Boolean CFStringGetFileSystemRepresentation(CFStringRef string, char* buffer, CFIndex maxBufLen)
{
    return CFStringGetCString(string, buffer, maxBufLen, kCFStringEncodingUTF8);
}

CFStringRef CFStringCreateWithFileSystemRepresentation(CFAllocatorRef alloc, const char* buffer)
{
    return CFStringCreateWithCString(alloc, buffer, kCFStringEncodingUTF8);
}

// --- Comparison and searching ----------------------------------------------------------------

namespace {

char16_t fold(char16_t c, bool caseInsensitive)
{
    return caseInsensitive && c < 0x80 ? static_cast<char16_t>(std::tolower(c)) : c;
}

bool isDigit(char16_t c) { return c >= u'0' && c <= u'9'; }

CFComparisonResult compareUnits(std::u16string_view a, std::u16string_view b, CFStringCompareFlags options)
{
    const bool caseless = options & kCFCompareCaseInsensitive;
    const bool numeric = options & kCFCompareNumerically;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (numeric && isDigit(a[i]) && isDigit(b[j])) {
            // Compare digit runs by value: skip leading zeros, then longer is larger, then lexically.
            size_t ei = i, ej = j;
            while (ei < a.size() && isDigit(a[ei])) ei++;
            while (ej < b.size() && isDigit(b[ej])) ej++;
            size_t si = i, sj = j;
            while (si + 1 < ei && a[si] == u'0') si++;
            while (sj + 1 < ej && b[sj] == u'0') sj++;
            if (ei - si != ej - sj) {
                return ei - si < ej - sj ? kCFCompareLessThan : kCFCompareGreaterThan;
            }
            for (; si < ei; si++, sj++) {
                if (a[si] != b[sj]) {
                    return a[si] < b[sj] ? kCFCompareLessThan : kCFCompareGreaterThan;
                }
            }
            i = ei, j = ej;
            continue;
        }
        const char16_t x = fold(a[i], caseless), y = fold(b[j], caseless);
        if (x != y) {
            return x < y ? kCFCompareLessThan : kCFCompareGreaterThan;
        }
        i++, j++;
    }
    if (i < a.size()) return kCFCompareGreaterThan;
    if (j < b.size()) return kCFCompareLessThan;
    return kCFCompareEqualTo;
}

bool unitsMatch(std::u16string_view haystack, size_t at, std::u16string_view needle, bool caseless)
{
    for (size_t k = 0; k < needle.size(); k++) {
        if (fold(haystack[at + k], caseless) != fold(needle[k], caseless)) {
            return false;
        }
    }
    return true;
}

} // namespace

CFComparisonResult CFStringCompareWithOptions(CFStringRef theString1, CFStringRef theString2, CFRange rangeToCompare,
                                              CFStringCompareFlags compareOptions)
{
    auto* a = cf::checked<__CFString>(theString1, cf::kTypeString, "CFStringCompare");
    auto* b = cf::checked<__CFString>(theString2, cf::kTypeString, "CFStringCompare");
    if (!a || !b || !validRange(a, rangeToCompare, "CFStringCompareWithOptions")) {
        return kCFCompareEqualTo;
    }
    const std::u16string ua = toUTF16(a->utf8), ub = toUTF16(b->utf8);
    return compareUnits(slice(ua, rangeToCompare), ub, compareOptions);
}

CFComparisonResult CFStringCompare(CFStringRef theString1, CFStringRef theString2, CFStringCompareFlags compareOptions)
{
    return CFStringCompareWithOptions(theString1, theString2, CFRangeMake(0, CFStringGetLength(theString1)),
                                      compareOptions);
}

Boolean CFStringFindWithOptions(CFStringRef theString, CFStringRef stringToFind, CFRange rangeToSearch,
                                CFStringCompareFlags searchOptions, CFRange* result)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringFindWithOptions");
    auto* f = cf::checked<__CFString>(stringToFind, cf::kTypeString, "CFStringFindWithOptions");
    if (!s || !f || !validRange(s, rangeToSearch, "CFStringFindWithOptions")) {
        return false;
    }
    const std::u16string units = toUTF16(s->utf8), needle = toUTF16(f->utf8);
    const std::u16string_view hay = slice(units, rangeToSearch);
    if (needle.empty() || needle.size() > hay.size()) {
        return false;
    }
    const bool caseless = searchOptions & kCFCompareCaseInsensitive;
    const bool backwards = searchOptions & kCFCompareBackwards;
    const bool anchored = searchOptions & kCFCompareAnchored;
    const size_t last = hay.size() - needle.size();
    auto found = [&](size_t at) {
        if (result) {
            *result = CFRangeMake(rangeToSearch.location + static_cast<CFIndex>(at), static_cast<CFIndex>(needle.size()));
        }
        return true;
    };
    if (anchored) {
        // Anchored: only at the start (or, searching backwards, at the end) of the range.
        const size_t at = backwards ? last : 0;
        return unitsMatch(hay, at, needle, caseless) ? found(at) : false;
    }
    for (size_t n = 0; n <= last; n++) {
        const size_t at = backwards ? last - n : n;
        if (unitsMatch(hay, at, needle, caseless)) {
            return found(at);
        }
    }
    return false;
}

CFRange CFStringFind(CFStringRef theString, CFStringRef stringToFind, CFStringCompareFlags compareOptions)
{
    CFRange result = CFRangeMake(kCFNotFound, 0);
    if (!CFStringFindWithOptions(theString, stringToFind, CFRangeMake(0, CFStringGetLength(theString)), compareOptions,
                                 &result)) {
        return CFRangeMake(kCFNotFound, 0);
    }
    return result;
}

Boolean CFStringHasPrefix(CFStringRef theString, CFStringRef prefix)
{
    const std::string_view s = cf::text(theString, "CFStringHasPrefix"), p = cf::text(prefix, "CFStringHasPrefix");
    return theString && prefix && !p.empty() && s.starts_with(p);
}

Boolean CFStringHasSuffix(CFStringRef theString, CFStringRef suffix)
{
    const std::string_view s = cf::text(theString, "CFStringHasSuffix"), p = cf::text(suffix, "CFStringHasSuffix");
    return theString && suffix && !p.empty() && s.ends_with(p);
}

CFArrayRef CFStringCreateArrayBySeparatingStrings(CFAllocatorRef alloc, CFStringRef theString,
                                                  CFStringRef separatorString)
{
    const std::string_view s = cf::text(theString, "CFStringCreateArrayBySeparatingStrings");
    const std::string_view sep = cf::text(separatorString, "CFStringCreateArrayBySeparatingStrings");
    if (!theString || !separatorString) {
        return nullptr;
    }
    CFMutableArrayRef parts = CFArrayCreateMutable(alloc, 0, &kCFTypeArrayCallBacks);
    auto append = [&](std::string_view piece) {
        CFStringRef part = cf::makeString(std::string(piece));
        CFArrayAppendValue(parts, part);
        CFRelease(part);
    };
    if (sep.empty()) {
        append(s);
    } else {
        size_t start = 0;
        for (size_t at; (at = s.find(sep, start)) != std::string_view::npos; start = at + sep.size()) {
            append(s.substr(start, at - start));
        }
        append(s.substr(start));
    }
    CFArrayRef result = CFArrayCreateCopy(alloc, parts);
    CFRelease(parts);
    return result;
}

CFStringRef CFStringCreateByCombiningStrings(CFAllocatorRef, CFArrayRef theArray, CFStringRef separatorString)
{
    const std::string_view sep = cf::text(separatorString, "CFStringCreateByCombiningStrings");
    if (!theArray || !separatorString) {
        return nullptr;
    }
    std::string joined;
    for (CFIndex i = 0, n = CFArrayGetCount(theArray); i < n; i++) {
        if (i) {
            joined += sep;
        }
        joined += cf::text(static_cast<CFStringRef>(CFArrayGetValueAtIndex(theArray, i)),
                           "CFStringCreateByCombiningStrings");
    }
    return cf::makeString(std::move(joined));
}

SInt32 CFStringGetIntValue(CFStringRef str)
{
    const std::string text(cf::text(str, "CFStringGetIntValue"));
    errno = 0;
    const long long value = std::strtoll(text.c_str(), nullptr, 10);
    return static_cast<SInt32>(std::clamp<long long>(value, INT32_MIN, INT32_MAX));
}

double CFStringGetDoubleValue(CFStringRef str)
{
    const std::string text(cf::text(str, "CFStringGetDoubleValue"));
    return std::strtod(text.c_str(), nullptr);
}

// --- Mutation --------------------------------------------------------------------------------

void CFStringAppend(CFMutableStringRef theString, CFStringRef appendedString)
{
    auto* s = mutableString(theString, "CFStringAppend");
    const std::string tail(cf::text(appendedString, "CFStringAppend")); // a copy: may be theString itself
    if (s && appendedString) {
        s->utf8 += tail;
        s->textChanged();
    }
}

void CFStringAppendCharacters(CFMutableStringRef theString, const UniChar* chars, CFIndex numChars)
{
    auto* s = mutableString(theString, "CFStringAppendCharacters");
    if (s && chars && numChars > 0) {
        s->utf8 += fromUTF16(std::u16string_view(reinterpret_cast<const char16_t*>(chars), static_cast<size_t>(numChars)));
        s->textChanged();
    }
}

void CFStringAppendCString(CFMutableStringRef theString, const char* cStr, CFStringEncoding encoding)
{
    auto* s = mutableString(theString, "CFStringAppendCString");
    if (!s || !cStr) {
        return;
    }
    auto decoded = cf::unicode::decode(cStr, encoding, false);
    if (!decoded) {
        cf::reportMisuse("CFStringAppendCString", "cStr is not valid in the given encoding");
        return;
    }
    s->utf8 += *decoded;
    s->textChanged();
}

namespace {

// Replaces the UTF-16 range of a mutable string with UTF-8 text.
void replaceRange(__CFString* s, CFRange range, std::string_view replacement)
{
    std::u16string units = toUTF16(s->utf8);
    units.replace(static_cast<size_t>(range.location), static_cast<size_t>(range.length), toUTF16(replacement));
    s->utf8 = fromUTF16(units);
    s->textChanged();
}

} // namespace

void CFStringInsert(CFMutableStringRef str, CFIndex idx, CFStringRef insertedStr)
{
    auto* s = mutableString(str, "CFStringInsert");
    const std::string inserted(cf::text(insertedStr, "CFStringInsert"));
    if (s && insertedStr && validRange(s, CFRangeMake(idx, 0), "CFStringInsert")) {
        replaceRange(s, CFRangeMake(idx, 0), inserted);
    }
}

void CFStringDelete(CFMutableStringRef theString, CFRange range)
{
    auto* s = mutableString(theString, "CFStringDelete");
    if (s && validRange(s, range, "CFStringDelete")) {
        replaceRange(s, range, "");
    }
}

void CFStringReplace(CFMutableStringRef theString, CFRange range, CFStringRef replacement)
{
    auto* s = mutableString(theString, "CFStringReplace");
    const std::string text(cf::text(replacement, "CFStringReplace"));
    if (s && replacement && validRange(s, range, "CFStringReplace")) {
        replaceRange(s, range, text);
    }
}

void CFStringReplaceAll(CFMutableStringRef theString, CFStringRef replacement)
{
    auto* s = mutableString(theString, "CFStringReplaceAll");
    const std::string text(cf::text(replacement, "CFStringReplaceAll"));
    if (s && replacement) {
        s->utf8 = text;
        s->textChanged();
    }
}

void CFStringTrimWhitespace(CFMutableStringRef theString)
{
    auto* s = mutableString(theString, "CFStringTrimWhitespace");
    if (!s) {
        return;
    }
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    size_t begin = 0, end = s->utf8.size();
    while (begin < end && space(s->utf8[begin])) begin++;
    while (end > begin && space(s->utf8[end - 1])) end--;
    s->utf8 = s->utf8.substr(begin, end - begin);
    s->textChanged();
}

void CFShowStr(CFStringRef str)
{
    const std::string_view text = cf::text(str, "CFShowStr");
    std::fwrite(text.data(), 1, text.size(), stderr);
}
