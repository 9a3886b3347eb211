// Encoding conversions for CFString.
#include "CFUnicode.h"

#include "CFStringInternal.h"

namespace cf::unicode {
namespace {

void appendUTF8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

// Decodes one code point of valid UTF-8 at `i`, advancing it.
char32_t nextCodePoint(std::string_view utf8, size_t& i)
{
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    int extra = b0 < 0x80 ? 0 : b0 < 0xE0 ? 1 : b0 < 0xF0 ? 2 : 3;
    char32_t c = extra == 0 ? b0 : extra == 1 ? (b0 & 0x1F) : extra == 2 ? (b0 & 0x0F) : (b0 & 0x07);
    i++;
    for (; extra > 0 && i < utf8.size(); extra--, i++) {
        c = (c << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
    }
    return c;
}

bool isLatin1Family(CFStringEncoding encoding)
{
    return encoding == kCFStringEncodingMacRoman || encoding == kCFStringEncodingWindowsLatin1 ||
           encoding == kCFStringEncodingISOLatin1 || encoding == kCFStringEncodingNextStepLatin;
}

enum class Endian { Big, Little };

std::optional<std::string> decodeUTF16(std::string_view bytes, Endian endian, bool detectBOM)
{
    if (bytes.size() % 2) {
        return std::nullopt;
    }
    size_t i = 0;
    if (detectBOM && bytes.size() >= 2) {
        const auto a = static_cast<unsigned char>(bytes[0]), b = static_cast<unsigned char>(bytes[1]);
        if (a == 0xFE && b == 0xFF) {
            endian = Endian::Big, i = 2;
        } else if (a == 0xFF && b == 0xFE) {
            endian = Endian::Little, i = 2;
        }
    }
    std::u16string units;
    for (; i + 1 < bytes.size(); i += 2) {
        const auto a = static_cast<unsigned char>(bytes[i]), b = static_cast<unsigned char>(bytes[i + 1]);
        units.push_back(static_cast<char16_t>(endian == Endian::Big ? (a << 8 | b) : (b << 8 | a)));
    }
    return fromUTF16(units);
}

std::optional<std::string> decodeUTF32(std::string_view bytes, Endian endian, bool detectBOM)
{
    if (bytes.size() % 4) {
        return std::nullopt;
    }
    auto word = [&](size_t at, Endian e) {
        char32_t c = 0;
        for (int k = 0; k < 4; k++) {
            const auto byte = static_cast<unsigned char>(bytes[at + (e == Endian::Big ? k : 3 - k)]);
            c = (c << 8) | byte;
        }
        return c;
    };
    size_t i = 0;
    if (detectBOM && bytes.size() >= 4) {
        if (word(0, Endian::Big) == 0xFEFF) {
            endian = Endian::Big, i = 4;
        } else if (word(0, Endian::Little) == 0xFEFF) {
            endian = Endian::Little, i = 4;
        }
    }
    std::string out;
    for (; i < bytes.size(); i += 4) {
        const char32_t c = word(i, endian);
        if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) {
            return std::nullopt;
        }
        appendUTF8(out, c);
    }
    return out;
}

void appendUnit(std::string& out, char32_t unit, int bytes, Endian endian)
{
    for (int k = 0; k < bytes; k++) {
        const int shift = endian == Endian::Big ? 8 * (bytes - 1 - k) : 8 * k;
        out.push_back(static_cast<char>((unit >> shift) & 0xFF));
    }
}

} // namespace

bool isSupported(CFStringEncoding encoding)
{
    switch (encoding) {
    case kCFStringEncodingUTF8:
    case kCFStringEncodingASCII:
    case kCFStringEncodingNonLossyASCII:
    case kCFStringEncodingUTF16:
    case kCFStringEncodingUTF16BE:
    case kCFStringEncodingUTF16LE:
    case kCFStringEncodingUTF32:
    case kCFStringEncodingUTF32BE:
    case kCFStringEncodingUTF32LE: return true;
    default: return isLatin1Family(encoding);
    }
}

std::optional<std::string> decode(std::string_view bytes, CFStringEncoding encoding, bool externalRepresentation)
{
    if (encoding == kCFStringEncodingUTF8) {
        // A UTF-8 BOM is dropped, as CF does.
        if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
            bytes.remove_prefix(3);
        }
        if (!isValidUTF8(bytes)) {
            return std::nullopt;
        }
        return std::string(bytes);
    }
    if (encoding == kCFStringEncodingASCII || encoding == kCFStringEncodingNonLossyASCII) {
        for (char c : bytes) {
            if (static_cast<unsigned char>(c) > 0x7F) {
                return std::nullopt;
            }
        }
        return std::string(bytes);
    }
    if (isLatin1Family(encoding)) {
        std::string out;
        for (char c : bytes) {
            appendUTF8(out, static_cast<unsigned char>(c));
        }
        return out;
    }
    switch (encoding) {
    // Unmarked UTF-16/32 is big-endian unless a BOM says otherwise (CF's rule).
    case kCFStringEncodingUTF16: return decodeUTF16(bytes, Endian::Big, true);
    case kCFStringEncodingUTF16BE: return decodeUTF16(bytes, Endian::Big, false);
    case kCFStringEncodingUTF16LE: return decodeUTF16(bytes, Endian::Little, false);
    case kCFStringEncodingUTF32: return decodeUTF32(bytes, Endian::Big, true);
    case kCFStringEncodingUTF32BE: return decodeUTF32(bytes, Endian::Big, false);
    case kCFStringEncodingUTF32LE: return decodeUTF32(bytes, Endian::Little, false);
    default: return std::nullopt;
    }
}

std::optional<std::string> encode(std::string_view utf8, CFStringEncoding encoding, UInt8 lossByte,
                                  bool externalRepresentation)
{
    if (encoding == kCFStringEncodingUTF8) {
        return std::string(utf8);
    }
    std::string out;
    const bool ascii = encoding == kCFStringEncodingASCII || encoding == kCFStringEncodingNonLossyASCII;
    if (ascii || isLatin1Family(encoding)) {
        const char32_t limit = ascii ? 0x7F : 0xFF;
        for (size_t i = 0; i < utf8.size();) {
            const char32_t c = nextCodePoint(utf8, i);
            if (c <= limit) {
                out.push_back(static_cast<char>(c));
            } else if (lossByte) {
                out.push_back(static_cast<char>(lossByte));
            } else {
                return std::nullopt;
            }
        }
        return out;
    }
    const bool utf16 = encoding == kCFStringEncodingUTF16 || encoding == kCFStringEncodingUTF16BE ||
                       encoding == kCFStringEncodingUTF16LE;
    const bool utf32 = encoding == kCFStringEncodingUTF32 || encoding == kCFStringEncodingUTF32BE ||
                       encoding == kCFStringEncodingUTF32LE;
    if (!utf16 && !utf32) {
        return std::nullopt;
    }
    // Unmarked UTF-16/32 is written in host order, with a BOM only as an external representation.
    const bool unmarked = encoding == kCFStringEncodingUTF16 || encoding == kCFStringEncodingUTF32;
    const Endian endian = (encoding == kCFStringEncodingUTF16BE || encoding == kCFStringEncodingUTF32BE) ? Endian::Big
                          : (encoding == kCFStringEncodingUTF16LE || encoding == kCFStringEncodingUTF32LE)
                              ? Endian::Little
                              : (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? Endian::Big : Endian::Little);
    const int width = utf16 ? 2 : 4;
    if (unmarked && externalRepresentation) {
        appendUnit(out, 0xFEFF, width, endian);
    }
    if (utf16) {
        for (char16_t unit : toUTF16(utf8)) {
            appendUnit(out, unit, 2, endian);
        }
    } else {
        for (size_t i = 0; i < utf8.size();) {
            appendUnit(out, nextCodePoint(utf8, i), 4, endian);
        }
    }
    return out;
}

std::u16string toUTF16(std::string_view utf8)
{
    std::u16string out;
    out.reserve(utf8.size());
    for (size_t i = 0; i < utf8.size();) {
        const char32_t c = nextCodePoint(utf8, i);
        if (c >= 0x10000) {
            out.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(c));
        }
    }
    return out;
}

std::string fromUTF16(std::u16string_view utf16)
{
    std::string out;
    out.reserve(utf16.size());
    for (size_t i = 0; i < utf16.size(); i++) {
        char32_t c = utf16[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < utf16.size() && utf16[i + 1] >= 0xDC00 && utf16[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (utf16[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        appendUTF8(out, c);
    }
    return out;
}

} // namespace cf::unicode
