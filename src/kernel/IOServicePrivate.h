// IOService's private state, shared by the files that implement IOService (see IOService.h).
// The bit names and values follow xnu's IOServicePrivate.h (iokit-semantics.md §2.1).
#pragma once

#include <IOKit/IOService.h>

#include "ArbitrationLock.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

// Private state bits (xnu's __state[1]); the busy count lives apart, in `busy`.
enum : uint32_t {
    kIOServiceConfigState = 0x04000000,       // matching in progress (doServiceMatch)
    kIOServiceStartState = 0x02000000,        // terminate-defer: a user client is being created
    kIOServiceTermPhase2State = 0x01000000,
    kIOServiceTermPhase3State = 0x00800000,
    kIOServiceTermPhase1State = 0x00400000,
    kIOServiceTerm1WaiterState = 0x00200000,
    kIOServiceRecursingState = 0x00100000,    // marked inactive through the compat path
    kIOServiceNeedWillTerminateState = 0x00080000,
    kIOServiceWaitDetachState = 0x00040000,
    kIOServiceConfigRunning = 0x00020000,
    kIOServiceFinalized = 0x00010000,
};

struct IOServicePrivateState {
    // lockForArbitration: guards publicState/privateState transitions, open/close decisions.
    openiokit::ArbitrationLock arbitration;
    // kIOService*State bits of getState(); written under `arbitration`, read lock-free.
    std::atomic<uint32_t> publicState{0};
    // The private bits above; written under `arbitration`, read lock-free.
    std::atomic<uint32_t> privateState{0};

    // --- busy (IOServiceBusy.cpp): guarded by the global busy lock --------------------------
    uint32_t busy = 0;
    // The provider this service's non-zero busy count was propagated to (+1), so the matching
    // -1 goes to the same provider even if the topology changed meanwhile.
    OSSharedPtr<IOService> busyParent;
    // getAccumulatedBusyTime: nanoseconds busy before the current period, and when it began.
    uint64_t accumulatedBusy = 0;
    uint64_t busySince = 0;

    // --- open/close (IOServiceOpenClose.cpp): guarded by `arbitration` ----------------------
    // The default handleOpen's single owner; a borrowed pointer (the owner is a client, and
    // close() is part of its stop), as xnu's __owner.
    IOService* owner = nullptr;

    // --- termination (Termination.cpp) --------------------------------------------------------
    // True while phase 2 of this service was skipped (matching, a client with the
    // terminate-defer bit), so that clearing the bit, a detach or the end of matching re-queues
    // it. Written under `arbitration`; read from other services' paths without it.
    std::atomic<bool> phase2Deferred{false};
    std::atomic<IOOptionBits> terminateOptions{0};

    // --- matching (IOServiceMatching.cpp) ---------------------------------------------------
    // --- interest notifications (IOServiceNotification.cpp) ---------------------------------
    // Owned by the matching/notification code; each defines its own struct and frees it.
    struct MatchingState* matching = nullptr;
    struct InterestState* interest = nullptr;

    bool hasPrivateBits(uint32_t bits) const { return (privateState.load() & bits) != 0; }
    bool hasPublicBits(uint32_t bits) const { return (publicState.load() & bits) != 0; }
    void setPrivateBits(uint32_t bits) { privateState.fetch_or(bits); }
    void clearPrivateBits(uint32_t bits) { privateState.fetch_and(~bits); }
    void setPublicBits(uint32_t bits) { publicState.fetch_or(bits); }
    void clearPublicBits(uint32_t bits) { publicState.fetch_and(~bits); }
};

namespace openiokit {

// Clients/providers in the service plane as a retained snapshot (attach order).
std::vector<OSSharedPtr<IOService>> clientsOf(const IOService* service);
std::vector<OSSharedPtr<IOService>> providersOf(const IOService* service);

// Hooks between the parts of IOService, so each file keeps to its job.
// IOServiceMatching.cpp / IOResources.cpp
void freeMatchingState(IOServicePrivateState& state);
void initializeResources();  // attaches and registers IOResources under the service root

// IOServiceNotification.cpp
void freeInterestState(IOServicePrivateState& state);
// Fires the matching notifiers of `type` (e.g. gIOTerminatedNotification) that match `service`.
void deliverMatchingNotifications(const OSSymbol* type, IOService* service);
// kIOMessageServiceBusyStateChange to the service's gIOBusyInterest notifiers.
void deliverBusyInterest(IOService* service, bool busy);

// IOServiceOpenClose.cpp: `type` to every client and general-interest notifier of `service`
// except `except` (open/close announcements).
void messageClientsExcept(IOService* service, IOService* except, UInt32 type, void* argument);

// IOServiceBusy.cpp: busy accounting when `client` leaves `oldProvider` (see detach()).
void busyAfterDetach(IOService* client, IOService* oldProvider, IOService* newProvider, bool dropOwnBusy);

// Termination.cpp
void terminationAfterDetach(IOService* client, IOService* provider);
void terminationMatchingEnded(IOService* service);  // matching cleared kIOServiceConfigState
void scheduleStop(IOService* client, IOService* provider);
void scheduleFinalize(IOService* service);  // unconditionally (xnu's scheduleFinalize(true))

}  // namespace openiokit
