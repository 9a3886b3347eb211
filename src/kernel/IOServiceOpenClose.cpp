// Open/close arbitration (iokit-semantics.md §2.7): the per-service arbitration lock and the
// default single-owner open policy. A close by a client of a service in termination phase 3 is
// what resumes that client's deferred stop.
#include <IOKit/IOService.h>

#include "IOServicePrivate.h"

namespace openiokit {

void messageClientsExcept(IOService* service, IOService* except, UInt32 type, void* argument)
{
    // As xnu's applyToInterested(gIOGeneralInterest): the clients, then the interest notifiers.
    struct Context {
        IOService* service;
        OSObject* except;
        UInt32 type;
        void* argument;
    } context{service, except, type, argument};
    service->applyToInterested(
        gIOGeneralInterest,
        [](OSObject* interested, void* raw) {
            auto* c = static_cast<Context*>(raw);
            if (interested != c->except) {
                c->service->messageClient(c->type, interested, c->argument);
            }
        },
        &context);
}

}  // namespace openiokit

// Per-service and recursive per thread, with xnu's deadlock-cycle detection: false only when
// isSuccessRequired is false and this wait was aborted to break a cycle (ArbitrationLock.h).
bool IOService::lockForArbitration(bool isSuccessRequired)
{
    return privateState().arbitration.lock(isSuccessRequired);
}

void IOService::unlockForArbitration(void)
{
    privateState().arbitration.unlock();
}

bool IOService::open(IOService* forClient, IOOptionBits options, void* arg)
{
    openiokit::messageClientsExcept(this, forClient, kIOMessageServiceIsAttemptingOpen,
                                    reinterpret_cast<void*>(static_cast<uintptr_t>(options)));
    if (!lockForArbitration(false)) {
        return false;
    }
    const bool ok = !isInactive() && handleOpen(forClient, options, arg);
    unlockForArbitration();
    return ok;
}

void IOService::close(IOService* forClient, IOOptionBits options)
{
    lockForArbitration();
    const bool wasOpen = handleIsOpen(forClient);
    bool providerTerminating = false;
    if (wasOpen) {
        handleClose(forClient, options);
        providerTerminating = privateState().hasPrivateBits(kIOServiceTermPhase3State);
    }
    unlockForArbitration();
    if (providerTerminating) {
        // The client deferred its stop by holding us open (§2.7): now it can go.
        openiokit::scheduleStop(forClient, this);
    } else if (wasOpen) {
        openiokit::messageClientsExcept(this, forClient, kIOMessageServiceWasClosed,
                                        reinterpret_cast<void*>(static_cast<uintptr_t>(options)));
    }
}

bool IOService::isOpen(const IOService* forClient) const
{
    IOService* self = const_cast<IOService*>(this);
    self->lockForArbitration();
    const bool open = handleIsOpen(forClient);
    self->unlockForArbitration();
    return open;
}

bool IOService::handleOpen(IOService* forClient, IOOptionBits options, void* arg)
{
    IOServicePrivateState& state = privateState();
    if (!state.owner) {
        state.owner = forClient;
        return true;
    }
    if (options & kIOServiceSeize) {
        // Ask the owner to let go; it succeeds only if the owner closes synchronously.
        const IOReturn asked = messageClient(kIOMessageServiceIsRequestingClose, state.owner,
                                             reinterpret_cast<void*>(static_cast<uintptr_t>(options)));
        if (asked == kIOReturnSuccess && !state.owner) {
            state.owner = forClient;
            return true;
        }
    }
    return false;
}

void IOService::handleClose(IOService* forClient, IOOptionBits options)
{
    IOServicePrivateState& state = privateState();
    if (state.owner == forClient) {
        state.owner = nullptr;
    }
}

bool IOService::handleIsOpen(const IOService* forClient) const
{
    const IOService* owner = privateState().owner;
    return forClient ? owner == forClient : owner != nullptr;
}
