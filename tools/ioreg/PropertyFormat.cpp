#include "PropertyFormat.h"

#include "../common/CFRef.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace openiokit::tools::ioreg {

namespace {

std::string formatNumber(CFNumberRef number, bool hex)
{
    if (CFNumberIsFloatType(number)) {
        double d = 0;
        CFNumberGetValue(number, kCFNumberDoubleType, &d);
        return fmt::format("{}", d);
    }
    long long value = 0;
    CFNumberGetValue(number, kCFNumberLongLongType, &value);
    // Registry numbers are unsigned (OSNumber): show the stored width's unsigned value.
    unsigned long long bits = static_cast<unsigned long long>(value);
    const CFIndex size = CFNumberGetByteSize(number);
    if (size > 0 && size < 8) {
        bits &= (1ULL << (size * 8)) - 1;
    }
    return hex ? fmt::format("{:#x}", bits) : fmt::format("{}", bits);
}

// NUL-terminated printable strings (e.g. "compatible") are shown as text, the rest as hex.
std::string formatData(CFDataRef data, bool hex)
{
    const UInt8* bytes = CFDataGetBytePtr(data);
    const size_t length = static_cast<size_t>(CFDataGetLength(data));
    bool text = !hex && length > 1 && bytes[length - 1] == 0 && bytes[0] != 0;
    for (size_t i = 0; text && i < length; i++) {
        const bool nul = bytes[i] == 0;
        text = nul ? (i + 1 == length || bytes[i + 1] != 0) : (bytes[i] >= 0x20 && bytes[i] < 0x7f);
    }
    if (text) {
        std::vector<std::string> strings;
        for (size_t start = 0; start < length;) {
            const std::string s(reinterpret_cast<const char*>(bytes + start));
            strings.push_back("\"" + s + "\"");
            start += s.size() + 1;
        }
        return fmt::format("<{}>", fmt::join(strings, ","));
    }
    std::string out = "<";
    for (size_t i = 0; i < length; i++) {
        out += fmt::format("{:02x}", bytes[i]);
    }
    return out + ">";
}

}  // namespace

std::vector<Property> sortedProperties(CFDictionaryRef properties)
{
    const CFIndex n = CFDictionaryGetCount(properties);
    std::vector<const void*> keys(static_cast<size_t>(n));
    std::vector<const void*> values(static_cast<size_t>(n));
    CFDictionaryGetKeysAndValues(properties, keys.data(), values.data());
    std::vector<Property> out;
    for (CFIndex i = 0; i < n; i++) {
        out.push_back(Property{toString(asString(keys[static_cast<size_t>(i)])), values[static_cast<size_t>(i)]});
    }
    std::sort(out.begin(), out.end(), [](const Property& a, const Property& b) { return a.key < b.key; });
    return out;
}

std::string formatValue(CFTypeRef value, bool hex)
{
    if (CFStringRef s = asString(value)) {
        return "\"" + toString(s) + "\"";
    }
    if (CFBooleanRef b = asBoolean(value)) {
        return CFBooleanGetValue(b) ? "Yes" : "No";
    }
    if (CFNumberRef n = asNumber(value)) {
        return formatNumber(n, hex);
    }
    if (CFDataRef d = asData(value)) {
        return formatData(d, hex);
    }
    if (CFDictionaryRef d = asDictionary(value)) {
        std::vector<std::string> items;
        for (const Property& p : sortedProperties(d)) {
            items.push_back("\"" + p.key + "\"=" + formatValue(p.value, hex));
        }
        return fmt::format("{{{}}}", fmt::join(items, ","));
    }
    if (CFArrayRef a = asArray(value)) {
        std::vector<std::string> items;
        for (CFIndex i = 0; i < CFArrayGetCount(a); i++) {
            items.push_back(formatValue(CFArrayGetValueAtIndex(a, i), hex));
        }
        return fmt::format("({})", fmt::join(items, ","));
    }
    if (value && CFGetTypeID(value) == CFSetGetTypeID()) {
        auto set = static_cast<CFSetRef>(value);
        std::vector<const void*> members(static_cast<size_t>(CFSetGetCount(set)));
        CFSetGetValues(set, members.data());
        std::vector<std::string> items;
        for (const void* m : members) {
            items.push_back(formatValue(m, hex));
        }
        std::sort(items.begin(), items.end());
        return fmt::format("[{}]", fmt::join(items, ","));
    }
    return "<unknown>";
}

}  // namespace openiokit::tools::ioreg
