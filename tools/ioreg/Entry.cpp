#include "Entry.h"

#include <IOKit/IOKitLibPrivate.h>

#include <fmt/format.h>

namespace openiokit::tools::ioreg {

namespace {

// xnu's IOService::getState() bits; user space has no header for them (ioreg.c defines them too).
constexpr uint64_t kIOServiceInactiveState = 0x1;
constexpr uint64_t kIOServiceRegisteredState = 0x2;
constexpr uint64_t kIOServiceMatchedState = 0x4;

std::optional<ServiceState> readServiceState(io_registry_entry_t object)
{
    if (!IOObjectConformsTo(object, "IOService")) {
        return std::nullopt;
    }
    ServiceState s;
    if (IOServiceGetBusyStateAndTime(object, &s.state, &s.busy, &s.busyTimeNs) != KERN_SUCCESS) {
        // As ioreg's archive path does: say so and show zeros (the service may just have gone).
        fmt::print(stderr, "ioreg: error: can't obtain state.\n");
        s = ServiceState{};
    }
    return s;
}

}  // namespace

bool ServiceState::registered() const { return (state & kIOServiceRegisteredState) != 0; }
bool ServiceState::matched() const { return (state & kIOServiceMatchedState) != 0; }
bool ServiceState::inactive() const { return (state & kIOServiceInactiveState) != 0; }

Entry Entry::read(io_registry_entry_t object, const Options& options, bool withProperties)
{
    Entry e;
    io_name_t buffer{};
    if (IORegistryEntryGetNameInPlane(object, options.plane.c_str(), buffer) == KERN_SUCCESS) {
        e.name = buffer;
    }
    io_name_t location{};
    if (IORegistryEntryGetLocationInPlane(object, options.plane.c_str(), location) == KERN_SUCCESS) {
        e.location = location;
    }
    io_name_t className{};
    if (IOObjectGetClass(object, className) == KERN_SUCCESS) {
        e.className = className;
    }
    if (options.inheritance) {
        CFRef<CFStringRef> current = makeString(e.className);
        while (true) {
            CFRef<CFStringRef> super(IOObjectCopySuperclassForClass(current.get()));
            if (!super || CFStringGetLength(super.get()) == 0) {
                break;
            }
            e.superclasses.push_back(toString(super.get()));
            current = std::move(super);
        }
    }
    IORegistryEntryGetRegistryEntryID(object, &e.id);
    e.service = readServiceState(object);
    e.retainCount = IOObjectGetKernelRetainCount(object);
    if (withProperties) {
        CFMutableDictionaryRef properties = nullptr;
        if (IORegistryEntryCreateCFProperties(object, &properties, kCFAllocatorDefault, 0) == KERN_SUCCESS) {
            e.properties.reset(properties);
        }
    }
    return e;
}

bool matchesFilter(io_registry_entry_t object, const Options& options)
{
    if (!options.className.empty() && !IOObjectConformsTo(object, options.className.c_str())) {
        return false;
    }
    if (!options.name.empty()) {
        io_name_t name{};
        io_name_t location{};
        IORegistryEntryGetNameInPlane(object, options.plane.c_str(), name);
        const bool hasLocation =
            IORegistryEntryGetLocationInPlane(object, options.plane.c_str(), location) == KERN_SUCCESS;
        const std::string full = hasLocation ? std::string(name) + "@" + location : std::string(name);
        if (options.name != name && options.name != full) {
            return false;
        }
    }
    if (!options.key.empty()) {
        CFRef<CFStringRef> key = makeString(options.key);
        CFRef<CFTypeRef> value(IORegistryEntryCreateCFProperty(object, key.get(), kCFAllocatorDefault, 0));
        if (!value) {
            return false;
        }
    }
    return true;
}

}  // namespace openiokit::tools::ioreg
