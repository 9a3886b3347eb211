// The mappings one user client keeps for its tasks (UserClientMemory.cpp), part of the
// client's ServiceExtras.
#pragma once

#include <IOKit/IOMemoryDescriptor.h>
#include <libkern/c++/OSSharedPtr.h>
#include <openiokit/Task.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace openiokit {

struct ClientMappingEntry {
    RefPtr<task> owner;
    uint32_t type = 0;
    uint64_t token = 0;
    OSSharedPtr<IOMemoryMap> map;
};

// Registered in a global list while it exists, so that a task's death can find its mappings.
class ClientMappings {
public:
    ClientMappings();
    ~ClientMappings();
    ClientMappings(const ClientMappings&) = delete;
    ClientMappings& operator=(const ClientMappings&) = delete;

    std::mutex lock;
    std::vector<ClientMappingEntry> entries;  // guarded by lock
};

}  // namespace openiokit
