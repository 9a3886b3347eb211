// Busy state and quiet (iokit-semantics.md §2.10). A service's busy count is its own busy
// reasons (matching in progress, termination in progress) plus one for each client whose own
// count is non-zero: a 0->1 transition adds one to the provider, 1->0 removes it, recursively.
#include <IOKit/IOService.h>

#include "IOServicePrivate.h"
#include "common/NoDestructor.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace {

// Immortal: config and terminate threads may still adjust busy counts while the process exits.
struct BusyLock {
    std::mutex mutex;
    std::condition_variable changed;
};
openiokit::NoDestructor<BusyLock> gBusy;
std::mutex& gBusyLock = gBusy->mutex;
std::condition_variable& gBusyChanged = gBusy->changed;

uint64_t nowNanoseconds()
{
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}

struct Transition {
    OSSharedPtr<IOService> service;
    bool busy;
};

// Applies `delta` to `service` and propagates zero crossings; needs gBusyLock. References that
// must be dropped (and interest messages to send) are returned, to be handled unlocked.
void adjustLocked(IOService* service, SInt32 delta, std::vector<Transition>& transitions,
                  std::vector<OSSharedPtr<IOService>>& released)
{
    while (service && delta != 0) {
        IOServicePrivateState& state = service->privateState();
        const uint32_t before = state.busy;
        const int64_t after = static_cast<int64_t>(before) + delta;
        if (after < 0) {
            IOLog("IOService: %s busy count would go below zero; clamped\n", service->getName());
        }
        state.busy = after < 0 ? 0 : static_cast<uint32_t>(after);
        if (before == 0 && state.busy > 0) {
            state.busySince = nowNanoseconds();
            transitions.push_back({OSSharedPtr<IOService>(service, OSRetain), true});
            state.busyParent = OSSharedPtr<IOService>(service->getProvider(), OSRetain);
            service = state.busyParent.get();
            delta = 1;
        } else if (before > 0 && state.busy == 0) {
            state.accumulatedBusy += nowNanoseconds() - state.busySince;
            transitions.push_back({OSSharedPtr<IOService>(service, OSRetain), false});
            released.push_back(std::move(state.busyParent));
            service = released.back().get();
            delta = -1;
        } else {
            break;
        }
    }
}

void finish(std::vector<Transition>& transitions)
{
    gBusyChanged.notify_all();
    for (const auto& transition : transitions) {
        openiokit::deliverBusyInterest(transition.service.get(), transition.busy);
    }
}

// Waits until `done()` holds (with gBusyLock held) or the timeout in nanoseconds passes.
template <typename Predicate>
IOReturn waitUntil(uint64_t timeout, Predicate done)
{
    std::unique_lock lock(gBusyLock);
    if (timeout == UINT64_MAX) {
        gBusyChanged.wait(lock, done);
        return kIOReturnSuccess;
    }
    return gBusyChanged.wait_for(lock, std::chrono::nanoseconds(timeout), done) ? kIOReturnSuccess
                                                                               : kIOReturnTimeout;
}

uint64_t nanoseconds(const mach_timespec_t* timeout)
{
    if (!timeout) {
        return UINT64_MAX;
    }
    return static_cast<uint64_t>(timeout->tv_sec) * 1000000000ull + static_cast<uint64_t>(timeout->tv_nsec);
}

}  // namespace

UInt32 IOService::getBusyState(void)
{
    std::lock_guard lock(gBusyLock);
    return privateState().busy;
}

uint64_t IOService::getAccumulatedBusyTime(void)
{
    std::lock_guard lock(gBusyLock);
    const IOServicePrivateState& state = privateState();
    // Time spent busy so far, including the busy period in progress (ns), as xnu's.
    return state.accumulatedBusy + (state.busy > 0 ? nowNanoseconds() - state.busySince : 0);
}

void IOService::adjustBusy(SInt32 delta)
{
    std::vector<Transition> transitions;
    std::vector<OSSharedPtr<IOService>> released;
    {
        std::lock_guard lock(gBusyLock);
        adjustLocked(this, delta, transitions, released);
    }
    finish(transitions);
}

IOReturn IOService::waitForState(UInt32 mask, UInt32 value, uint64_t timeout)
{
    IOServicePrivateState& state = privateState();
    return waitUntil(timeout, [&] { return ((state.busy | state.privateState.load()) & mask) == value; });
}

IOReturn IOService::waitForState(UInt32 mask, UInt32 value, mach_timespec_t* timeout)
{
    return waitForState(mask, value, nanoseconds(timeout));
}

IOReturn IOService::waitQuiet(uint64_t timeout)
{
    IOServicePrivateState& state = privateState();
    return waitUntil(timeout, [&] { return state.busy == 0; });
}

IOReturn IOService::waitQuiet(mach_timespec_t* timeout)
{
    return waitQuiet(nanoseconds(timeout));
}

namespace openiokit {

void busyAfterDetach(IOService* client, IOService* oldProvider, IOService* newProvider, bool dropOwnBusy)
{
    std::vector<Transition> transitions;
    std::vector<OSSharedPtr<IOService>> released;
    {
        std::lock_guard lock(gBusyLock);
        IOServicePrivateState& state = client->privateState();
        if (state.busy > 0 && state.busyParent.get() == oldProvider) {
            // The busy client no longer counts toward the provider it left ...
            released.push_back(std::move(state.busyParent));
            adjustLocked(oldProvider, -1, transitions, released);
            // ... but toward the one it still has.
            if (newProvider && !dropOwnBusy) {
                state.busyParent = OSSharedPtr<IOService>(newProvider, OSRetain);
                adjustLocked(newProvider, 1, transitions, released);
            }
        }
        if (dropOwnBusy && state.busy > 0) {
            // A terminated service stays busy until it has left its last provider (§2.6).
            adjustLocked(client, -static_cast<SInt32>(state.busy), transitions, released);
        }
    }
    finish(transitions);
}

}  // namespace openiokit
