// CFStringCreateWithFormat and friends: printf's conversions plus %@ (a CF object's formatting
// description). The format is split into pieces first, so that positional arguments (%2$d)
// can be fetched from the va_list in argument order whatever order they are used in.
#include <CoreFoundation/CFString.h>

#include <cstdio>
#include <string>
#include <vector>

#include "CFStringInternal.h"
#include "CFUnicode.h"

namespace {

enum class ArgKind { Int, Long, LongLong, Size, IntMax, PtrDiff, Double, LongDouble, Pointer, CString, Object, UniChars };

struct Arg {
    ArgKind kind = ArgKind::Int;
    long long integer = 0;
    long double real = 0;
    const void* pointer = nullptr;
};

struct Spec {
    std::string literal;    // text before the conversion (already with %% resolved)
    std::string flags;      // "-+ #0'"
    int widthArg = -1;      // argument index of a '*' width, or -1
    std::string width;      // digits
    int precisionArg = -1;  // argument index of a '*' precision
    std::string precision;  // ".digits" or "" ("." alone means 0)
    std::string length;     // hh h l ll q z j t L
    char conversion = 0;    // 0 for the trailing literal
    int argIndex = -1;
};

ArgKind kindFor(const Spec& spec)
{
    switch (spec.conversion) {
    case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'c': case 'C': case 'D': case 'U': case 'O':
        if (spec.length == "l") return ArgKind::Long;
        if (spec.length == "ll" || spec.length == "q") return ArgKind::LongLong;
        if (spec.length == "z") return ArgKind::Size;
        if (spec.length == "j") return ArgKind::IntMax;
        if (spec.length == "t") return ArgKind::PtrDiff;
        if (spec.conversion == 'D' || spec.conversion == 'U' || spec.conversion == 'O') return ArgKind::Long;
        return ArgKind::Int;
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        return spec.length == "L" ? ArgKind::LongDouble : ArgKind::Double;
    case 'p': return ArgKind::Pointer;
    case 's': return ArgKind::CString;
    case 'S': return ArgKind::UniChars;
    case '@': return ArgKind::Object;
    default: return ArgKind::Int;
    }
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Splits the format into specs; false if it is malformed.
bool parse(std::string_view format, std::vector<Spec>& specs, std::vector<ArgKind>& kinds)
{
    int nextArg = 0;
    auto claim = [&](int index, ArgKind kind) {
        if (static_cast<size_t>(index) >= kinds.size()) {
            kinds.resize(index + 1, ArgKind::Int);
        }
        kinds[index] = kind;
    };
    Spec current;
    for (size_t i = 0; i < format.size();) {
        if (format[i] != '%') {
            current.literal.push_back(format[i++]);
            continue;
        }
        if (i + 1 < format.size() && format[i + 1] == '%') {
            current.literal.push_back('%');
            i += 2;
            continue;
        }
        i++;
        // %n$ : a positional argument (1-based).
        size_t digits = i;
        while (digits < format.size() && isDigit(format[digits])) digits++;
        if (digits < format.size() && digits > i && format[digits] == '$') {
            current.argIndex = std::stoi(std::string(format.substr(i, digits - i))) - 1;
            i = digits + 1;
        }
        while (i < format.size() && std::string_view("-+ #0'").find(format[i]) != std::string_view::npos) {
            current.flags.push_back(format[i++]);
        }
        if (i < format.size() && format[i] == '*') {
            current.widthArg = nextArg++;
            claim(current.widthArg, ArgKind::Int);
            i++;
        } else {
            while (i < format.size() && isDigit(format[i])) current.width.push_back(format[i++]);
        }
        if (i < format.size() && format[i] == '.') {
            current.precision = ".";
            i++;
            if (i < format.size() && format[i] == '*') {
                current.precisionArg = nextArg++;
                claim(current.precisionArg, ArgKind::Int);
                i++;
            } else {
                while (i < format.size() && isDigit(format[i])) current.precision.push_back(format[i++]);
            }
        }
        while (i < format.size() && std::string_view("hlqzjtL").find(format[i]) != std::string_view::npos) {
            current.length.push_back(format[i++]);
        }
        if (i >= format.size()) {
            return false;
        }
        current.conversion = format[i++];
        if (std::string_view("diuoxXcCDUOeEfFgGaApsS@").find(current.conversion) == std::string_view::npos) {
            return false;
        }
        if (current.argIndex < 0) {
            current.argIndex = nextArg++;
        }
        claim(current.argIndex, kindFor(current));
        specs.push_back(std::move(current));
        current = Spec();
    }
    specs.push_back(std::move(current)); // trailing literal, conversion 0
    return true;
}

void fetch(std::vector<Arg>& args, const std::vector<ArgKind>& kinds, va_list arguments)
{
    for (ArgKind kind : kinds) {
        Arg arg;
        arg.kind = kind;
        switch (kind) {
        case ArgKind::Int: arg.integer = va_arg(arguments, int); break;
        case ArgKind::Long: arg.integer = va_arg(arguments, long); break;
        case ArgKind::LongLong: arg.integer = va_arg(arguments, long long); break;
        case ArgKind::Size: arg.integer = static_cast<long long>(va_arg(arguments, size_t)); break;
        case ArgKind::IntMax: arg.integer = va_arg(arguments, intmax_t); break;
        case ArgKind::PtrDiff: arg.integer = va_arg(arguments, ptrdiff_t); break;
        case ArgKind::Double: arg.real = va_arg(arguments, double); break;
        case ArgKind::LongDouble: arg.real = va_arg(arguments, long double); break;
        case ArgKind::Pointer:
        case ArgKind::CString:
        case ArgKind::Object:
        case ArgKind::UniChars: arg.pointer = va_arg(arguments, const void*); break;
        }
        args.push_back(arg);
    }
}

template <class... T>
std::string formatC(const std::string& format, T... values)
{
    const int size = std::snprintf(nullptr, 0, format.c_str(), values...);
    if (size <= 0) {
        return {};
    }
    std::string out(static_cast<size_t>(size) + 1, '\0');
    std::snprintf(out.data(), out.size(), format.c_str(), values...);
    out.resize(static_cast<size_t>(size));
    return out;
}

// Applies width and the '-' flag to text that was not produced by snprintf (%@, %S).
std::string pad(std::string text, int width, bool left)
{
    const auto length = static_cast<int>(cf::unicode::toUTF16(text).size());
    if (width > length) {
        const std::string fill(static_cast<size_t>(width - length), ' ');
        text = left ? text + fill : fill + text;
    }
    return text;
}

std::string render(const Spec& spec, const std::vector<Arg>& args)
{
    const Arg& arg = args[static_cast<size_t>(spec.argIndex)];
    int width = spec.width.empty() ? 0 : std::stoi(spec.width);
    std::string precision = spec.precision;
    std::string flags = spec.flags;
    if (spec.widthArg >= 0) {
        width = static_cast<int>(args[static_cast<size_t>(spec.widthArg)].integer);
        if (width < 0) {
            flags += '-', width = -width;
        }
    }
    if (spec.precisionArg >= 0) {
        const auto p = args[static_cast<size_t>(spec.precisionArg)].integer;
        precision = p >= 0 ? "." + std::to_string(p) : "";
    }
    const std::string head = "%" + flags + (width ? std::to_string(width) : "") + precision;
    const bool left = flags.find('-') != std::string::npos;
    switch (spec.conversion) {
    case '@': return pad(arg.pointer ? cf::formatDescribe(arg.pointer) : "(null)", width, left);
    case 'S': {
        const auto* chars = static_cast<const char16_t*>(arg.pointer);
        if (!chars) return pad("(null)", width, left);
        std::u16string_view units(chars);
        if (precision.size() > 1) units = units.substr(0, std::stoul(precision.substr(1)));
        return pad(cf::unicode::fromUTF16(units), width, left);
    }
    case 'C': {
        const char16_t unit = static_cast<char16_t>(arg.integer);
        return pad(cf::unicode::fromUTF16(std::u16string_view(&unit, 1)), width, left);
    }
    case 's': return formatC(head + "s", arg.pointer ? static_cast<const char*>(arg.pointer) : "(null)");
    case 'p': return formatC(head + "p", arg.pointer);
    case 'c': return formatC(head + "c", static_cast<int>(arg.integer));
    default: break;
    }
    const char conversion = spec.conversion == 'D' ? 'd' : spec.conversion == 'U' ? 'u'
                          : spec.conversion == 'O' ? 'o' : spec.conversion;
    if (arg.kind == ArgKind::Double) {
        return formatC(head + conversion, static_cast<double>(arg.real));
    }
    if (arg.kind == ArgKind::LongDouble) {
        return formatC(head + "L" + conversion, arg.real);
    }
    // Integers: narrow to the declared width first so %hhd / %hu print what C would.
    long long value = arg.integer;
    const bool isSigned = conversion == 'd' || conversion == 'i';
    // (Each branch converts to long long itself: a ?: of int and unsigned would be unsigned.)
    if (spec.length == "hh") {
        value = isSigned ? static_cast<long long>(static_cast<signed char>(value))
                         : static_cast<long long>(static_cast<unsigned char>(value));
    } else if (spec.length == "h") {
        value = isSigned ? static_cast<long long>(static_cast<short>(value))
                         : static_cast<long long>(static_cast<unsigned short>(value));
    } else if (arg.kind == ArgKind::Int) {
        value = isSigned ? static_cast<long long>(static_cast<int>(value))
                         : static_cast<long long>(static_cast<unsigned int>(value));
    }
    return formatC(head + "ll" + conversion, value);
}

} // namespace

namespace cf {

// The formatted text, or nullopt-like false when the format is malformed.
bool format(std::string& out, CFStringRef format, va_list arguments, const char* function)
{
    const std::string_view text = cf::text(format, function);
    if (!format) {
        return false;
    }
    std::vector<Spec> specs;
    std::vector<ArgKind> kinds;
    if (!parse(text, specs, kinds)) {
        reportMisuse(function, "the format string has an incomplete or unknown conversion");
        return false;
    }
    std::vector<Arg> args;
    fetch(args, kinds, arguments);
    for (const Spec& spec : specs) {
        out += spec.literal;
        if (spec.conversion) {
            out += render(spec, args);
        }
    }
    return true;
}

} // namespace cf

CFStringRef CFStringCreateWithFormatAndArguments(CFAllocatorRef, CFDictionaryRef, CFStringRef format,
                                                 va_list arguments)
{
    std::string text;
    if (!cf::format(text, format, arguments, "CFStringCreateWithFormat")) {
        return nullptr;
    }
    return cf::makeString(std::move(text));
}

CFStringRef CFStringCreateWithFormat(CFAllocatorRef alloc, CFDictionaryRef formatOptions, CFStringRef format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    CFStringRef result = CFStringCreateWithFormatAndArguments(alloc, formatOptions, format, arguments);
    va_end(arguments);
    return result;
}

void CFStringAppendFormatAndArguments(CFMutableStringRef theString, CFDictionaryRef, CFStringRef format,
                                      va_list arguments)
{
    auto* s = cf::checked<__CFString>(theString, cf::kTypeString, "CFStringAppendFormat");
    if (!s) {
        return;
    }
    if (!s->isMutable) {
        cf::reportMisuse("CFStringAppendFormat", "the string is immutable");
        return;
    }
    std::string text;
    if (cf::format(text, format, arguments, "CFStringAppendFormat")) {
        s->utf8 += text;
        s->textChanged();
    }
}

void CFStringAppendFormat(CFMutableStringRef theString, CFDictionaryRef formatOptions, CFStringRef format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    CFStringAppendFormatAndArguments(theString, formatOptions, format, arguments);
    va_end(arguments);
}
