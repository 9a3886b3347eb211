// The concrete IONotifier classes, after xnu's (IOServicePrivate.h): _IOServiceNotifier for
// matching notifications (addMatchingNotification) and _IOServiceInterestNotifier for interest
// (registerInterest). Private to the matching and notification code.
//
// A notifier is live while it is in its list (the list holds a reference; the caller of
// addMatchingNotification/registerInterest holds another, which remove() consumes). Delivery
// takes a reference and records the calling thread while the handler runs; disable() and
// remove() stop new deliveries and then wait for those already running on other threads, so a
// handler never runs after remove() returns (a handler may remove its own notifier).
#pragma once

#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace openiokit {

// The threads currently inside one notifier's handler.
class HandlerInvocations {
public:
    void enter();
    void exit();
    // Blocks until no thread other than the caller is inside.
    void waitForOthers();

private:
    std::mutex mutex_;
    std::condition_variable exited_;
    std::vector<std::thread::id> threads_;
};

}  // namespace openiokit

class _IOServiceNotifier : public IONotifier {
    OSDeclareDefaultStructors(_IOServiceNotifier);

public:
    void remove() APPLE_KEXT_OVERRIDE;
    bool disable() APPLE_KEXT_OVERRIDE;
    void enable(bool was) APPLE_KEXT_OVERRIDE;

    // Set before the notifier is published, then read-only.
    const OSSymbol* type;
    IOServiceMatchingNotificationHandler handler;
    IOServiceNotificationHandler compatHandler;  // addNotification's three-argument handler
    void* target;
    void* ref;
    SInt32 priority;

    // Guarded by the notification lock.
    OSSharedPtr<OSDictionary> matching;  // dropped by remove()
    bool enabled;
    bool queued;  // in the global list for `type`

    openiokit::HandlerInvocations invocations;
};

class _IOServiceInterestNotifier : public IONotifier {
    OSDeclareDefaultStructors(_IOServiceInterestNotifier);

public:
    void remove() APPLE_KEXT_OVERRIDE;
    bool disable() APPLE_KEXT_OVERRIDE;
    void enable(bool was) APPLE_KEXT_OVERRIDE;

    // Set before the notifier is published, then read-only.
    IOServiceInterestHandler handler;
    void* target;
    void* ref;
    const OSSymbol* type;

    // Guarded by the notification lock. `owner` is a back-pointer: the service whose interest
    // list holds this notifier; cleared when the notifier leaves the list or the service is
    // freed (the notifier never keeps its service alive, as in xnu).
    IOService* owner;
    bool enabled;

    openiokit::HandlerInvocations invocations;
};

// What addMatchingNotification returns when the handler removed the notifier while it was
// being delivered the existing services: retain/release/remove are no-ops on it (xnu's
// gIOServiceNullNotifier).
class _IOServiceNullNotifier : public IONotifier {
    OSDeclareDefaultStructors(_IOServiceNullNotifier);

public:
    void remove() APPLE_KEXT_OVERRIDE {}
    bool disable() APPLE_KEXT_OVERRIDE { return false; }
    void enable(bool was) APPLE_KEXT_OVERRIDE {}
    void taggedRetain(const void* tag = nullptr) const APPLE_KEXT_OVERRIDE {}
    void taggedRelease(const void* tag = nullptr) const APPLE_KEXT_OVERRIDE {}

protected:
    void taggedRelease(const void* tag, const int freeWhen) const APPLE_KEXT_OVERRIDE {}
    void free() APPLE_KEXT_OVERRIDE {}
};
