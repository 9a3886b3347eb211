// Memory shared with a client process: the kernel half of IOConnectMapMemory64 /
// IOConnectUnmapMemory64 (xnu is_io_connect_map_memory_into_task and
// is_io_connect_unmap_memory_from_task, IOUserClient::mapClientMemory64). OpenIOKit-internal:
// iokitd calls these; drivers never do.
//
// The kernel cannot write into another process's address space, so a mapping is handed over as
// a file descriptor: the daemon sends `fd` to the client (SCM_RIGHTS), which mmaps
// [offset, offset + length) MAP_SHARED — the same pages as the driver's getBytesNoCopy().
//
// Lifetime: the kernel keeps the IOMemoryMap per (client, task, type) — as xnu keeps the
// client's `mappings` — until unmapClientMemory, the task's death (releaseTaskMappings, or
// lazily once task::isDead()), or the user client's destruction.
#pragma once

#include <IOKit/IOUserClient.h>

#include <cstdint>
#include <expected>

namespace openiokit {

struct ClientMapping {
    int fd;  // an owned dup of the descriptor's memfd; the caller closes it
    uint64_t offset;
    uint64_t length;
    IOOptionBits options;  // the map options: the driver's, with the caller's kIOMapUserOptionsMask bits
    uint64_t mapToken;     // names this mapping to unmapClientMemory; never 0
};

// IOConnectMapMemory64: client->clientMemoryForType(memoryType, &options, &memory), then a
// mapping of that memory into `owningTask`. Only the caller's kIOMapUserOptionsMask bits of
// `options` are used; the rest come from the driver. Mapping the same type again into the same
// task gives the existing mapping (a fresh fd, the same token), as xnu reuses a compatible map.
// Errors (kIOReturnBadArgument, as xnu's, for every failure of the driver's part — the log
// names clientMemoryForType's own code): no client or task → kIOReturnBadArgument; the client
// returned an error or no memory → kIOReturnBadArgument; memory that is not shareable (not a
// buffer descriptor) → kIOReturnUnsupported; the fd could not be duplicated → kIOReturnNoResources.
std::expected<ClientMapping, IOReturn> mapClientMemory(IOUserClient* client, task* owningTask, uint32_t memoryType,
                                                       IOOptionBits options);

// IOConnectUnmapMemory64: drops the mapping `mapToken` of `memoryType` made for `owningTask`.
// kIOReturnBadArgument if there is no such mapping.
IOReturn unmapClientMemory(IOUserClient* client, task* owningTask, uint32_t memoryType, uint64_t mapToken);

// Process exit: drops every mapping made for `deadTask` on every client. The daemon calls this
// after task::taskDied(); mappings of dead tasks are also dropped on the next map call.
void releaseTaskMappings(task* deadTask);

// How many mappings `client` keeps (tests, diagnostics).
size_t clientMappingCount(IOUserClient* client);

}  // namespace openiokit
