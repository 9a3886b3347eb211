// IOUserClient: construction, close and death, the client lock and IPC accounting, and the
// hooks termination calls (destroyUserReferences / finalizeUserReferences). Behaviour follows
// xnu iokit/Kernel/IOUserClient.cpp as summarised in iokit-semantics.md §3.1, §3.3, §3.5, §3.7.
#include <IOKit/IOUserClient.h>

#include "IOServicePrivate.h"
#include "IOUserClientPrivate.h"
#include "UserClientConnection.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

#define super IOService

// The structors are written out (not OSDefineAbstractStructors) because the constructor also
// allocates the private state, which every subclass relies on even if its init skips ours.
OSDefineMetaClass(IOUserClient, IOService);
OSObject* IOUserClient::MetaClass::alloc() const
{
    return nullptr;  // abstract, as in xnu
}
IOUserClient::IOUserClient(const OSMetaClass* meta)
    : IOService(meta), ucState_(std::make_unique<IOUserClientPrivateState>())
{
}
IOUserClient::~IOUserClient() {}

namespace openiokit {

std::mutex& userClientPortLock()
{
    static std::mutex lock;
    return lock;
}

std::mutex& userClientOwnersLock()
{
    static std::mutex lock;
    return lock;
}

}  // namespace openiokit

// --- Construction (§3.1) ------------------------------------------------------------------------

bool IOUserClient::init()
{
    if (getPropertyTable() || super::init()) {
        return reserve();
    }
    return false;
}

bool IOUserClient::init(OSDictionary* dictionary)
{
    if (getPropertyTable() || super::init(dictionary)) {
        return reserve();
    }
    return false;
}

bool IOUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type)
{
    if (getPropertyTable() || super::init()) {
        return reserve();
    }
    return false;
}

bool IOUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type, OSDictionary* properties)
{
    // Both steps run even if the first fails, as in xnu.
    bool ok = super::init(properties);
    ok &= initWithTask(owningTask, securityToken, type);
    return ok;
}

bool IOUserClient::reserve()
{
    // While the client is being created its provider's termination phase 2 waits (§2.5 step 1);
    // openiokit::openConnection clears the bit with the provider, which re-runs a deferred phase.
    setTerminateDefer(nullptr, true);
    ucState_->reserved.store(true);
    return true;
}

void IOUserClient::free()
{
    // No owner record can remain: each holds a reference on this client.
    super::free();
}

// --- Overridable defaults ----------------------------------------------------------------------

IOReturn IOUserClient::clientClose(void)
{
    return kIOReturnUnsupported;
}

IOReturn IOUserClient::clientDied(void)
{
    IOReturn result = kIOReturnNotReady;
    bool notYetClosed = false;
    if (ucState_->sharedInstance.load() || ucState_->closed.compare_exchange_strong(notYetClosed, true)) {
        result = clientClose();
    }
    return result;
}

IOService* IOUserClient::getService(void)
{
    return nullptr;
}

IOReturn IOUserClient::registerNotificationPort(mach_port_t, UInt32, UInt32)
{
    return kIOReturnUnsupported;
}

IOReturn IOUserClient::registerNotificationPort(mach_port_t port, UInt32 type, io_user_reference_t refCon)
{
    return registerNotificationPort(port, type, (UInt32)refCon);
}

IOReturn IOUserClient::getNotificationSemaphore(UInt32, semaphore_t*)
{
    return kIOReturnUnsupported;
}

IOReturn IOUserClient::connectClient(IOUserClient*)
{
    return kIOReturnUnsupported;
}

IOReturn IOUserClient::clientMemoryForType(UInt32, IOOptionBits*, IOMemoryDescriptor**)
{
    return kIOReturnUnsupported;
}

OSObject* IOUserClient::copyClientEntitlement(task_t task, const char* entitlement)
{
    if (!task || !entitlement) {
        return nullptr;
    }
    return task->copyEntitlement(entitlement);
}

// --- IPC accounting and locking (§3.5) ---------------------------------------------------------

void IOUserClient::ipcEnter(int locking)
{
    switch (locking) {
    case kIPCLockWrite:
        IORWLockWrite(ucState_->lock.get());
        break;
    case kIPCLockRead:
        IORWLockRead(ucState_->lock.get());
        break;
    case kIPCLockNone:
        break;
    default:
        IOLog("IOUserClient::ipcEnter: bad locking mode %d\n", locking);
        std::abort();
    }
    ucState_->ipc.fetch_add(1);
}

void IOUserClient::ipcExit(int locking)
{
    bool finalize = false;
    if (ucState_->ipc.fetch_sub(1) == 1 && isInactive()) {
        std::lock_guard guard(openiokit::userClientPortLock());
        finalize = std::exchange(ucState_->ipcFinal, false);
    }
    switch (locking) {
    case kIPCLockWrite:
    case kIPCLockRead:
        IORWLockUnlock(ucState_->lock.get());
        break;
    case kIPCLockNone:
        break;
    default:
        IOLog("IOUserClient::ipcExit: bad locking mode %d\n", locking);
        std::abort();
    }
    // xnu schedules before unlocking; after is equivalent (the caller holds a reference) and
    // keeps the termination code from ever running under the client lock.
    if (finalize) {
        openiokit::scheduleFinalize(this);
    }
}

IOReturn IOUserClient::callExternalMethod(uint32_t selector, IOExternalMethodArguments* arguments)
{
    const IOUserClientPrivateState& state = *ucState_;
    const int locking = !state.defaultLocking.load()                          ? kIPCLockNone
                        : state.defaultLockingSingleThreadExternalMethod.load() ? kIPCLockWrite
                                                                                : kIPCLockRead;
    ipcEnter(locking);
    const IOReturn result = externalMethod(selector, arguments);
    ipcExit(locking);
    return result;
}

// --- Hooks for termination (§3.7) --------------------------------------------------------------

IOReturn IOUserClient::destroyUserReferences(OSObject* obj)
{
    if (!obj) {
        return kIOReturnSuccess;
    }
    OSSharedPtr<OSObject> keepAlive(obj, OSRetain);
    if (IOUserClient* client = OSDynamicCast(IOUserClient, obj)) {
        // FIXME: with memory mappings xnu re-points the connect port at the mapping set, so
        // IOServiceClose still succeeds; mappings come with IOMemoryDescriptor (daemon issue).
        auto expected = ConnectionState::Live;
        if (client->ucState_->connection.compare_exchange_strong(expected, ConnectionState::Destroyed)) {
            client->noMoreSenders();
        }
    }
    // Every user handle to the object (service or connection) becomes a dead name.
    openiokit::notifyUserReferencesDestroyed(obj);
    return kIOReturnSuccess;
}

bool IOUserClient::finalizeUserReferences(OSObject* obj)
{
    IOUserClient* client = OSDynamicCast(IOUserClient, obj);
    if (!client) {
        return true;
    }
    std::lock_guard guard(openiokit::userClientPortLock());
    client->ucState_->ipcFinal = client->ucState_->ipc.load() != 0;
    return !client->ucState_->ipcFinal;
}

// --- Owners (xnu registerOwner / noMoreSenders) --------------------------------------------------
// An owner record stands for the task's send right on the connect port, so like the port in
// xnu it keeps the client alive: the record holds a reference on the client, and the client's
// list holds one on the task. noMoreSenders (no-senders or destroyed connection) and the
// task's death drop them.

IOReturn IOUserClient::registerOwner(task_t owner)
{
    if (!owner) {
        return kIOReturnBadArgument;
    }
    std::lock_guard guard(openiokit::userClientOwnersLock());
    auto& owners = ucState_->owners;
    const bool known = std::any_of(owners.begin(), owners.end(), [&](const auto& t) { return t.get() == owner; });
    if (!known) {
        owners.push_back(openiokit::RefPtr<task>::retain(owner));
        owner->ownedUserClientsLocked().push_back(this);
        retain();
    }
    return kIOReturnSuccess;
}

void IOUserClient::noMoreSenders(void)
{
    std::vector<openiokit::RefPtr<task>> released;
    {
        std::lock_guard guard(openiokit::userClientOwnersLock());
        released.swap(ucState_->owners);
        for (const auto& owner : released) {
            std::erase(owner->ownedUserClientsLocked(), this);
        }
    }
    // Outside the lock: the task references (in `released`), then the records' references on
    // this client. The caller holds its own reference, so none of these frees the client.
    for (size_t i = 0; i < released.size(); i++) {
        release();
    }
}
