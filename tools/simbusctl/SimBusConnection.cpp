#include "SimBusConnection.h"

#include "../common/CFRef.h"

#include <SimBusUserClient.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace openiokit::tools::simbus {

namespace {

// A KEY=VALUE value as the most natural property type: true/false -> boolean, a decimal or
// 0x number -> number, anything else -> string.
CFRef<CFTypeRef> propertyValue(const std::string& text)
{
    if (text == "true" || text == "yes") {
        return CFRef<CFTypeRef>(CFRetain(kCFBooleanTrue));
    }
    if (text == "false" || text == "no") {
        return CFRef<CFTypeRef>(CFRetain(kCFBooleanFalse));
    }
    if (!text.empty()) {
        char* end = nullptr;
        errno = 0;
        const long long number = std::strtoll(text.c_str(), &end, 0);
        if (errno == 0 && end && *end == '\0') {
            return CFRef<CFTypeRef>(CFNumberCreate(kCFAllocatorDefault, kCFNumberLongLongType, &number));
        }
    }
    return CFRef<CFTypeRef>(makeString(text).release());
}

CFRef<CFMutableDictionaryRef> newDictionary()
{
    return CFRef<CFMutableDictionaryRef>(CFDictionaryCreateMutable(
        kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
}

}  // namespace

std::expected<SimBusConnection, kern_return_t> SimBusConnection::open()
{
    IOObjectRef bus(IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(kIOSimBusClassName)));
    if (!bus) {
        uint32_t busy = 0;
        const kern_return_t reachable = IOKitGetBusyState(kIOMainPortDefault, &busy);
        return std::unexpected(reachable == KERN_SUCCESS ? kIOReturnNotFound : reachable);
    }
    io_connect_t connect = IO_OBJECT_NULL;
    const kern_return_t result = IOServiceOpen(bus.get(), mach_task_self(), kIOSimBusConnectType, &connect);
    if (result != KERN_SUCCESS) {
        return std::unexpected(result);
    }
    return SimBusConnection(connect);
}

SimBusConnection::SimBusConnection(SimBusConnection&& other) noexcept
    : connect_(std::exchange(other.connect_, IO_OBJECT_NULL))
{
}

SimBusConnection::~SimBusConnection()
{
    if (connect_ != IO_OBJECT_NULL) {
        IOServiceClose(connect_);
    }
}

std::expected<uint64_t, kern_return_t> SimBusConnection::plug(const std::string& name,
                                                               const std::map<std::string, std::string>& properties)
{
    CFRef<CFMutableDictionaryRef> description = newDictionary();
    CFRef<CFStringRef> nameKey = makeString(kIOSimDeviceNameKey);
    CFRef<CFStringRef> nameValue = makeString(name);
    CFDictionarySetValue(description.get(), nameKey.get(), nameValue.get());
    if (!properties.empty()) {
        CFRef<CFMutableDictionaryRef> table = newDictionary();
        for (const auto& [key, value] : properties) {
            CFRef<CFStringRef> k = makeString(key);
            CFRef<CFTypeRef> v = propertyValue(value);
            CFDictionarySetValue(table.get(), k.get(), v.get());
        }
        CFRef<CFStringRef> propertiesKey = makeString(kIOSimDevicePropertiesKey);
        CFDictionarySetValue(description.get(), propertiesKey.get(), table.get());
    }
    CFRef<CFDataRef> xml(
        CFPropertyListCreateData(kCFAllocatorDefault, description.get(), kCFPropertyListXMLFormat_v1_0, 0, nullptr));
    if (!xml || CFDataGetLength(xml.get()) > kIOSimBusMaxPlugDescriptionSize) {
        return std::unexpected(kIOReturnBadArgument);
    }
    const uint64_t options = kIOSimBusPlugOptionSynchronous;
    uint64_t id = 0;
    uint32_t outputCount = 1;
    const kern_return_t result =
        IOConnectCallMethod(connect_, kIOSimBusMethodPlug, &options, 1, CFDataGetBytePtr(xml.get()),
                            static_cast<size_t>(CFDataGetLength(xml.get())), &id, &outputCount, nullptr, nullptr);
    if (result != KERN_SUCCESS) {
        return std::unexpected(result);
    }
    return id;
}

kern_return_t SimBusConnection::unplug(const std::string& name, bool asynchronous)
{
    const uint64_t options = asynchronous ? kIOSimBusUnplugOptionAsynchronous : 0;
    // The name travels with its terminating NUL.
    return IOConnectCallMethod(connect_, kIOSimBusMethodUnplug, &options, 1, name.c_str(), name.size() + 1, nullptr,
                               nullptr, nullptr, nullptr);
}

kern_return_t SimBusConnection::trigger(const std::string& name, uint32_t source)
{
    const uint64_t input = source;
    return IOConnectCallMethod(connect_, kIOSimBusMethodTrigger, &input, 1, name.c_str(), name.size() + 1, nullptr,
                               nullptr, nullptr, nullptr);
}

std::expected<std::vector<Device>, kern_return_t> SimBusConnection::list()
{
    std::vector<Device> devices;
    std::vector<char> buffer(4096);  // io_struct_inband_t: the list comes in pages of whole entries
    for (uint64_t first = 0;;) {
        uint64_t counts[2] = {0, 0};
        uint32_t countCount = 2;
        size_t size = buffer.size();
        const kern_return_t result = IOConnectCallMethod(connect_, kIOSimBusMethodList, &first, 1, nullptr, 0, counts,
                                                         &countCount, buffer.data(), &size);
        if (result != KERN_SUCCESS) {
            return std::unexpected(result);
        }
        CFRef<CFDataRef> data(CFDataCreate(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(buffer.data()),
                                           static_cast<CFIndex>(size)));
        CFRef<CFPropertyListRef> parsed(
            CFPropertyListCreateWithData(kCFAllocatorDefault, data.get(), kCFPropertyListImmutable, nullptr, nullptr));
        CFArrayRef array = asArray(parsed.get());
        if (!array) {
            return std::unexpected(kIOReturnIPCError);
        }
        for (CFIndex i = 0; i < CFArrayGetCount(array); i++) {
            CFDictionaryRef d = asDictionary(CFArrayGetValueAtIndex(array, i));
            devices.push_back(Device{lookupString(d, kIOSimDeviceNameKey), lookupString(d, kIOSimDeviceLocationKey),
                                     static_cast<uint64_t>(lookupInteger(d, kIOSimDeviceRegistryIDKey))});
        }
        first += counts[1];
        if (counts[1] == 0 || first >= counts[0]) {
            return devices;
        }
    }
}

}  // namespace openiokit::tools::simbus
