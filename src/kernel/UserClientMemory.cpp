// IOConnectMapMemory64 / IOConnectUnmapMemory64 in the kernel (see UserClientMemory.h). The
// order follows xnu's is_io_connect_map_memory_into_task and IOUserClient::mapClientMemory64:
// clientMemoryForType under the client's default locking, the caller's user option bits over
// the driver's options, one mapping per (task, type) kept by the client.
#include "UserClientMemory.h"

#include <IOKit/IOLib.h>
#include <IOKit/IOMemoryDescriptor.h>

#include "IOUserClientPrivate.h"
#include "ServiceExtras.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace openiokit {

namespace {

// Every ClientMappings alive, so that releaseTaskMappings can reach them. Lock order: this
// lock, then a ClientMappings::lock. Never freed (exit-time destruction would race).
struct MappingsRegistry {
    std::mutex lock;
    std::unordered_set<ClientMappings*> live;

    static MappingsRegistry& shared()
    {
        static auto* registry = new MappingsRegistry;
        return *registry;
    }
};

uint64_t nextMapToken()
{
    static std::atomic<uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool connectionIsLive(IOUserClient* client)
{
    return client->userClientState().connection.load() == ConnectionState::Live;
}

// Drops the entries `remove` selects, releasing their maps after the lock is let go (a map's
// free may release a descriptor whose own free takes driver locks).
template <typename Predicate>
std::vector<ClientMappingEntry> takeEntries(ClientMappings& mappings, Predicate remove)
{
    std::vector<ClientMappingEntry> taken;
    std::lock_guard guard(mappings.lock);
    auto keep = std::stable_partition(mappings.entries.begin(), mappings.entries.end(),
                                      [&](const ClientMappingEntry& entry) { return !remove(entry); });
    std::move(keep, mappings.entries.end(), std::back_inserter(taken));
    mappings.entries.erase(keep, mappings.entries.end());
    return taken;
}

// xnu mapClientMemory64: the driver's memory for `type`, mapped into `owningTask`.
std::expected<OSSharedPtr<IOMemoryMap>, IOReturn> makeClientMap(IOUserClient* client, task* owningTask,
                                                                uint32_t memoryType, IOOptionBits userOptions)
{
    IOOptionBits options = 0;
    IOMemoryDescriptor* memory = nullptr;
    const IOReturn result = client->clientMemoryForType(memoryType, &options, &memory);
    OSSharedPtr<IOMemoryDescriptor> owned(memory, OSNoRetain);
    if (result != kIOReturnSuccess || !owned) {
        IOLog("IOConnectMapMemory: %s::clientMemoryForType(%u) returned 0x%x%s\n",
              client->getMetaClass()->getClassName(), memoryType, result, owned ? "" : " and no memory");
        return std::unexpected(kIOReturnBadArgument);
    }
    if (!owned->sharedBacking(nullptr)) {
        IOLog("IOConnectMapMemory: %s::clientMemoryForType(%u) gave a %s, whose pages cannot be shared with a "
              "process (use an IOBufferMemoryDescriptor)\n",
              client->getMetaClass()->getClassName(), memoryType, owned->getMetaClass()->getClassName());
        return std::unexpected(kIOReturnUnsupported);
    }
    options = (options & ~kIOMapUserOptionsMask) | (userOptions & kIOMapUserOptionsMask) | kIOMapAnywhere;
    OSSharedPtr<IOMemoryMap> map(owned->createMappingInTask(owningTask, 0, options), OSNoRetain);
    if (!map) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return map;
}

std::expected<ClientMapping, IOReturn> describe(const ClientMappingEntry& entry)
{
    IOMemoryMap* map = entry.map.get();
    SharedBacking backing;
    map->getMemoryDescriptor()->sharedBacking(&backing);
    const int fd = fcntl(backing.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        IOLog("IOConnectMapMemory: cannot duplicate the memory's descriptor: %s\n", std::strerror(errno));
        return std::unexpected(kIOReturnNoResources);
    }
    return ClientMapping{fd, backing.offset + map->getOffset(), map->getLength(), map->getMapOptions(), entry.token};
}

}  // namespace

ClientMappings::ClientMappings()
{
    MappingsRegistry& registry = MappingsRegistry::shared();
    std::lock_guard guard(registry.lock);
    registry.live.insert(this);
}

ClientMappings::~ClientMappings()
{
    MappingsRegistry& registry = MappingsRegistry::shared();
    std::lock_guard guard(registry.lock);
    registry.live.erase(this);
}

std::expected<ClientMapping, IOReturn> mapClientMemory(IOUserClient* client, task* owningTask, uint32_t memoryType,
                                                       IOOptionBits options)
{
    if (!client || !owningTask) {
        return std::unexpected(kIOReturnBadArgument);
    }
    if (!connectionIsLive(client)) {
        return std::unexpected(MACH_SEND_INVALID_DEST);
    }
    ClientMappings& mappings = client->extras().get().mappings;
    // Mappings of processes that have exited go first (the daemon may not have told us).
    takeEntries(mappings, [](const ClientMappingEntry& entry) { return entry.owner->isDead(); });

    const bool locking = client->userClientState().defaultLocking.load();
    client->ipcEnter(locking ? IOUserClient::kIPCLockWrite : IOUserClient::kIPCLockNone);
    std::expected<ClientMapping, IOReturn> result = std::unexpected(kIOReturnBadArgument);
    {
        std::unique_lock guard(mappings.lock);
        auto existing = std::find_if(mappings.entries.begin(), mappings.entries.end(), [&](const auto& entry) {
            return entry.owner.get() == owningTask && entry.type == memoryType;
        });
        if (existing != mappings.entries.end()) {
            result = describe(*existing);
        } else {
            guard.unlock();  // the driver's clientMemoryForType runs without our lock
            auto map = makeClientMap(client, owningTask, memoryType, options);
            guard.lock();
            if (!map) {
                result = std::unexpected(map.error());
            } else {
                ClientMappingEntry entry{RefPtr<task>::retain(owningTask), memoryType, nextMapToken(),
                                         std::move(*map)};
                result = describe(entry);
                if (result) {
                    mappings.entries.push_back(std::move(entry));
                }
            }
        }
    }
    client->ipcExit(locking ? IOUserClient::kIPCLockWrite : IOUserClient::kIPCLockNone);
    return result;
}

IOReturn unmapClientMemory(IOUserClient* client, task* owningTask, uint32_t memoryType, uint64_t mapToken)
{
    if (!client || !owningTask) {
        return kIOReturnBadArgument;
    }
    ServiceExtras* extras = client->extras().peek();
    if (!extras) {
        return kIOReturnBadArgument;
    }
    auto taken = takeEntries(extras->mappings, [&](const ClientMappingEntry& entry) {
        return entry.owner.get() == owningTask && entry.type == memoryType && entry.token == mapToken;
    });
    if (taken.empty()) {
        IOLog("IOConnectUnmapMemory: %s has no mapping %llu of type %u for pid %d\n",
              client->getMetaClass()->getClassName(), static_cast<unsigned long long>(mapToken), memoryType,
              owningTask->pid());
        return kIOReturnBadArgument;
    }
    for (auto& entry : taken) {
        entry.map->unmap();
    }
    return kIOReturnSuccess;
}

void releaseTaskMappings(task* deadTask)
{
    std::vector<ClientMappingEntry> taken;
    {
        MappingsRegistry& registry = MappingsRegistry::shared();
        std::lock_guard guard(registry.lock);
        for (ClientMappings* mappings : registry.live) {
            auto some = takeEntries(*mappings, [&](const ClientMappingEntry& entry) { return entry.owner.get() == deadTask; });
            std::move(some.begin(), some.end(), std::back_inserter(taken));
        }
    }
    // `taken` releases the maps here, outside every lock.
}

size_t clientMappingCount(IOUserClient* client)
{
    ServiceExtras* extras = client ? client->extras().peek() : nullptr;
    if (!extras) {
        return 0;
    }
    std::lock_guard guard(extras->mappings.lock);
    return extras->mappings.entries.size();
}

}  // namespace openiokit
