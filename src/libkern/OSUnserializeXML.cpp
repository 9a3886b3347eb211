// OSUnserializeXML: a bounded recursive-descent reader for the XML that OSSerialize writes and
// for plist XML (Info.plist, IOKitPersonalities). The format is xnu's dialect — ID/IDREF
// attributes, <integer size="n">, <set> — so a generic plist library does not fit.
//
// Hostile input is expected (it crosses the user/kernel boundary): every length is checked
// before use, nesting is bounded, numbers are range-checked, and on any error everything built
// so far is released and the caller gets NULL plus a sentence naming the problem and its line.
#include <libkern/c++/OSUnserialize.h>

#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSSharedPtr.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Limits (docs/differences.md): deeper nesting than any real plist, far below stack trouble.
constexpr int kMaxNesting = 128;
constexpr size_t kMaxInputBytes = 64u << 20;
constexpr size_t kMaxObjects = 1u << 20;

using Object = OSSharedPtr<OSObject>;
using Error = std::string;
template <typename T>
using Result = std::expected<T, Error>;

struct Tag {
    std::string name;
    std::map<std::string, std::string, std::less<>> attributes;
    bool closing = false;  // </name>
    bool empty = false;    // <name/>
};

class XMLReader {
public:
    explicit XMLReader(std::string_view input) : input_(input) {}

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
    std::unexpected<Error> fail(std::string_view problem) const
    {
        return std::unexpected(std::string(problem));
    }

    bool atEnd() const { return pos_ >= input_.size(); }

    void advance(size_t count)
    {
        for (size_t i = 0; i < count && pos_ < input_.size(); ++i) {
            if (input_[pos_++] == '\n') {
                ++line_;
            }
        }
    }

    bool startsWith(std::string_view prefix) const { return input_.substr(pos_).starts_with(prefix); }

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
            size_t end = input_.find(close, pos_ + 2);
            advance(end == std::string_view::npos ? input_.size() - pos_ : end + close.size() - pos_);
        }
    }

    bool lookingAtTag(std::string_view name) const
    {
        if (!startsWith("<")) {
            return false;
        }
        std::string_view rest = input_.substr(pos_ + 1);
        return rest.starts_with(name) && rest.size() > name.size() &&
               std::strchr(" \t\r\n/>", rest[name.size()]) != nullptr;
    }

    static bool isNameChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.' || c == ':';
    }

    std::string_view readName()
    {
        size_t start = pos_;
        while (!atEnd() && isNameChar(input_[pos_])) {
            advance(1);
        }
        return input_.substr(start, pos_ - start);
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
            if (startsWith("/>") && !tag.closing) {
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
            std::string attribute(readName());
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
                return fail("attribute " + attribute + " value is not quoted");
            }
            const char quote = input_[pos_];
            size_t end = input_.find(quote, pos_ + 1);
            if (end == std::string_view::npos) {
                return fail("unterminated attribute value");
            }
            std::string value(input_.substr(pos_ + 1, end - pos_ - 1));
            advance(end + 1 - pos_);
            tag.attributes.insert_or_assign(std::move(attribute), std::move(value));
        }
    }

    // Character data up to the closing tag </name>, with entities decoded.
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
                text.push_back(c);
                advance(1);
                continue;
            }
            size_t semicolon = input_.find(';', pos_);
            if (semicolon == std::string_view::npos || semicolon - pos_ > 10) {
                return fail("malformed entity in <" + name + ">");
            }
            std::string_view entity = input_.substr(pos_ + 1, semicolon - pos_ - 1);
            if (entity == "lt") {
                text.push_back('<');
            } else if (entity == "gt") {
                text.push_back('>');
            } else if (entity == "amp") {
                text.push_back('&');
            } else if (entity == "quot") {
                text.push_back('"');
            } else if (entity == "apos") {
                text.push_back('\'');
            } else if (entity.starts_with("#")) {
                unsigned value = 0;
                const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
                std::string_view digits = entity.substr(hex ? 2 : 1);
                auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
                if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 0x7f) {
                    return fail("unsupported character reference &" + std::string(entity) + ";");
                }
                text.push_back(static_cast<char>(value));
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
        if (++objectCount_ > kMaxObjects) {
            return fail("more than " + std::to_string(kMaxObjects) + " objects");
        }
        skipMisc();
        auto tag = readTag();
        if (!tag) {
            return std::unexpected(tag.error());
        }
        if (tag->closing) {
            return fail("unexpected </" + tag->name + ">");
        }
        if (auto ref = tag->attributes.find("IDREF"); ref != tag->attributes.end()) {
            return resolveReference(*tag, ref->second);
        }
        auto object = parseElement(*tag, depth);
        if (!object) {
            return object;
        }
        if (auto id = tag->attributes.find("ID"); id != tag->attributes.end()) {
            // Registered only once complete, so a reference can never point at an enclosing
            // container: the result is always acyclic.
            unsigned int number = 0;
            auto [end, ec] = std::from_chars(id->second.data(), id->second.data() + id->second.size(), number);
            if (ec != std::errc() || end != id->second.data() + id->second.size()) {
                return fail("invalid ID \"" + id->second + "\"");
            }
            ids_.insert_or_assign(number, *object);
        }
        return object;
    }

    Result<Object> resolveReference(const Tag& tag, const std::string& value)
    {
        if (!tag.empty) {
            return fail("a reference (IDREF) must be an empty element");
        }
        unsigned int number = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
        auto found = ids_.find(number);
        if (ec != std::errc() || end != value.data() + value.size() || found == ids_.end()) {
            return fail("IDREF \"" + value + "\" names no earlier object");
        }
        return found->second;
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
            return Object(name == "true" ? kOSBooleanTrue : kOSBooleanFalse, OSRetain);
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
            return made(OSString::withCString(text.c_str()), "string");
        }
        if (name == "integer") {
            return parseInteger(tag, text);
        }
        if (name == "data") {
            return parseData(text);
        }
        if (name == "key") {
            return fail("<key> outside a <dict>");
        }
        return fail("unknown tag <" + name + ">");
    }

    Result<Object> made(OSObject* object, std::string_view what) const
    {
        if (!object) {
            return fail("out of memory creating a " + std::string(what));
        }
        return Object(object, OSNoRetain);
    }

    Result<Object> parseDictionary(const Tag& tag, int depth)
    {
        OSSharedPtr<OSDictionary> dictionary(OSDictionary::withCapacity(4), OSNoRetain);
        if (!dictionary) {
            return fail("out of memory creating a dict");
        }
        if (tag.empty) {
            return Object(dictionary.detach(), OSNoRetain);
        }
        for (;;) {
            skipMisc();
            auto keyTag = readTag();
            if (!keyTag) {
                return std::unexpected(keyTag.error());
            }
            if (keyTag->closing) {
                if (keyTag->name != "dict") {
                    return fail("expected </dict>, found </" + keyTag->name + ">");
                }
                return Object(dictionary.detach(), OSNoRetain);
            }
            if (keyTag->name != "key") {
                return fail("expected <key> in <dict>, found <" + keyTag->name + ">");
            }
            std::string key;
            if (!keyTag->empty) {
                auto read = readText("key");
                if (!read) {
                    return std::unexpected(read.error());
                }
                key = std::move(*read);
            }
            skipMisc();
            if (startsWith("</")) {
                return fail("key \"" + key + "\" has no value");
            }
            auto value = parseValue(depth + 1);
            if (!value) {
                return value;
            }
            if (!dictionary->setObject(key.c_str(), value->get())) {
                return fail("could not store key \"" + key + "\"");
            }
        }
    }

    Result<Object> parseList(const Tag& tag, int depth)
    {
        const bool isSet = tag.name == "set";
        OSSharedPtr<OSArray> array;
        OSSharedPtr<OSSet> set;
        if (isSet) {
            set = OSSharedPtr<OSSet>(OSSet::withCapacity(4), OSNoRetain);
        } else {
            array = OSSharedPtr<OSArray>(OSArray::withCapacity(4), OSNoRetain);
        }
        if (!array && !set) {
            return fail("out of memory creating an " + tag.name);
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
            if (isSet ? !set->setObject(value->get()) && !set->containsObject(value->get())
                      : !array->setObject(value->get())) {
                return fail("could not store an element of <" + tag.name + ">");
            }
        }
        return isSet ? Object(set.detach(), OSNoRetain) : Object(array.detach(), OSNoRetain);
    }

    Result<Object> parseInteger(const Tag& tag, const std::string& text)
    {
        unsigned int bits = 64;
        if (auto size = tag.attributes.find("size"); size != tag.attributes.end()) {
            auto [end, ec] = std::from_chars(size->second.data(), size->second.data() + size->second.size(), bits);
            if (ec != std::errc() || end != size->second.data() + size->second.size() || bits < 1 || bits > 64) {
                return fail("invalid integer size \"" + size->second + "\"");
            }
        }
        std::string_view digits(text);
        while (!digits.empty() && std::strchr(" \t\r\n", digits.front())) {
            digits.remove_prefix(1);
        }
        while (!digits.empty() && std::strchr(" \t\r\n", digits.back())) {
            digits.remove_suffix(1);
        }
        bool negative = false;
        if (digits.starts_with("-")) {
            negative = true;
            digits.remove_prefix(1);
        }
        int base = 10;
        if (digits.starts_with("0x") || digits.starts_with("0X")) {
            base = 16;
            digits.remove_prefix(2);
        }
        unsigned long long value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
            return fail("invalid integer \"" + text + "\"");
        }
        if (negative) {
            value = 0 - value;  // two's complement, as OSNumber stores signed values
        }
        return made(OSNumber::withNumber(value, bits), "integer");
    }

    Result<Object> parseData(const std::string& text)
    {
        std::vector<unsigned char> bytes;
        bytes.reserve(text.size() * 3 / 4);
        unsigned int accumulator = 0;
        int bitCount = 0;
        bool padding = false;
        for (char c : text) {
            int value;
            if (c >= 'A' && c <= 'Z') {
                value = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                value = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                value = c - '0' + 52;
            } else if (c == '+') {
                value = 62;
            } else if (c == '/') {
                value = 63;
            } else if (c == '=') {
                padding = true;
                continue;
            } else if (std::strchr(" \t\r\n", c)) {
                continue;
            } else {
                return fail("invalid base64 character in <data>");
            }
            if (padding) {
                return fail("base64 data continues after '=' padding");
            }
            accumulator = (accumulator << 6) | static_cast<unsigned int>(value);
            bitCount += 6;
            if (bitCount >= 8) {
                bitCount -= 8;
                bytes.push_back(static_cast<unsigned char>(accumulator >> bitCount));
            }
        }
        return made(OSData::withBytes(bytes.data(), static_cast<unsigned int>(bytes.size())), "data");
    }

    std::string_view input_;
    size_t pos_ = 0;
    int line_ = 1;
    size_t objectCount_ = 0;
    std::map<unsigned int, Object> ids_;
};

void reportError(OSString** errorString, const std::string& problem, int line)
{
    if (!errorString) {
        return;
    }
    char text[512];
    std::snprintf(text, sizeof text, "OSUnserializeXML: %s near line %d", problem.c_str(), line);
    *errorString = OSString::withCString(text);
}

}  // namespace

OSObject* OSUnserializeXML(const char* buffer, size_t bufferSize, OSString** errorString)
{
    if (errorString) {
        *errorString = nullptr;
    }
    if (!buffer) {
        reportError(errorString, "no input", 0);
        return nullptr;
    }
    std::string_view input(buffer, bufferSize);
    if (!input.empty() && input.back() == '\0') {
        input.remove_suffix(1);
    }
    if (input.size() > kMaxInputBytes) {
        reportError(errorString, "input larger than " + std::to_string(kMaxInputBytes) + " bytes", 0);
        return nullptr;
    }
    if (input.find('\0') != std::string_view::npos) {
        reportError(errorString, "NUL byte inside the input", 0);
        return nullptr;
    }
    XMLReader reader(input);
    auto result = reader.parseDocument();
    if (!result) {
        reportError(errorString, result.error(), reader.line());
        return nullptr;
    }
    return result->detach();
}

OSObject* OSUnserializeXML(const char* buffer, OSString** errorString)
{
    return OSUnserializeXML(buffer, buffer ? std::strlen(buffer) : 0, errorString);
}

OSObject* OSUnserialize(const char* buffer, OSString** errorString)
{
    if (errorString) {
        *errorString = OSString::withCString(
            "OSUnserialize: the old text format is not supported; use OSUnserializeXML");
    }
    return nullptr;
}
