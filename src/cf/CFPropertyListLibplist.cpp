// The bridge between CF objects and libplist's plist_t trees: reading XML and binary property
// lists, and writing binary ones.
#include <CoreFoundation/CoreFoundation.h>

#include <plist/plist.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include "CFOwned.h"
#include "CFPropertyListInternal.h"
#include "CFStringInternal.h"

namespace cf::plist {

namespace {

constexpr int kMaxNesting = 512;

struct PlistFree {
    void operator()(plist_t node) const { plist_free(node); }
};
using Node = std::unique_ptr<void, PlistFree>;

// libplist -> CF, honouring the mutability options. NULL for a node type CF lacks (UID) or a
// string that is not UTF-8.
CFTypeRef toCF(plist_t node, CFOptionFlags options, int depth, std::string& why)
{
    if (depth > kMaxNesting) {
        why = "the property list is nested too deeply";
        return nullptr;
    }
    const bool mutableContainers = options & (kCFPropertyListMutableContainers | kCFPropertyListMutableContainersAndLeaves);
    const bool mutableLeaves = options & kCFPropertyListMutableContainersAndLeaves;
    switch (plist_get_node_type(node)) {
    case PLIST_DICT: {
        cf::Owned<CFMutableDictionaryRef> dictionary(
            CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
        plist_dict_iter iterator = nullptr;
        plist_dict_new_iter(node, &iterator);
        for (;;) {
            char* key = nullptr;
            plist_t value = nullptr;
            plist_dict_next_item(node, iterator, &key, &value);
            if (!key) {
                break;
            }
            std::unique_ptr<char, decltype(&std::free)> ownedKey(key, &std::free);
            if (!cf::isValidUTF8(key)) {
                std::free(iterator);
                why = "a dictionary key is not valid UTF-8";
                return nullptr;
            }
            cf::Owned<CFStringRef> cfKey(cf::makeString(key));
            cf::Owned<CFTypeRef> cfValue(toCF(value, options, depth + 1, why));
            if (!cfValue) {
                std::free(iterator);
                return nullptr;
            }
            CFDictionarySetValue(dictionary.get(), cfKey.get(), cfValue.get());
        }
        std::free(iterator);
        return mutableContainers ? dictionary.release() : CFDictionaryCreateCopy(nullptr, dictionary.get());
    }
    case PLIST_ARRAY: {
        cf::Owned<CFMutableArrayRef> array(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
        for (uint32_t i = 0; i < plist_array_get_size(node); i++) {
            cf::Owned<CFTypeRef> value(toCF(plist_array_get_item(node, i), options, depth + 1, why));
            if (!value) {
                return nullptr;
            }
            CFArrayAppendValue(array.get(), value.get());
        }
        return mutableContainers ? array.release() : CFArrayCreateCopy(nullptr, array.get());
    }
    case PLIST_STRING:
    case PLIST_KEY: {
        char* text = nullptr;
        plist_get_string_val(node, &text);
        std::unique_ptr<char, decltype(&std::free)> owned(text, &std::free);
        if (!text || !cf::isValidUTF8(text)) {
            why = "a string is not valid UTF-8";
            return nullptr;
        }
        cf::Owned<CFStringRef> string(cf::makeString(text));
        return mutableLeaves ? CFStringCreateMutableCopy(nullptr, 0, string.get()) : string.release();
    }
    case PLIST_BOOLEAN: {
        uint8_t value = 0;
        plist_get_bool_val(node, &value);
        return CFRetain(value ? kCFBooleanTrue : kCFBooleanFalse);
    }
    case PLIST_UINT: {
        // libplist 2.2 keeps every integer as 64 bits; negative ones are two's complement.
        uint64_t value = 0;
        plist_get_uint_val(node, &value);
        const auto signedValue = static_cast<SInt64>(value);
        return CFNumberCreate(nullptr, kCFNumberSInt64Type, &signedValue);
    }
    case PLIST_REAL: {
        double value = 0;
        plist_get_real_val(node, &value);
        return CFNumberCreate(nullptr, kCFNumberFloat64Type, &value);
    }
    case PLIST_DATE: {
        int32_t seconds = 0, microseconds = 0;
        plist_get_date_val(node, &seconds, &microseconds);
        return CFDateCreate(nullptr, double(seconds) + double(microseconds) / 1e6);
    }
    case PLIST_DATA: {
        char* bytes = nullptr;
        uint64_t length = 0;
        plist_get_data_val(node, &bytes, &length);
        std::unique_ptr<char, decltype(&std::free)> owned(bytes, &std::free);
        auto* start = reinterpret_cast<const UInt8*>(bytes);
        return mutableLeaves ? [&] {
            CFMutableDataRef data = CFDataCreateMutable(nullptr, 0);
            CFDataAppendBytes(data, start, static_cast<CFIndex>(length));
            return static_cast<CFTypeRef>(data);
        }()
                             : CFDataCreate(nullptr, start, static_cast<CFIndex>(length));
    }
    default: why = "the property list holds a type CoreFoundation does not have (a keyed-archiver UID)"; return nullptr;
    }
}

// CF -> libplist for a valid property list.
plist_t toPlist(CFTypeRef object)
{
    const CFTypeID type = CFGetTypeID(object);
    if (type == CFDictionaryGetTypeID()) {
        auto dictionary = static_cast<CFDictionaryRef>(object);
        const auto count = static_cast<size_t>(CFDictionaryGetCount(dictionary));
        std::vector<const void*> keys(count), values(count);
        CFDictionaryGetKeysAndValues(dictionary, keys.data(), values.data());
        plist_t node = plist_new_dict();
        for (size_t i = 0; i < count; i++) {
            const std::string key(cf::text(static_cast<CFStringRef>(keys[i]), "CFPropertyListCreateData"));
            plist_dict_set_item(node, key.c_str(), toPlist(values[i]));
        }
        return node;
    }
    if (type == CFArrayGetTypeID()) {
        plist_t node = plist_new_array();
        for (CFIndex i = 0; i < CFArrayGetCount(static_cast<CFArrayRef>(object)); i++) {
            plist_array_append_item(node, toPlist(CFArrayGetValueAtIndex(static_cast<CFArrayRef>(object), i)));
        }
        return node;
    }
    if (type == CFStringGetTypeID()) {
        return plist_new_string(std::string(cf::text(static_cast<CFStringRef>(object), "CFPropertyListCreateData")).c_str());
    }
    if (type == CFBooleanGetTypeID()) {
        return plist_new_bool(CFBooleanGetValue(static_cast<CFBooleanRef>(object)));
    }
    if (type == CFNumberGetTypeID()) {
        auto number = static_cast<CFNumberRef>(object);
        if (CFNumberIsFloatType(number)) {
            double value = 0;
            CFNumberGetValue(number, kCFNumberFloat64Type, &value);
            return plist_new_real(value);
        }
        SInt64 value = 0;
        CFNumberGetValue(number, kCFNumberSInt64Type, &value);
        return plist_new_uint(static_cast<uint64_t>(value));
    }
    if (type == CFDateGetTypeID()) {
        const double at = CFDateGetAbsoluteTime(static_cast<CFDateRef>(object));
        const double seconds = std::floor(at);
        return plist_new_date(static_cast<int32_t>(seconds), static_cast<int32_t>(std::lround((at - seconds) * 1e6)));
    }
    auto data = static_cast<CFDataRef>(object);
    return plist_new_data(reinterpret_cast<const char*>(CFDataGetBytePtr(data)), static_cast<uint64_t>(CFDataGetLength(data)));
}

} // namespace

std::expected<std::string, std::string> writeBinary(CFPropertyListRef plist)
{
    Node root(toPlist(plist));
    char* bytes = nullptr;
    uint32_t length = 0;
    plist_to_bin(root.get(), &bytes, &length);
    if (!bytes) {
        return std::unexpected("libplist could not write the binary property list");
    }
    std::string out(bytes, length);
    plist_to_bin_free(bytes);
    return out;
}

std::expected<CFPropertyListRef, std::string> read(std::string_view bytes, CFOptionFlags options,
                                                   CFPropertyListFormat* format)
{
    if (bytes.empty()) {
        return std::unexpected("the data is empty");
    }
    if (bytes.size() > UINT32_MAX) {
        return std::unexpected("the data is larger than 4 GB");
    }
    const bool binary = bytes.starts_with("bplist00");
    plist_t parsed = nullptr;
    if (binary) {
        plist_from_bin(bytes.data(), static_cast<uint32_t>(bytes.size()), &parsed);
    } else {
        plist_from_xml(bytes.data(), static_cast<uint32_t>(bytes.size()), &parsed);
    }
    Node root(parsed);
    if (!root) {
        return std::unexpected(binary ? "the data is not a valid binary property list"
                                      : "the data is not a valid XML property list");
    }
    std::string why;
    CFTypeRef object = toCF(root.get(), options, 0, why);
    if (!object) {
        return std::unexpected(why);
    }
    if (format) {
        *format = binary ? kCFPropertyListBinaryFormat_v1_0 : kCFPropertyListXMLFormat_v1_0;
    }
    return object;
}

} // namespace cf::plist
