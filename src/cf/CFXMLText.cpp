// XML escaping and base64 for the XML writers and readers.
#include "CFXMLText.h"

namespace cf::xml {

namespace {
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}
} // namespace

void appendEscaped(std::string& out, std::string_view text)
{
    for (char c : text) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        default: out += c; break;
        }
    }
}

void appendBase64(std::string& out, std::span<const uint8_t> bytes)
{
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t remaining = bytes.size() - i;
        const uint32_t group = uint32_t(bytes[i]) << 16 | (remaining > 1 ? uint32_t(bytes[i + 1]) << 8 : 0) |
                               (remaining > 2 ? uint32_t(bytes[i + 2]) : 0);
        out += kBase64Alphabet[(group >> 18) & 0x3f];
        out += kBase64Alphabet[(group >> 12) & 0x3f];
        out += remaining > 1 ? kBase64Alphabet[(group >> 6) & 0x3f] : '=';
        out += remaining > 2 ? kBase64Alphabet[group & 0x3f] : '=';
    }
}

std::optional<std::vector<uint8_t>> decodeBase64(std::string_view text)
{
    std::vector<uint8_t> bytes;
    bytes.reserve(text.size() * 3 / 4);
    uint32_t accumulator = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            padding = true;
            continue;
        }
        const int value = base64Value(c);
        if (value < 0 || padding) {
            return std::nullopt;
        }
        accumulator = (accumulator << 6) | uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes.push_back(uint8_t(accumulator >> bits));
        }
    }
    return bytes;
}

} // namespace cf::xml
