// Entry.h: what ioreg shows of one registry entry, read through IOKitLib.
#pragma once

#include "../common/CFRef.h"
#include "Options.h"

#include <IOKit/IOKitLib.h>

#include <optional>
#include <string>
#include <vector>

namespace openiokit::tools::ioreg {

// IOService state as IOServiceGetBusyStateAndTime reports it (zeros when it failed).
struct ServiceState {
    uint64_t state = 0;       // IOService::getState() bits
    uint32_t busy = 0;        // busy count
    uint64_t busyTimeNs = 0;  // accumulated time busy

    bool registered() const;
    bool matched() const;
    bool inactive() const;
};

struct Entry {
    std::string name;                    // in the plane
    std::string location;                // in the plane; empty if none
    std::string className;
    std::vector<std::string> superclasses;  // nearest first (only with -i)
    uint64_t id = 0;
    std::optional<ServiceState> service;    // only for IOService subclasses
    uint32_t retainCount = 0;
    CFRef<CFMutableDictionaryRef> properties;  // only when they are shown

    static Entry read(io_registry_entry_t object, const Options& options, bool withProperties);
};

// Whether `object` passes the -c / -n / -k filters (true with none given).
bool matchesFilter(io_registry_entry_t object, const Options& options);

}  // namespace openiokit::tools::ioreg
