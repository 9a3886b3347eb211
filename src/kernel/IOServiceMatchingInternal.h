// Internals shared by the matching and notification files (IOServiceMatching.cpp,
// IOServicePassiveMatch.cpp, IOServiceNotification.cpp, IOResources.cpp, IOCatalogue.cpp,
// ConfigThreads.cpp). Nothing here is for drivers.
//
// Locking (xnu's, iokit-semantics.md §2.11): one global, recursive notification lock guards the
// matching notifiers, the interest lists and the moments when a service's public
// Registered/Matched/FirstPublish/FirstMatch bits change, so that a notifier installed
// concurrently with a state change sees the service exactly once (either among the existing
// services or through the notification). Order: a service's arbitration lock, then the
// notification lock, then the registry lock. Handlers, probe and start run with none held.
#pragma once

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>

#include "IOServicePrivate.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

// More of xnu's private state bits (IOServicePrivate.h), kept in IOServicePrivateState's
// privateState word next to the ones listed there.
enum : uint32_t {
    kIOServiceNeedConfigState = 0x80000000,   // (re)registered: doServiceMatch must (re)run
    kIOServiceSynchronousState = 0x40000000,  // matching runs inline; inherited by its drivers
};

// xnu's matching options (IOServicePrivate.h).
enum : uint32_t {
    kIONotifyOnce = 0x00000001,
    kIOServiceExistingSet = 0x00000002,
    kIOServiceChangesOK = 0x00000004,
    kIOServiceInternalDone = 0x00000008,
    kIOServiceClassDone = 0x00000010,
};

enum : uint32_t { kIOServiceBusyStateMask = 0x000003ff };
enum : SInt32 { kIODefaultProbeScore = 0 };

// Symbols xnu exports that our IOService.h does not declare (made with the others, in
// IOServiceSymbols.cpp).
extern const OSSymbol* gIOResourceMatchedKey;         // "IOResourceMatched"
extern const OSSymbol* gIOResourceIOKitKey;           // "IOKit"
extern const OSSymbol* gIOPathKey;                    // "IOPath"
extern const OSSymbol* gIOUserServicePropertiesKey;   // "IOUserServiceProperties"
extern const OSSymbol* gIOBSDNameKey;                 // "BSD Name"
extern const OSSymbol* gIOBSDMajorKey;                // "BSD Major"
extern const OSSymbol* gIOBSDMinorKey;                // "BSD Minor"
extern const OSSymbol* gIOBSDUnitKey;                 // "BSD Unit"

// Per-service matching state. Everything matching needs per service is in privateState's bits
// (above); the struct exists so the owning pointer in IOServicePrivateState has a type.
struct MatchingState {};

class _IOServiceNotifier;

namespace openiokit {

// Makes the global symbols (idempotent, thread-safe). Every public entry point of the matching
// and notification code calls it, so they work before IOService::initialize().
void ensureMatchingSymbols();

// The IOResources nub, without running IOService::initialize() (NULL before it).
IOService* resourcesService();

// --- The notification lock --------------------------------------------------------------------

class NotificationLock {
public:
    void lock();
    void unlock();
    bool heldByCurrentThread() const;

private:
    std::recursive_mutex mutex_;
    std::atomic<std::thread::id> owner_{};
    unsigned depth_ = 0;  // guarded by mutex_
};

NotificationLock& notificationLock();

// --- Matching notifiers (IOServiceNotification.cpp) ------------------------------------------

using NotifierList = std::vector<OSSharedPtr<_IOServiceNotifier>>;

// The enabled `type` notifiers whose matching table `service` passively matches, in priority
// order; ORs `orState` into the service's public state at the same instant (xnu's
// copyNotifiers). Nothing is collected, and the state is left alone, for an inactive service
// unless `type` is gIOTerminatedNotification or gIOWillTerminateNotification.
NotifierList copyNotifiers(IOService* service, const OSSymbol* type, uint32_t orState);
// The same for gIOPublishNotification, without state change; needs the notification lock.
NotifierList copyPublishNotifiersLocked(IOService* service);
// Calls the handler unless the notifier is disabled or removed; false if the handler said so.
bool invokeNotifier(IOService* service, _IOServiceNotifier* notifier);
void invokeNotifiers(IOService* service, NotifierList& notifiers);
SInt32 notifierPriority(const _IOServiceNotifier* notifier);

// --- Passive matching (IOServicePassiveMatch.cpp) -------------------------------------------

// xnu's matchPassive / matchInternal; options are the k*Done/ChangesOK bits above.
bool matchPassive(IOService* service, OSDictionary* table, uint32_t options);
// Registered services (in registry order, each once) in `inState` (all bits), active, that
// match `table`; at most one with kIONotifyOnce. Needs the notification lock.
std::vector<OSSharedPtr<IOService>> copyExistingServices(OSDictionary* table, uint32_t inState, uint32_t options);
// The IOProbeScore of a personality or instance (xnu's IOServiceObjectOrder) and an
// OSOrderedSet order function over it (higher first).
SInt32 probeScoreOf(const OSObject* object);
SInt32 probeScoreOrdering(const OSMetaClassBase* a, const OSMetaClassBase* b, void* context);

// --- Matching flow (IOServiceMatching.cpp) --------------------------------------------------

void startMatching(IOService* service, IOOptionBits options);
// Runs one matching job (the config threads' entry point).
void doServiceMatch(IOService* service, IOOptionBits options);
// xnu's IOService::catalogNewDrivers: every registered service that passively matches one of
// `personalities` starts matching again, asynchronously.
void catalogNewDrivers(const std::vector<OSSharedPtr<OSDictionary>>& personalities);
// Publishes the "IOKit" resource, which registers IOResources for the first time (called by
// initializeResources, from inside IOService::initialize).
void publishIOKitResource(IOService* resources);

// --- Config threads (ConfigThreads.cpp) -----------------------------------------------------

// Queues doServiceMatch(nub, options) for a config thread (IOResources jobs go first and may
// always start a thread, so a thread waiting for a resource cannot starve its publication).
void queueMatchingJob(IOService* nub, IOOptionBits options);
// Waits until no config thread is running; false on timeout (xnu's waitMatchIdle).
bool waitMatchIdle(uint64_t timeoutNanoseconds);

}  // namespace openiokit
