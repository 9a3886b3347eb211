// IOCFSerialize: CF objects to the kernel's XML dialect, the text OSUnserializeXML reads.
//
// Like IOKitUser, this makes two passes: the first counts how often each object (by identity)
// occurs as a value, the second writes the text, giving an ID="n" attribute to the first
// occurrence of every object seen more than once and writing later ones as <tag IDREF="n"/>.
// Dictionary keys are plain <key> text and never shared; booleans are never shared.
#include <IOKit/IOCFSerialize.h>

#include <cinttypes>
#include <cstdio>
#include <expected>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "CFRuntime.h"
#include "CFStringInternal.h"
#include "CFXMLText.h"

namespace {

// Far deeper than any matching dictionary; stops runaway recursion on absurd input.
constexpr int kMaxDepth = 256;

using Failure = std::string;

const char* tagName(CFTypeID type)
{
    if (type == CFDictionaryGetTypeID()) {
        return "dict";
    }
    if (type == CFArrayGetTypeID()) {
        return "array";
    }
    if (type == CFSetGetTypeID()) {
        return "set";
    }
    if (type == CFStringGetTypeID()) {
        return "string";
    }
    if (type == CFNumberGetTypeID()) {
        return "integer";
    }
    if (type == CFDataGetTypeID()) {
        return "data";
    }
    return nullptr;
}

// The values directly inside a container (dictionary values, not keys), in iteration order.
std::vector<CFTypeRef> children(CFTypeRef object)
{
    const CFTypeID type = CFGetTypeID(object);
    std::vector<CFTypeRef> values;
    if (type == CFDictionaryGetTypeID()) {
        values.resize(static_cast<size_t>(CFDictionaryGetCount(static_cast<CFDictionaryRef>(object))));
        CFDictionaryGetKeysAndValues(static_cast<CFDictionaryRef>(object), nullptr, values.data());
    } else if (type == CFArrayGetTypeID()) {
        auto array = static_cast<CFArrayRef>(object);
        values.resize(static_cast<size_t>(CFArrayGetCount(array)));
        CFArrayGetValues(array, CFRangeMake(0, CFArrayGetCount(array)), values.data());
    } else if (type == CFSetGetTypeID()) {
        values.resize(static_cast<size_t>(CFSetGetCount(static_cast<CFSetRef>(object))));
        CFSetGetValues(static_cast<CFSetRef>(object), values.data());
    }
    return values;
}

class KernelXMLWriter {
public:
    std::expected<std::string, Failure> write(CFTypeRef root)
    {
        if (auto scanned = scan(root, 0); !scanned) {
            return std::unexpected(scanned.error());
        }
        if (auto written = writeValue(root); !written) {
            return std::unexpected(written.error());
        }
        return std::move(out_);
    }

private:
    // Pass 1: occurrence counts. A shared object's contents are counted once, because they are
    // written once; meeting an object that is still open means a cycle the kernel cannot read.
    std::expected<void, Failure> scan(CFTypeRef object, int depth)
    {
        if (!object) {
            return std::unexpected("a container holds a NULL value");
        }
        if (depth > kMaxDepth) {
            return std::unexpected("the object graph is nested deeper than " + std::to_string(kMaxDepth) + " levels");
        }
        const CFTypeID type = CFGetTypeID(object);
        if (type == CFBooleanGetTypeID()) {
            return {};
        }
        if (!tagName(type)) {
            const char* name = cf::typeName(type);
            return std::unexpected(std::string("a ") + (name ? name : "non-CF object") +
                                   " has no representation in the kernel's XML");
        }
        if (open_.contains(object)) {
            return std::unexpected(std::string("a ") + cf::typeName(type) + " contains itself");
        }
        if (++occurrences_[object] > 1) {
            return {};
        }
        if (type == CFDictionaryGetTypeID()) {
            std::vector<CFTypeRef> keys(static_cast<size_t>(CFDictionaryGetCount(static_cast<CFDictionaryRef>(object))));
            CFDictionaryGetKeysAndValues(static_cast<CFDictionaryRef>(object), keys.data(), nullptr);
            for (CFTypeRef key : keys) {
                if (!key || CFGetTypeID(key) != CFStringGetTypeID()) {
                    return std::unexpected("a dictionary has a key that is not a CFString");
                }
            }
        }
        open_.insert(object);
        for (CFTypeRef child : children(object)) {
            if (auto scanned = scan(child, depth + 1); !scanned) {
                return scanned;
            }
        }
        open_.erase(object);
        return {};
    }

    // Pass 2. Returns false when the object was already written (a reference went out instead).
    bool startTag(CFTypeRef object, const char* tag, const char* attributes = nullptr)
    {
        char text[96];
        if (auto id = ids_.find(object); id != ids_.end()) {
            std::snprintf(text, sizeof text, "<%s IDREF=\"%u\"/>", tag, id->second);
            out_ += text;
            return false;
        }
        std::string open = std::string("<") + tag;
        if (occurrences_[object] > 1) {
            const unsigned id = nextID_++;
            ids_.emplace(object, id);
            std::snprintf(text, sizeof text, " ID=\"%u\"", id);
            open += text;
        }
        if (attributes) {
            open += ' ';
            open += attributes;
        }
        out_ += open + '>';
        return true;
    }

    void endTag(const char* tag) { out_ += std::string("</") + tag + '>'; }

    std::expected<void, Failure> writeValue(CFTypeRef object)
    {
        const CFTypeID type = CFGetTypeID(object);
        if (type == CFBooleanGetTypeID()) {
            out_ += CFBooleanGetValue(static_cast<CFBooleanRef>(object)) ? "<true/>" : "<false/>";
            return {};
        }
        if (type == CFNumberGetTypeID()) {
            return writeNumber(static_cast<CFNumberRef>(object));
        }
        const char* tag = tagName(type);
        if (!startTag(object, tag)) {
            return {};
        }
        if (type == CFStringGetTypeID()) {
            cf::xml::appendEscaped(out_, cf::text(static_cast<CFStringRef>(object), "IOCFSerialize"));
        } else if (type == CFDataGetTypeID()) {
            auto data = static_cast<CFDataRef>(object);
            cf::xml::appendBase64(out_, {CFDataGetBytePtr(data), static_cast<size_t>(CFDataGetLength(data))});
        } else if (type == CFDictionaryGetTypeID()) {
            auto dictionary = static_cast<CFDictionaryRef>(object);
            const auto count = static_cast<size_t>(CFDictionaryGetCount(dictionary));
            std::vector<CFTypeRef> keys(count), values(count);
            CFDictionaryGetKeysAndValues(dictionary, keys.data(), values.data());
            for (size_t i = 0; i < count; i++) {
                out_ += "<key>";
                cf::xml::appendEscaped(out_, cf::text(static_cast<CFStringRef>(keys[i]), "IOCFSerialize"));
                out_ += "</key>";
                if (auto written = writeValue(values[i]); !written) {
                    return written;
                }
            }
        } else {
            for (CFTypeRef child : children(object)) {
                if (auto written = writeValue(child); !written) {
                    return written;
                }
            }
        }
        endTag(tag);
        return {};
    }

    // <integer size="n">0x...</integer>, n from the number's type as IOKitUser chooses it; the
    // value is written in hex, masked to n bits (the kernel's OSNumber keeps n bits).
    std::expected<void, Failure> writeNumber(CFNumberRef number)
    {
        SInt64 value = 0;
        if (!CFNumberGetValue(number, kCFNumberSInt64Type, &value)) {
            return std::unexpected("a CFNumber holds a value that is not a 64-bit integer");
        }
        unsigned bits = 64;
        switch (CFNumberGetType(number)) {
        case kCFNumberSInt8Type: bits = 8; break;
        case kCFNumberSInt16Type: bits = 16; break;
        case kCFNumberSInt32Type: bits = 32; break;
        default: bits = 64; break;
        }
        char size[24];
        std::snprintf(size, sizeof size, "size=\"%u\"", bits);
        if (!startTag(number, "integer", size)) {
            return {};
        }
        const uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
        char text[24];
        std::snprintf(text, sizeof text, "0x%" PRIx64, static_cast<uint64_t>(value) & mask);
        out_ += text;
        endTag("integer");
        return {};
    }

    std::string out_;
    std::unordered_map<CFTypeRef, unsigned> occurrences_;
    std::unordered_map<CFTypeRef, unsigned> ids_;
    std::unordered_set<CFTypeRef> open_;
    unsigned nextID_ = 0;
};

} // namespace

CFDataRef IOCFSerialize(CFTypeRef object, CFOptionFlags options)
{
    if (!object) {
        cf::reportMisuse("IOCFSerialize", "object is NULL");
        return nullptr;
    }
    if (options & kIOCFSerializeToBinary) {
        cf::reportMisuse("IOCFSerialize", "kIOCFSerializeToBinary is not supported; use the XML form (options 0)");
        return nullptr;
    }
    if (options) {
        cf::reportMisuse("IOCFSerialize", "unknown option bits");
        return nullptr;
    }
    auto text = KernelXMLWriter().write(object);
    if (!text) {
        cf::reportMisuse("IOCFSerialize", text.error());
        return nullptr;
    }
    // The NUL is part of the data, as IOKitUser sends it to the kernel.
    return CFDataCreate(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(text->c_str()),
                        static_cast<CFIndex>(text->size() + 1));
}
