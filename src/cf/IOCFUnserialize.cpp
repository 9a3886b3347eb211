// IOCFUnserialize: the kernel's XML dialect (what OSSerialize writes: ID="n" attributes,
// <reference IDREF="n"/> or <tag IDREF="n"/>, <integer size="n">, <set>) to CF objects.
//
// The text comes from another process, so it is treated as hostile: nesting is bounded, every
// number is range-checked and on any error everything built so far is released; the caller
// gets NULL and a sentence naming the problem and its line.
#include <IOKit/IOCFUnserialize.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <expected>
#include <map>
#include <string>
#include <string_view>

#include "CFOwned.h"
#include "CFRuntime.h"
#include "CFStringInternal.h"
#include "CFXMLText.h"

namespace {

constexpr int kMaxNesting = 128;

using Object = cf::Owned<CFTypeRef>;
template <typename T>
using Result = std::expected<T, std::string>;

struct Tag {
    std::string name;
    std::map<std::string, std::string, std::less<>> attributes;
    bool closing = false; // </name>
    bool empty = false;   // <name/>

    const std::string* attribute(std::string_view key) const
    {
        auto found = attributes.find(key);
        return found == attributes.end() ? nullptr : &found->second;
    }
};

std::unexpected<std::string> fail(std::string problem)
{
    return std::unexpected(std::move(problem));
}

// Appends code point c as UTF-8.
void appendUTF8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xc0 | (c >> 6));
        out += char(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += char(0xe0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3f));
        out += char(0x80 | (c & 0x3f));
    } else {
        out += char(0xf0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3f));
        out += char(0x80 | ((c >> 6) & 0x3f));
        out += char(0x80 | (c & 0x3f));
    }
}

class KernelXMLReader {
public:
    explicit KernelXMLReader(std::string_view input) : input_(input) {}

    Result<Object> parseDocument()
    {
        skipMisc();
        bool inPlist = false;
        if (lookingAtTag("plist")) {
            auto tag = readTag();
            if (!tag) {
                return std::unexpected(tag.error());
            }
            if (tag->empty) {
                return fail("an empty <plist/> holds no object");
            }
            inPlist = true;
        }
        auto root = parseValue(0);
        if (!root) {
            return root;
        }
        skipMisc();
        if (inPlist) {
            auto tag = readTag();
            if (!tag || !tag->closing || tag->name != "plist") {
                return fail("expected </plist> after the top-level object");
            }
            skipMisc();
        }
        if (pos_ != input_.size()) {
            return fail("unexpected text after the top-level object");
        }
        return root;
    }

    int line() const { return line_; }

private:
    bool atEnd() const { return pos_ >= input_.size(); }
    bool startsWith(std::string_view prefix) const { return input_.substr(pos_).starts_with(prefix); }

    void advance(size_t count)
    {
        for (size_t i = 0; i < count && pos_ < input_.size(); ++i) {
            if (input_[pos_++] == '\n') {
                ++line_;
            }
        }
    }

    void skipWhitespace()
    {
        while (!atEnd() && std::strchr(" \t\r\n", input_[pos_])) {
            advance(1);
        }
    }

    // Whitespace, comments, <?...?> and <!DOCTYPE ...> between elements.
    void skipMisc()
    {
        for (;;) {
            skipWhitespace();
            std::string_view close;
            if (startsWith("<!--")) {
                close = "-->";
            } else if (startsWith("<?")) {
                close = "?>";
            } else if (startsWith("<!")) {
                close = ">";
            } else {
                return;
            }
            const size_t end = input_.find(close, pos_ + 2);
            advance(end == std::string_view::npos ? input_.size() - pos_ : end + close.size() - pos_);
        }
    }

    bool lookingAtTag(std::string_view name) const
    {
        if (!startsWith("<")) {
            return false;
        }
        const std::string_view rest = input_.substr(pos_ + 1);
        return rest.starts_with(name) && rest.size() > name.size() && std::strchr(" \t\r\n/>", rest[name.size()]);
    }

    static bool isNameChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.' || c == ':';
    }

    std::string readName()
    {
        const size_t start = pos_;
        while (!atEnd() && isNameChar(input_[pos_])) {
            advance(1);
        }
        return std::string(input_.substr(start, pos_ - start));
    }

    Result<Tag> readTag()
    {
        if (!startsWith("<")) {
            return fail("expected a tag");
        }
        advance(1);
        Tag tag;
        if (startsWith("/")) {
            tag.closing = true;
            advance(1);
        }
        tag.name = readName();
        if (tag.name.empty()) {
            return fail("malformed tag: missing name");
        }
        for (;;) {
            skipWhitespace();
            if (atEnd()) {
                return fail("unterminated tag <" + tag.name + ">");
            }
            if (!tag.closing && startsWith("/>")) {
                tag.empty = true;
                advance(2);
                return tag;
            }
            if (startsWith(">")) {
                advance(1);
                return tag;
            }
            if (tag.closing) {
                return fail("malformed closing tag </" + tag.name + ">");
            }
            std::string attribute = readName();
            if (attribute.empty()) {
                return fail("malformed attribute in tag <" + tag.name + ">");
            }
            skipWhitespace();
            if (!startsWith("=")) {
                return fail("attribute " + attribute + " has no value");
            }
            advance(1);
            skipWhitespace();
            if (atEnd() || (input_[pos_] != '"' && input_[pos_] != '\'')) {
                return fail("the value of attribute " + attribute + " is not quoted");
            }
            const size_t end = input_.find(input_[pos_], pos_ + 1);
            if (end == std::string_view::npos) {
                return fail("unterminated value of attribute " + attribute);
            }
            std::string value(input_.substr(pos_ + 1, end - pos_ - 1));
            advance(end + 1 - pos_);
            tag.attributes.insert_or_assign(std::move(attribute), std::move(value));
        }
    }

    // Character data up to </name>, entities decoded.
    Result<std::string> readText(const std::string& name)
    {
        std::string text;
        for (;;) {
            if (atEnd()) {
                return fail("unterminated <" + name + ">");
            }
            const char c = input_[pos_];
            if (c == '<') {
                break;
            }
            if (c != '&') {
                text += c;
                advance(1);
                continue;
            }
            const size_t semicolon = input_.find(';', pos_);
            if (semicolon == std::string_view::npos || semicolon - pos_ > 12) {
                return fail("malformed entity in <" + name + ">");
            }
            const std::string_view entity = input_.substr(pos_ + 1, semicolon - pos_ - 1);
            if (entity == "lt") {
                text += '<';
            } else if (entity == "gt") {
                text += '>';
            } else if (entity == "amp") {
                text += '&';
            } else if (entity == "quot") {
                text += '"';
            } else if (entity == "apos") {
                text += '\'';
            } else if (entity.starts_with("#")) {
                const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
                const std::string_view digits = entity.substr(hex ? 2 : 1);
                uint32_t value = 0;
                auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
                if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
                    value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
                    return fail("invalid character reference &" + std::string(entity) + ";");
                }
                appendUTF8(text, char32_t(value));
            } else {
                return fail("unknown entity &" + std::string(entity) + ";");
            }
            advance(semicolon + 1 - pos_);
        }
        auto close = readTag();
        if (!close || !close->closing || close->name != name) {
            return fail("expected </" + name + ">");
        }
        return text;
    }

    Result<Object> parseValue(int depth)
    {
        if (depth >= kMaxNesting) {
            return fail("nesting deeper than " + std::to_string(kMaxNesting) + " levels");
        }
        skipMisc();
        auto tag = readTag();
        if (!tag) {
            return std::unexpected(tag.error());
        }
        if (tag->closing) {
            return fail("unexpected </" + tag->name + ">");
        }
        if (const std::string* ref = tag->attribute("IDREF")) {
            return resolveReference(*tag, *ref);
        }
        auto object = parseElement(*tag, depth);
        if (!object) {
            return object;
        }
        if (const std::string* id = tag->attribute("ID")) {
            // Registered once complete, so a reference never names an enclosing container and
            // the result is acyclic (CF containers retain their values).
            unsigned number = 0;
            auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), number);
            if (id->empty() || ec != std::errc() || end != id->data() + id->size()) {
                return fail("invalid ID \"" + *id + "\"");
            }
            CFRetain(object->get());
            ids_.insert_or_assign(number, Object(object->get()));
        }
        return object;
    }

    Result<Object> resolveReference(const Tag& tag, const std::string& value)
    {
        if (!tag.empty) {
            return fail("a reference (IDREF) must be an empty element");
        }
        unsigned number = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        auto found = ids_.find(number);
        if (value.empty() || ec != std::errc() || end != value.data() + value.size() || found == ids_.end()) {
            return fail("IDREF \"" + value + "\" names no earlier object");
        }
        return Object(CFRetain(found->second.get()));
    }

    Result<Object> parseElement(const Tag& tag, int depth)
    {
        const std::string& name = tag.name;
        if (name == "dict") {
            return parseDictionary(tag, depth);
        }
        if (name == "array" || name == "set") {
            return parseList(tag, depth);
        }
        if (name == "true" || name == "false") {
            if (!tag.empty) {
                auto close = readTag();
                if (!close || !close->closing || close->name != name) {
                    return fail("expected </" + name + ">");
                }
            }
            return Object(CFRetain(name == "true" ? kCFBooleanTrue : kCFBooleanFalse));
        }
        if (name != "string" && name != "integer" && name != "data") {
            return fail(name == "key" ? "<key> outside a <dict>" : "unknown tag <" + name + ">");
        }
        std::string text;
        if (!tag.empty) {
            auto read = readText(name);
            if (!read) {
                return std::unexpected(read.error());
            }
            text = std::move(*read);
        }
        if (name == "string") {
            return makeString(text);
        }
        if (name == "integer") {
            return parseInteger(tag, text);
        }
        auto bytes = cf::xml::decodeBase64(text);
        if (!bytes) {
            return fail("<data> is not valid base64");
        }
        return Object(CFDataCreate(kCFAllocatorDefault, bytes->data(), static_cast<CFIndex>(bytes->size())));
    }

    Result<Object> makeString(const std::string& text)
    {
        if (!cf::isValidUTF8(text)) {
            return fail("a <string> or <key> is not valid UTF-8");
        }
        return Object(cf::makeString(text));
    }

    Result<Object> parseDictionary(const Tag& tag, int depth)
    {
        cf::Owned<CFMutableDictionaryRef> dictionary(CFDictionaryCreateMutable(
            kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
        while (!tag.empty) {
            skipMisc();
            auto keyTag = readTag();
            if (!keyTag) {
                return std::unexpected(keyTag.error());
            }
            if (keyTag->closing) {
                if (keyTag->name != "dict") {
                    return fail("expected </dict>, found </" + keyTag->name + ">");
                }
                break;
            }
            if (keyTag->name != "key") {
                return fail("expected <key> in <dict>, found <" + keyTag->name + ">");
            }
            std::string keyText;
            if (!keyTag->empty) {
                auto read = readText("key");
                if (!read) {
                    return std::unexpected(read.error());
                }
                keyText = std::move(*read);
            }
            auto key = makeString(keyText);
            if (!key) {
                return key;
            }
            skipMisc();
            if (startsWith("</")) {
                return fail("key \"" + keyText + "\" has no value");
            }
            auto value = parseValue(depth + 1);
            if (!value) {
                return value;
            }
            CFDictionarySetValue(dictionary.get(), key->get(), value->get());
        }
        return Object(dictionary.release());
    }

    Result<Object> parseList(const Tag& tag, int depth)
    {
        const bool isSet = tag.name == "set";
        cf::Owned<CFMutableArrayRef> array;
        cf::Owned<CFMutableSetRef> set;
        if (isSet) {
            set.reset(CFSetCreateMutable(kCFAllocatorDefault, 0, &kCFTypeSetCallBacks));
        } else {
            array.reset(CFArrayCreateMutable(kCFAllocatorDefault, 0, &kCFTypeArrayCallBacks));
        }
        while (!tag.empty) {
            skipMisc();
            if (startsWith("</")) {
                auto close = readTag();
                if (!close) {
                    return std::unexpected(close.error());
                }
                if (close->name != tag.name) {
                    return fail("expected </" + tag.name + ">, found </" + close->name + ">");
                }
                break;
            }
            auto value = parseValue(depth + 1);
            if (!value) {
                return value;
            }
            if (isSet) {
                CFSetAddValue(set.get(), value->get());
            } else {
                CFArrayAppendValue(array.get(), value->get());
            }
        }
        return isSet ? Object(set.release()) : Object(array.release());
    }

    // <integer size="n">: decimal or 0x hex, optionally negative; kept to n bits and returned as
    // the signed CFNumber type of that width (SInt8/16/32/64), as IOKitUser does.
    Result<Object> parseInteger(const Tag& tag, const std::string& text)
    {
        unsigned bits = 64;
        if (const std::string* size = tag.attribute("size")) {
            auto [end, ec] = std::from_chars(size->data(), size->data() + size->size(), bits);
            if (size->empty() || ec != std::errc() || end != size->data() + size->size() || bits < 1 || bits > 64) {
                return fail("invalid integer size \"" + *size + "\"");
            }
        }
        std::string_view digits(text);
        while (!digits.empty() && std::strchr(" \t\r\n", digits.front())) {
            digits.remove_prefix(1);
        }
        while (!digits.empty() && std::strchr(" \t\r\n", digits.back())) {
            digits.remove_suffix(1);
        }
        const bool negative = digits.starts_with("-");
        if (negative) {
            digits.remove_prefix(1);
        }
        int base = 10;
        if (digits.starts_with("0x") || digits.starts_with("0X")) {
            base = 16;
            digits.remove_prefix(2);
        }
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
            return fail("invalid integer \"" + text + "\"");
        }
        if (negative) {
            value = 0 - value; // two's complement, as the kernel's OSNumber stores it
        }
        if (bits <= 8) {
            const auto narrow = static_cast<SInt8>(value);
            return Object(CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt8Type, &narrow));
        }
        if (bits <= 16) {
            const auto narrow = static_cast<SInt16>(value);
            return Object(CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt16Type, &narrow));
        }
        if (bits <= 32) {
            const auto narrow = static_cast<SInt32>(value);
            return Object(CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt32Type, &narrow));
        }
        const auto wide = static_cast<SInt64>(value);
        return Object(CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &wide));
    }

    std::string_view input_;
    size_t pos_ = 0;
    int line_ = 1;
    std::map<unsigned, Object> ids_;
};

void reportError(CFStringRef* errorString, const std::string& problem, int line)
{
    if (!errorString) {
        return;
    }
    char text[600];
    std::snprintf(text, sizeof text, "IOCFUnserialize: %s near line %d", problem.c_str(), line);
    *errorString = cf::makeString(cf::isValidUTF8(text) ? text : "IOCFUnserialize: syntax error");
}

} // namespace

CFTypeRef IOCFUnserializeWithSize(const char* buffer, size_t bufferSize, CFAllocatorRef, CFOptionFlags options,
                                  CFStringRef* errorString)
{
    if (errorString) {
        *errorString = nullptr;
    }
    if (!buffer) {
        reportError(errorString, "no input (buffer is NULL)", 0);
        return nullptr;
    }
    if (options) {
        reportError(errorString, "unknown option bits", 0);
        return nullptr;
    }
    std::string_view input(buffer, bufferSize);
    if (!input.empty() && input.back() == '\0') {
        input.remove_suffix(1);
    }
    if (input.find('\0') != std::string_view::npos) {
        reportError(errorString, "NUL byte inside the input", 0);
        return nullptr;
    }
    KernelXMLReader reader(input);
    auto result = reader.parseDocument();
    if (!result) {
        reportError(errorString, result.error(), reader.line());
        return nullptr;
    }
    return result->release();
}

CFTypeRef IOCFUnserialize(const char* buffer, CFAllocatorRef allocator, CFOptionFlags options, CFStringRef* errorString)
{
    return IOCFUnserializeWithSize(buffer, buffer ? std::strlen(buffer) : 0, allocator, options, errorString);
}
