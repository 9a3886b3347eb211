// SimBusConnection.h: simbusctl's connection to the IOSimBus user client (SimBusUserClient.h):
// one IOServiceOpen, the four selectors, and IOServiceClose on destruction.
#pragma once

#include "../common/IOObjectRef.h"

#include <IOKit/IOKitLib.h>

#include <expected>
#include <map>
#include <string>
#include <vector>

namespace openiokit::tools::simbus {

struct Device {
    std::string name;
    std::string location;
    uint64_t registryID = 0;
};

class SimBusConnection {
public:
    // The open connection, or the IOReturn: kIOReturnNotFound when no IOSimBus is registered.
    static std::expected<SimBusConnection, kern_return_t> open();
    SimBusConnection(SimBusConnection&& other) noexcept;
    SimBusConnection& operator=(SimBusConnection&&) = delete;
    ~SimBusConnection();

    // The nub's registry entry ID.
    std::expected<uint64_t, kern_return_t> plug(const std::string& name,
                                                const std::map<std::string, std::string>& properties);
    kern_return_t unplug(const std::string& name, bool asynchronous);
    kern_return_t trigger(const std::string& name, uint32_t source);
    std::expected<std::vector<Device>, kern_return_t> list();

private:
    explicit SimBusConnection(io_connect_t connect) : connect_(connect) {}
    io_connect_t connect_;
};

}  // namespace openiokit::tools::simbus
