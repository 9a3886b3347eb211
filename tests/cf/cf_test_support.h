// Helpers for the CF tests: an owning handle and the canonical text form of a CF object graph
// (the same form kernel_xml_helper.h produces for OSObjects).
#pragma once

#include <CoreFoundation/CoreFoundation.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace cftest {

// Releases its +1 reference when it goes away.
template <class Ref = CFTypeRef>
struct Owned {
    explicit Owned(Ref r = nullptr) : ref(r) {}
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    ~Owned()
    {
        if (ref) {
            CFRelease(ref);
        }
    }
    Ref get() const { return ref; }
    explicit operator bool() const { return ref != nullptr; }
    Ref ref;
};

inline std::string str(CFStringRef s)
{
    if (!s) {
        return "(null)";
    }
    std::string out(static_cast<size_t>(CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1), '\0');
    CFStringGetCString(s, out.data(), static_cast<CFIndex>(out.size()), kCFStringEncodingUTF8);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

inline std::string canonical(CFTypeRef object)
{
    const CFTypeID type = CFGetTypeID(object);
    if (type == CFDictionaryGetTypeID()) {
        auto dictionary = static_cast<CFDictionaryRef>(object);
        const auto count = static_cast<size_t>(CFDictionaryGetCount(dictionary));
        std::vector<const void*> keys(count), values(count);
        CFDictionaryGetKeysAndValues(dictionary, keys.data(), values.data());
        std::vector<std::string> entries;
        for (size_t i = 0; i < count; i++) {
            entries.push_back(str(static_cast<CFStringRef>(keys[i])) + "=" + canonical(values[i]));
        }
        std::sort(entries.begin(), entries.end());
        std::string out = "{";
        for (auto& entry : entries) {
            out += entry + ";";
        }
        return out + "}";
    }
    if (type == CFArrayGetTypeID()) {
        std::string out = "[";
        for (CFIndex i = 0; i < CFArrayGetCount(static_cast<CFArrayRef>(object)); i++) {
            out += canonical(CFArrayGetValueAtIndex(static_cast<CFArrayRef>(object), i)) + ",";
        }
        return out + "]";
    }
    if (type == CFSetGetTypeID()) {
        auto set = static_cast<CFSetRef>(object);
        std::vector<const void*> values(static_cast<size_t>(CFSetGetCount(set)));
        CFSetGetValues(set, values.data());
        std::vector<std::string> members;
        for (const void* value : values) {
            members.push_back(canonical(value));
        }
        std::sort(members.begin(), members.end());
        std::string out = "<";
        for (auto& member : members) {
            out += member + ",";
        }
        return out + ">";
    }
    if (type == CFStringGetTypeID()) {
        return "\"" + str(static_cast<CFStringRef>(object)) + "\"";
    }
    if (type == CFNumberGetTypeID()) {
        long long value = 0;
        CFNumberGetValue(static_cast<CFNumberRef>(object), kCFNumberLongLongType, &value);
        return "i" + std::to_string(CFNumberGetByteSize(static_cast<CFNumberRef>(object)) * 8) + ":" +
               std::to_string(value);
    }
    if (type == CFBooleanGetTypeID()) {
        return CFBooleanGetValue(static_cast<CFBooleanRef>(object)) ? "true" : "false";
    }
    if (type == CFDataGetTypeID()) {
        std::string out = "data:";
        auto data = static_cast<CFDataRef>(object);
        for (CFIndex i = 0; i < CFDataGetLength(data); i++) {
            char hex[3];
            std::snprintf(hex, sizeof hex, "%02x", CFDataGetBytePtr(data)[i]);
            out += hex;
        }
        return out;
    }
    return "?";
}

inline CFNumberRef number(CFNumberType type, long long value)
{
    switch (type) {
    case kCFNumberSInt8Type: {
        auto v = static_cast<SInt8>(value);
        return CFNumberCreate(nullptr, type, &v);
    }
    case kCFNumberSInt16Type: {
        auto v = static_cast<SInt16>(value);
        return CFNumberCreate(nullptr, type, &v);
    }
    case kCFNumberSInt32Type: {
        auto v = static_cast<SInt32>(value);
        return CFNumberCreate(nullptr, type, &v);
    }
    default: return CFNumberCreate(nullptr, kCFNumberLongLongType, &value);
    }
}

} // namespace cftest
