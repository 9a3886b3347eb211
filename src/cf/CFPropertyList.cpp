// CFPropertyList: validity, deep copies, and reading/writing XML and binary property lists
// (XML written by our own macOS-identical writer, binary and all reading through libplist).
#include <CoreFoundation/CFPropertyList.h>

#include <CoreFoundation/CoreFoundation.h>

#include <string>
#include <unordered_set>
#include <vector>

#include "CFErrorInternal.h"
#include "CFOwned.h"
#include "CFPropertyListInternal.h"
#include "CFRuntime.h"
#include "CFStringInternal.h"

namespace cf::plist {

namespace {

constexpr int kMaxNesting = 512;

std::string invalidReasonAt(CFTypeRef object, int depth, std::unordered_set<CFTypeRef>& open)
{
    if (!object) {
        return "a container holds NULL";
    }
    if (depth > kMaxNesting) {
        return "the property list is nested too deeply";
    }
    const CFTypeID type = CFGetTypeID(object);
    if (type == CFStringGetTypeID() || type == CFDataGetTypeID() || type == CFNumberGetTypeID() ||
        type == CFBooleanGetTypeID() || type == CFDateGetTypeID()) {
        return {};
    }
    if (type != CFArrayGetTypeID() && type != CFDictionaryGetTypeID()) {
        const char* name = cf::typeName(type);
        return std::string("a ") + (name ? name : "non-CF object") + " is not a property-list type";
    }
    if (!open.insert(object).second) {
        return "a container contains itself";
    }
    std::vector<const void*> keys, values;
    if (type == CFArrayGetTypeID()) {
        auto array = static_cast<CFArrayRef>(object);
        values.resize(static_cast<size_t>(CFArrayGetCount(array)));
        CFArrayGetValues(array, CFRangeMake(0, CFArrayGetCount(array)), values.data());
    } else {
        auto dictionary = static_cast<CFDictionaryRef>(object);
        keys.resize(static_cast<size_t>(CFDictionaryGetCount(dictionary)));
        values.resize(keys.size());
        CFDictionaryGetKeysAndValues(dictionary, keys.data(), values.data());
    }
    for (const void* key : keys) {
        if (!key || CFGetTypeID(key) != CFStringGetTypeID()) {
            return "a dictionary key is not a CFString";
        }
    }
    for (const void* value : values) {
        if (auto why = invalidReasonAt(value, depth + 1, open); !why.empty()) {
            return why;
        }
    }
    open.erase(object);
    return {};
}

CFTypeRef copyAt(CFTypeRef object, CFOptionFlags options)
{
    const bool mutableContainers = options & (kCFPropertyListMutableContainers | kCFPropertyListMutableContainersAndLeaves);
    const bool mutableLeaves = options & kCFPropertyListMutableContainersAndLeaves;
    const CFTypeID type = CFGetTypeID(object);
    if (type == CFArrayGetTypeID()) {
        auto array = static_cast<CFArrayRef>(object);
        cf::Owned<CFMutableArrayRef> copy(CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks));
        for (CFIndex i = 0; i < CFArrayGetCount(array); i++) {
            cf::Owned<CFTypeRef> value(copyAt(CFArrayGetValueAtIndex(array, i), options));
            CFArrayAppendValue(copy.get(), value.get());
        }
        return mutableContainers ? copy.release() : CFArrayCreateCopy(nullptr, copy.get());
    }
    if (type == CFDictionaryGetTypeID()) {
        auto dictionary = static_cast<CFDictionaryRef>(object);
        const auto count = static_cast<size_t>(CFDictionaryGetCount(dictionary));
        std::vector<const void*> keys(count), values(count);
        CFDictionaryGetKeysAndValues(dictionary, keys.data(), values.data());
        cf::Owned<CFMutableDictionaryRef> copy(
            CFDictionaryCreateMutable(nullptr, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
        for (size_t i = 0; i < count; i++) {
            // Keys are always immutable copies, as CF makes them.
            cf::Owned<CFStringRef> key(CFStringCreateCopy(nullptr, static_cast<CFStringRef>(keys[i])));
            cf::Owned<CFTypeRef> value(copyAt(values[i], options));
            CFDictionarySetValue(copy.get(), key.get(), value.get());
        }
        return mutableContainers ? copy.release() : CFDictionaryCreateCopy(nullptr, copy.get());
    }
    if (type == CFStringGetTypeID()) {
        auto string = static_cast<CFStringRef>(object);
        return mutableLeaves ? CFStringCreateMutableCopy(nullptr, 0, string) : CFStringCreateCopy(nullptr, string);
    }
    if (type == CFDataGetTypeID()) {
        auto data = static_cast<CFDataRef>(object);
        return mutableLeaves ? CFDataCreateMutableCopy(nullptr, 0, data) : CFDataCreateCopy(nullptr, data);
    }
    return CFRetain(object); // numbers, booleans and dates are immutable
}

} // namespace

std::string invalidReason(CFPropertyListRef plist)
{
    std::unordered_set<CFTypeRef> open;
    return invalidReasonAt(plist, 0, open);
}

CFPropertyListRef deepCopy(CFPropertyListRef plist, CFOptionFlags options)
{
    return copyAt(plist, options);
}

} // namespace cf::plist

namespace {

void setError(CFErrorRef* error, CFIndex code, const std::string& why)
{
    if (error) {
        *error = cf::makeError(kCFErrorDomainCocoa, code, why);
    }
}

} // namespace

Boolean CFPropertyListIsValid(CFPropertyListRef plist, CFPropertyListFormat format)
{
    if (format != kCFPropertyListXMLFormat_v1_0 && format != kCFPropertyListBinaryFormat_v1_0 &&
        format != kCFPropertyListOpenStepFormat) {
        return false;
    }
    return plist && cf::plist::invalidReason(plist).empty();
}

CFPropertyListRef CFPropertyListCreateDeepCopy(CFAllocatorRef, CFPropertyListRef propertyList, CFOptionFlags mutabilityOption)
{
    if (!propertyList) {
        cf::reportMisuse("CFPropertyListCreateDeepCopy", "propertyList is NULL");
        return nullptr;
    }
    if (auto why = cf::plist::invalidReason(propertyList); !why.empty()) {
        cf::reportMisuse("CFPropertyListCreateDeepCopy", why);
        return nullptr;
    }
    return cf::plist::deepCopy(propertyList, mutabilityOption);
}

CFPropertyListRef CFPropertyListCreateWithData(CFAllocatorRef, CFDataRef data, CFOptionFlags options,
                                               CFPropertyListFormat* format, CFErrorRef* error)
{
    if (error) {
        *error = nullptr;
    }
    if (!cf::checked<cf::Object>(data, cf::kTypeData, "CFPropertyListCreateWithData")) {
        setError(error, kCFPropertyListReadCorruptError, "no data to read (NULL or not a CFData)");
        return nullptr;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(CFDataGetBytePtr(data)),
                                 static_cast<size_t>(CFDataGetLength(data)));
    auto result = cf::plist::read(bytes, options, format);
    if (!result) {
        setError(error, kCFPropertyListReadCorruptError, result.error());
        return nullptr;
    }
    return *result;
}

CFDataRef CFPropertyListCreateData(CFAllocatorRef, CFPropertyListRef propertyList, CFPropertyListFormat format,
                                   CFOptionFlags, CFErrorRef* error)
{
    if (error) {
        *error = nullptr;
    }
    if (!propertyList) {
        setError(error, kCFPropertyListWriteStreamError, "the property list is NULL");
        return nullptr;
    }
    if (auto why = cf::plist::invalidReason(propertyList); !why.empty()) {
        setError(error, kCFPropertyListWriteStreamError, "not a valid property list: " + why);
        return nullptr;
    }
    std::string bytes;
    if (format == kCFPropertyListXMLFormat_v1_0) {
        bytes = cf::plist::writeXML(propertyList);
    } else if (format == kCFPropertyListBinaryFormat_v1_0) {
        auto written = cf::plist::writeBinary(propertyList);
        if (!written) {
            setError(error, kCFPropertyListWriteStreamError, written.error());
            return nullptr;
        }
        bytes = std::move(*written);
    } else {
        setError(error, kCFPropertyListWriteStreamError,
                 format == kCFPropertyListOpenStepFormat ? "writing the OpenStep format is not supported"
                                                          : "unknown property-list format");
        return nullptr;
    }
    return CFDataCreate(nullptr, reinterpret_cast<const UInt8*>(bytes.data()), static_cast<CFIndex>(bytes.size()));
}

CFPropertyListRef CFPropertyListCreateFromXMLData(CFAllocatorRef allocator, CFDataRef xmlData, CFOptionFlags mutabilityOption,
                                                  CFStringRef* errorString)
{
    if (errorString) {
        *errorString = nullptr;
    }
    CFErrorRef error = nullptr;
    CFPropertyListRef plist = CFPropertyListCreateWithData(allocator, xmlData, mutabilityOption, nullptr, &error);
    if (!plist && error) {
        if (errorString) {
            *errorString = CFErrorCopyDescription(error);
        }
        CFRelease(error);
    }
    return plist;
}

CFDataRef CFPropertyListCreateXMLData(CFAllocatorRef allocator, CFPropertyListRef propertyList)
{
    CFErrorRef error = nullptr;
    CFDataRef data = CFPropertyListCreateData(allocator, propertyList, kCFPropertyListXMLFormat_v1_0, 0, &error);
    if (error) {
        cf::reportMisuse("CFPropertyListCreateXMLData", cf::describe(error));
        CFRelease(error);
    }
    return data;
}
