// The XML property-list writer, byte-identical to macOS's: the fixed prolog, one element per
// line indented with tabs, dictionary keys sorted with CFStringCompare, <dict/> and <array/>
// when empty, base64 data in lines of at most 76 characters (indentation counting against it),
// reals printed as CF prints them (%.17g, "0.0", "nan", "+infinity"), dates in UTC seconds.
#include <CoreFoundation/CoreFoundation.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

#include "CFPropertyListInternal.h"
#include "CFStringInternal.h"
#include "CFXMLText.h"

namespace cf::plist {

namespace {

constexpr size_t kMaxLine = 76;

void indent(std::string& out, unsigned depth)
{
    out.append(depth, '\t');
}

void appendString(std::string& out, CFStringRef string)
{
    cf::xml::appendEscaped(out, cf::text(string, "CFPropertyListCreateData"));
}

// Base64 lines as CF breaks them: after each input byte, flush once the line holds at least
// 76 - 8 * indentation characters (indentation capped at 8 tabs).
void appendData(std::string& out, CFDataRef data, unsigned depth)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned tabs = std::min(depth, 8u);
    const size_t limit = kMaxLine - 8 * tabs;
    const UInt8* bytes = CFDataGetBytePtr(data);
    const auto length = static_cast<size_t>(CFDataGetLength(data));
    std::string line;
    auto flush = [&] {
        indent(out, tabs);
        out += line;
        out += '\n';
        line.clear();
    };
    for (size_t i = 0; i < length; i++) {
        switch (i % 3) {
        case 0: line += kAlphabet[bytes[i] >> 2]; break;
        case 1: line += kAlphabet[((bytes[i - 1] << 4) | (bytes[i] >> 4)) & 0x3f]; break;
        default:
            line += kAlphabet[((bytes[i - 1] << 2) | (bytes[i] >> 6)) & 0x3f];
            line += kAlphabet[bytes[i] & 0x3f];
            break;
        }
        if (line.size() >= limit) {
            flush();
        }
    }
    if (length % 3 == 1) {
        line += kAlphabet[(bytes[length - 1] << 4) & 0x30];
        line += "==";
    } else if (length % 3 == 2) {
        line += kAlphabet[(bytes[length - 1] << 2) & 0x3c];
        line += '=';
    }
    if (!line.empty()) {
        flush();
    }
}

std::string formatReal(double value)
{
    if (std::isnan(value)) {
        return "nan";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+infinity" : "-infinity";
    }
    if (value == 0.0) {
        return "0.0";
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", DBL_DIG + 2, value);
    return text;
}

std::string formatDate(CFAbsoluteTime at)
{
    const auto seconds = static_cast<time_t>(std::floor(at + kCFAbsoluteTimeIntervalSince1970));
    struct tm utc {};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                  utc.tm_hour, utc.tm_min, utc.tm_sec);
    return text;
}

CFComparisonResult compareKeys(const void* a, const void* b)
{
    return CFStringCompare(static_cast<CFStringRef>(a), static_cast<CFStringRef>(b), 0);
}

void appendValue(std::string& out, CFTypeRef object, unsigned depth)
{
    indent(out, depth);
    const CFTypeID type = CFGetTypeID(object);
    if (type == CFStringGetTypeID()) {
        out += "<string>";
        appendString(out, static_cast<CFStringRef>(object));
        out += "</string>\n";
    } else if (type == CFArrayGetTypeID()) {
        auto array = static_cast<CFArrayRef>(object);
        const CFIndex count = CFArrayGetCount(array);
        if (count == 0) {
            out += "<array/>\n";
            return;
        }
        out += "<array>\n";
        for (CFIndex i = 0; i < count; i++) {
            appendValue(out, CFArrayGetValueAtIndex(array, i), depth + 1);
        }
        indent(out, depth);
        out += "</array>\n";
    } else if (type == CFDictionaryGetTypeID()) {
        auto dictionary = static_cast<CFDictionaryRef>(object);
        const auto count = static_cast<size_t>(CFDictionaryGetCount(dictionary));
        if (count == 0) {
            out += "<dict/>\n";
            return;
        }
        out += "<dict>\n";
        std::vector<const void*> keys(count);
        CFDictionaryGetKeysAndValues(dictionary, keys.data(), nullptr);
        std::stable_sort(keys.begin(), keys.end(),
                         [](const void* a, const void* b) { return compareKeys(a, b) == kCFCompareLessThan; });
        for (const void* key : keys) {
            indent(out, depth + 1);
            out += "<key>";
            appendString(out, static_cast<CFStringRef>(key));
            out += "</key>\n";
            appendValue(out, CFDictionaryGetValue(dictionary, key), depth + 1);
        }
        indent(out, depth);
        out += "</dict>\n";
    } else if (type == CFDataGetTypeID()) {
        out += "<data>\n";
        appendData(out, static_cast<CFDataRef>(object), depth);
        indent(out, depth);
        out += "</data>\n";
    } else if (type == CFDateGetTypeID()) {
        out += "<date>" + formatDate(CFDateGetAbsoluteTime(static_cast<CFDateRef>(object))) + "</date>\n";
    } else if (type == CFNumberGetTypeID()) {
        auto number = static_cast<CFNumberRef>(object);
        if (CFNumberIsFloatType(number)) {
            double value = 0;
            CFNumberGetValue(number, kCFNumberFloat64Type, &value);
            out += "<real>" + formatReal(value) + "</real>\n";
        } else {
            long long value = 0;
            CFNumberGetValue(number, kCFNumberLongLongType, &value);
            out += "<integer>" + std::to_string(value) + "</integer>\n";
        }
    } else if (type == CFBooleanGetTypeID()) {
        out += CFBooleanGetValue(static_cast<CFBooleanRef>(object)) ? "<true/>\n" : "<false/>\n";
    }
}

} // namespace

std::string writeXML(CFPropertyListRef plist)
{
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                      "<plist version=\"1.0\">\n";
    appendValue(out, plist, 0);
    out += "</plist>\n";
    return out;
}

} // namespace cf::plist
