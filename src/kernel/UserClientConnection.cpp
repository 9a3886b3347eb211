// The per-request kernel entry points of a user-space connection (see UserClientConnection.h),
// each following the xnu MIG routine named above it (iokit-semantics.md §3.1, §3.3, §3.5).
#include "UserClientConnection.h"

#include "IOUserClientPrivate.h"

#include <IOKit/IOLib.h>
#include <libkern/c++/OSContainers.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

namespace openiokit {
namespace {

// Locking properties a user client may set before the first open returns (xnu IOKitKeys.h /
// IOKitKeysPrivate.h; only the first is in our IOKitKeys.h so far).
constexpr const char* kDefaultLockingKey = kIOUserClientDefaultLockingKey;
constexpr const char* kDefaultLockingSetPropertiesKey = kIOUserClientDefaultLockingSetPropertiesKey;
constexpr const char* kDefaultLockingSingleThreadExternalMethodKey =
    kIOUserClientDefaultLockingSingleThreadExternalMethodKey;
constexpr const char* kEntitlementsKey = kIOUserClientEntitlementsKey;

std::mutex gHandlerLock;
std::shared_ptr<const UserReferencesDestroyedHandler> gHandler;

bool connectionIsLive(IOUserClient* client)
{
    return client->userClientState().connection.load() == ConnectionState::Live;
}

// xnu IOCopyLogNameForPID: "pid <n>, <name>".
OSSharedPtr<OSString> creatorName(task_t owner)
{
    char buffer[128];
    std::snprintf(buffer, sizeof(buffer), "pid %d, %s", (int)owner->pid(), owner->name().c_str());
    return OSSharedPtr<OSString>(OSString::withCString(buffer), OSNoRetain);
}

// The first open of a client decides its locking (§3.5): the properties if it set any, else
// default locking on, advertised as IOUserClientDefaultLocking = true. xnu leaves kexts that
// depend on IOSurface unlocked; no such kext exists here.
void configureLockingOnce(IOUserClient* client)
{
    IOUserClientPrivateState& state = client->userClientState();
    std::lock_guard guard(userClientOwnersLock());
    if (state.opened) {
        return;
    }
    state.opened = true;
    bool hasProperties = false;
    auto flag = [&](const char* key, std::atomic<bool>& out) {
        OSSharedPtr<OSObject> value(client->copyProperty(key), OSNoRetain);
        if (value) {
            hasProperties = true;
            out.store(value.get() != kOSBooleanFalse);
        }
    };
    flag(kDefaultLockingKey, state.defaultLocking);
    flag(kDefaultLockingSetPropertiesKey, state.defaultLockingSetProperties);
    flag(kDefaultLockingSingleThreadExternalMethodKey, state.defaultLockingSingleThreadExternalMethod);
    if (!hasProperties) {
        state.defaultLocking.store(true);
        state.defaultLockingSetProperties.store(false);
        state.defaultLockingSingleThreadExternalMethod.store(false);
        client->setProperty(kDefaultLockingKey, kOSBooleanTrue);
    }
}

// IOUserClientEntitlements: absent or false allows; a string requires that entitlement to be
// true in the task. (xnu would dereference NULL for any other value; we refuse the open.)
IOReturn checkEntitlements(IOUserClient* client, task_t owner, const char* creator)
{
    OSSharedPtr<OSObject> required(client->copyProperty(kEntitlementsKey), OSNoRetain);
    if (!required || required.get() == kOSBooleanFalse) {
        return kIOReturnSuccess;
    }
    const OSString* name = OSDynamicCast(OSString, required.get());
    OSSharedPtr<OSObject> granted;
    if (name) {
        granted.reset(IOUserClient::copyClientEntitlement(owner, name->getCStringNoCopy()), OSNoRetain);
    }
    if (granted.get() != kOSBooleanTrue) {
        IOLog("IOUC %s missing entitlement in process %s\n", client->getMetaClass()->getClassName(), creator);
        return kIOReturnNotPrivileged;
    }
    return kIOReturnSuccess;
}

// Everything is_io_service_open_extended does once newUserClient succeeded.
IOReturn finishOpen(IOUserClient* client, task_t owner)
{
    IOUserClientPrivateState& state = client->userClientState();
    if (!state.reserved.load()) {
        client->reserve();  // a subclass whose init skipped ours
    }
    OSSharedPtr<OSString> creator = creatorName(owner);
    client->setProperty(kIOUserClientCreatorKey, creator.get());
    OSSharedPtr<OSObject> shared(client->copyProperty(kIOUserClientSharedInstanceKey), OSNoRetain);
    state.sharedInstance.store(shared != nullptr);
    configureLockingOnce(client);

    IOReturn result = checkEntitlements(client, owner, creator->getCStringNoCopy());
    if (result == kIOReturnSuccess) {
        result = client->registerOwner(owner);
    }
    return result;
}

}  // namespace

// --- is_io_service_open_extended -----------------------------------------------------------------

IOReturn openConnection(IOService* service, task_t owningTask, uint32_t type, IOUserClient** out)
{
    if (!service || !owningTask || !out) {
        return kIOReturnBadArgument;
    }
    *out = nullptr;
    IOUserClient* created = nullptr;
    IOReturn result = service->newUserClient(owningTask, owningTask, type, nullptr, &created);
    if (result != kIOReturnSuccess) {
        return result;
    }
    if (!created) {
        return kIOReturnError;
    }
    OSSharedPtr<IOUserClient> client(created, OSNoRetain);
    result = finishOpen(client.get(), owningTask);
    if (result != kIOReturnSuccess) {
        client->clientClose();
    }
    // Creation is over either way: let the provider's deferred phase 2 run.
    client->setTerminateDefer(service, false);
    if (result == kIOReturnSuccess) {
        // The connect port exists from here on (again, for a shared instance reopened).
        client->userClientState().connection.store(ConnectionState::Live);
        *out = client.detach();
    }
    return result;
}

// --- is_io_service_close -------------------------------------------------------------------------

IOReturn closeConnection(IOUserClient* client)
{
    if (!client) {
        return kIOReturnBadArgument;
    }
    if (!connectionIsLive(client)) {
        return MACH_SEND_INVALID_DEST;
    }
    IOUserClientPrivateState& state = client->userClientState();
    bool notYetClosed = false;
    if (state.sharedInstance.load() || state.closed.compare_exchange_strong(notYetClosed, true)) {
        client->ipcEnter(IOUserClient::kIPCLockWrite);
        client->clientClose();
        client->ipcExit(IOUserClient::kIPCLockWrite);
    } else {
        IOLog("ignored is_io_service_close(0x%llx,%s)\n", (unsigned long long)client->getRegistryEntryID(),
              client->getName());
    }
    return kIOReturnSuccess;
}

// --- is_io_connect_method ------------------------------------------------------------------------

IOReturn callMethod(IOUserClient* client, uint32_t selector, IOExternalMethodArguments* arguments)
{
    if (!client || !arguments) {
        return kIOReturnBadArgument;
    }
    if (!connectionIsLive(client)) {
        return MACH_SEND_INVALID_DEST;
    }
    return client->callExternalMethod(selector, arguments);
}

// --- is_io_connect_set_notification_port_64 ------------------------------------------------------

IOReturn setNotificationPort(IOUserClient* client, uint32_t type, mach_port_t port, io_user_reference_t reference)
{
    if (!client) {
        return kIOReturnBadArgument;
    }
    if (!connectionIsLive(client)) {
        return MACH_SEND_INVALID_DEST;
    }
    client->ipcEnter(IOUserClient::kIPCLockWrite);
    const IOReturn result = client->registerNotificationPort(port, type, reference);
    client->ipcExit(IOUserClient::kIPCLockWrite);
    return result;
}

// --- is_io_connect_get_service -------------------------------------------------------------------

IOReturn copyService(IOUserClient* client, IOService** service)
{
    if (!client || !service) {
        return kIOReturnBadArgument;
    }
    if (!connectionIsLive(client)) {
        return MACH_SEND_INVALID_DEST;
    }
    client->ipcEnter(IOUserClient::kIPCLockNone);
    IOService* theService = client->getService();
    if (theService) {
        theService->retain();
    }
    client->ipcExit(IOUserClient::kIPCLockNone);
    *service = theService;
    return theService ? kIOReturnSuccess : kIOReturnUnsupported;
}

// --- iokit_client_died ---------------------------------------------------------------------------

IOReturn connectionDied(IOUserClient* client)
{
    if (!client) {
        return kIOReturnBadArgument;
    }
    IOUserClientPrivateState& state = client->userClientState();
    auto expected = ConnectionState::Live;
    if (!state.connection.compare_exchange_strong(expected, ConnectionState::NoSenders)) {
        return kIOReturnNotReady;  // destroyed by termination, or already dead
    }
    OSSharedPtr<IOUserClient> keepAlive(client, OSRetain);
    client->noMoreSenders();
    // xnu takes the lock directly, without counting the call as IPC in flight.
    IORWLockWrite(state.lock.get());
    const IOReturn result = client->clientDied();
    IORWLockUnlock(state.lock.get());
    return result;
}

// --- iokit_task_terminate, phase 2 ---------------------------------------------------------------

void terminateTaskUserClients(task* dying)
{
    // Each record taken from the task carries a reference on its client (see registerOwner).
    std::vector<IOUserClient*> records;
    std::vector<IOUserClient*> orphans;
    {
        std::lock_guard guard(userClientOwnersLock());
        records.swap(dying->ownedUserClientsLocked());
        for (IOUserClient* client : records) {
            auto& owners = client->userClientState().owners;
            std::erase_if(owners, [&](const RefPtr<task>& owner) { return owner.get() == dying; });
            if (owners.empty()) {
                IOLog("destroying out of band connect for %s\n", client->getName());
                orphans.push_back(client);
            }
        }
    }
    for (IOUserClient* client : records) {
        IOUserClientPrivateState& state = client->userClientState();
        if (std::find(orphans.begin(), orphans.end(), client) != orphans.end() &&
            (state.sharedInstance.load() || !state.closed.load())) {
            client->clientDied();
        }
        client->release();
    }
}

// --- destroyUserReferences' notification ---------------------------------------------------------

void setUserReferencesDestroyedHandler(UserReferencesDestroyedHandler handler)
{
    auto shared = handler ? std::make_shared<const UserReferencesDestroyedHandler>(std::move(handler)) : nullptr;
    std::lock_guard guard(gHandlerLock);
    gHandler = std::move(shared);
}

void notifyUserReferencesDestroyed(OSObject* object)
{
    std::shared_ptr<const UserReferencesDestroyedHandler> handler;
    {
        std::lock_guard guard(gHandlerLock);
        handler = gHandler;
    }
    if (handler) {
        (*handler)(object);
    }
}

}  // namespace openiokit
