#include "CFRef.h"

#include <vector>

namespace openiokit::tools {

std::string toString(CFStringRef string)
{
    if (!string) {
        return {};
    }
    if (const char* direct = CFStringGetCStringPtr(string, kCFStringEncodingUTF8)) {
        return direct;
    }
    const CFIndex size = CFStringGetMaximumSizeForEncoding(CFStringGetLength(string), kCFStringEncodingUTF8) + 1;
    std::vector<char> buffer(static_cast<size_t>(size));
    if (!CFStringGetCString(string, buffer.data(), size, kCFStringEncodingUTF8)) {
        return {};
    }
    return buffer.data();
}

CFRef<CFStringRef> makeString(std::string_view text)
{
    return CFRef<CFStringRef>(CFStringCreateWithBytes(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(text.data()),
                                                      static_cast<CFIndex>(text.size()), kCFStringEncodingUTF8, false));
}

namespace {
template <typename T>
T ofType(CFTypeRef value, CFTypeID type)
{
    return value && CFGetTypeID(value) == type ? static_cast<T>(value) : nullptr;
}
}  // namespace

CFStringRef asString(CFTypeRef v) { return ofType<CFStringRef>(v, CFStringGetTypeID()); }
CFNumberRef asNumber(CFTypeRef v) { return ofType<CFNumberRef>(v, CFNumberGetTypeID()); }
CFDictionaryRef asDictionary(CFTypeRef v) { return ofType<CFDictionaryRef>(v, CFDictionaryGetTypeID()); }
CFArrayRef asArray(CFTypeRef v) { return ofType<CFArrayRef>(v, CFArrayGetTypeID()); }
CFDataRef asData(CFTypeRef v) { return ofType<CFDataRef>(v, CFDataGetTypeID()); }
CFBooleanRef asBoolean(CFTypeRef v) { return ofType<CFBooleanRef>(v, CFBooleanGetTypeID()); }

CFTypeRef lookup(CFDictionaryRef dictionary, const char* key)
{
    if (!dictionary) {
        return nullptr;
    }
    CFRef<CFStringRef> k = makeString(key);
    return CFDictionaryGetValue(dictionary, k.get());
}

long long lookupInteger(CFDictionaryRef dictionary, const char* key)
{
    long long value = 0;
    if (CFNumberRef n = asNumber(lookup(dictionary, key))) {
        CFNumberGetValue(n, kCFNumberLongLongType, &value);
    }
    return value;
}

std::string lookupString(CFDictionaryRef dictionary, const char* key)
{
    return toString(asString(lookup(dictionary, key)));
}

}  // namespace openiokit::tools
