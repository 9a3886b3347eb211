// IOTimerEventSource: one-shot timers delivered on the work loop (xnu
// iokit/Kernel/IOTimerEventSource.cpp semantics, "work loop priority" delivery).
//
// How an arming reaches the action:
//   1. wakeAtTime() bumps generation_ and enters a callout for the deadline, tagged with that
//      generation (TimerCallouts, our thread_call);
//   2. at the deadline the callout thread records the tag in firedGeneration_ and signals the
//      work loop;
//   3. on the work loop's thread, gate closed, checkForWork() runs the action if the tag is still
//      the current generation, and consumes it.
// cancelTimeout() and disable() bump generation_ with the gate closed. Since step 3 holds the
// gate from its check through the action, once they return the action either has completed or
// will never run for an earlier arming: the "no callout after cancel" guarantee.
#include <IOKit/IOTimerEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include "TimerCallouts.h"

#include <cstdint>
#include <type_traits>

OSDefineMetaClassAndStructors(IOTimerEventSource, IOEventSource);

static_assert(std::is_same_v<AbsoluteTime, UInt64>, "the LP64 kernel's scalar AbsoluteTime");

namespace {

using openiokit::TimerCallouts;

constexpr uint64_t kNotFired = UINT64_MAX; // firedGeneration_ when no arming is waiting

IOEventSource::Action toEventSourceAction(IOTimerEventSource::Action action)
{
    return reinterpret_cast<IOEventSource::Action>(reinterpret_cast<void (*)()>(action));
}

IOTimerEventSource::Action toTimerAction(IOEventSource::Action action)
{
    return reinterpret_cast<IOTimerEventSource::Action>(reinterpret_cast<void (*)()>(action));
}

} // namespace

// --- Construction ------------------------------------------------------------------------------

IOTimerEventSource *IOTimerEventSource::timerEventSource(OSObject *inOwner, Action inAction)
{
    return timerEventSource(kIOTimerEventSourceOptionsDefault, inOwner, inAction);
}

IOTimerEventSource *IOTimerEventSource::timerEventSource(uint32_t inOptions, OSObject *inOwner, Action inAction)
{
    IOTimerEventSource *me = new IOTimerEventSource;
    if (!me->init(inOptions, inOwner, inAction)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool IOTimerEventSource::init(uint32_t inOptions, OSObject *inOwner, Action inAction)
{
    options_ = inOptions;
    return init(inOwner, inAction); // virtual, as in xnu: subclasses override this one
}

bool IOTimerEventSource::init(OSObject *inOwner, Action inAction)
{
    if (!IOEventSource::init(inOwner, toEventSourceAction(inAction))) {
        return false;
    }
    if (!timerLock_ && !(timerLock_ = IOLockAlloc())) {
        return false;
    }
    abstime = 0;
    __atomic_store_n(&firedGeneration_, kNotFired, __ATOMIC_RELAXED);
    return true;
}

void IOTimerEventSource::free()
{
    if (timerLock_) {
        cancelTimeout(); // after this the callout thread no longer knows this object
        IOLockFree(timerLock_);
        timerLock_ = nullptr;
    }
    IOEventSource::free();
}

// --- Arming ------------------------------------------------------------------------------------

void IOTimerEventSource::armLocked(uint64_t deadline)
{
    ++generation_;
    TimerCallouts::shared().enter(this, deadline, &IOTimerEventSource::deadlinePassed, this, generation_);
}

IOReturn IOTimerEventSource::wakeAtTime(uint32_t options, AbsoluteTime inAbstime, AbsoluteTime leeway)
{
    if (!action) {
        return kIOReturnNoResources;
    }
    IOLockLock(timerLock_);
    abstime = inAbstime;
    // As xnu: while disabled or not on a work loop the deadline is only recorded; enable() and
    // setWorkLoop() arm it. A zero deadline arms nothing (and, as in xnu, leaves an earlier
    // arming in place).
    if (loadEnabled() && inAbstime && loadWorkLoop()) {
        armLocked(inAbstime);
    }
    IOLockUnlock(timerLock_);
    return kIOReturnSuccess;
}

IOReturn IOTimerEventSource::wakeAtTime(AbsoluteTime inAbstime)
{
    return wakeAtTime(0, inAbstime, 0);
}

IOReturn IOTimerEventSource::wakeAtTime(UInt32 inAbstime, UInt32 scale_factor)
{
    uint64_t end; // not AbsoluteTime: UInt64 and uint64_t are distinct types on Linux
    clock_interval_to_absolutetime_interval(inAbstime, scale_factor, &end);
    return wakeAtTime(static_cast<AbsoluteTime>(end));
}

IOReturn IOTimerEventSource::wakeAtTimeTicks(UInt32 ticks)
{
    return wakeAtTime(ticks, kTickScale);
}

IOReturn IOTimerEventSource::wakeAtTimeMS(UInt32 ms)
{
    return wakeAtTime(ms, kMillisecondScale);
}

IOReturn IOTimerEventSource::wakeAtTimeUS(UInt32 us)
{
    return wakeAtTime(us, kMicrosecondScale);
}

IOReturn IOTimerEventSource::setTimeout(UInt32 interval, UInt32 scale_factor)
{
    uint64_t end;
    clock_interval_to_deadline(interval, scale_factor, &end);
    return wakeAtTime(static_cast<AbsoluteTime>(end));
}

IOReturn IOTimerEventSource::setTimeout(AbsoluteTime interval)
{
    uint64_t end;
    clock_absolutetime_interval_to_deadline(interval, &end);
    return wakeAtTime(static_cast<AbsoluteTime>(end));
}

IOReturn IOTimerEventSource::setTimeout(uint32_t options, AbsoluteTime interval, AbsoluteTime leeway)
{
    uint64_t end;
    if (options & kIOTimeOptionsContinuous) {
        clock_continuoustime_interval_to_deadline(interval, &end);
    } else {
        clock_absolutetime_interval_to_deadline(interval, &end);
    }
    return wakeAtTime(options, static_cast<AbsoluteTime>(end), leeway);
}

IOReturn IOTimerEventSource::setTimeoutTicks(UInt32 ticks)
{
    return setTimeout(ticks, kTickScale);
}

IOReturn IOTimerEventSource::setTimeoutMS(UInt32 ms)
{
    return setTimeout(ms, kMillisecondScale);
}

IOReturn IOTimerEventSource::setTimeoutUS(UInt32 us)
{
    return setTimeout(us, kMicrosecondScale);
}

// --- Disarming ---------------------------------------------------------------------------------

void IOTimerEventSource::cancelTimeout()
{
    IOWorkLoop *wl = loadWorkLoop();
    if (wl) {
        wl->closeGate(); // waits out an action that is running now
    }
    IOLockLock(timerLock_);
    ++generation_; // a fired-but-undelivered arming is now stale
    abstime = 0;
    TimerCallouts::shared().cancel(this);
    IOLockUnlock(timerLock_);
    if (wl) {
        wl->openGate();
    }
}

void IOTimerEventSource::disable()
{
    IOWorkLoop *wl = loadWorkLoop();
    if (wl) {
        wl->closeGate();
    }
    IOLockLock(timerLock_);
    ++generation_; // as cancelTimeout, but the deadline stays for enable()
    TimerCallouts::shared().cancel(this);
    IOLockUnlock(timerLock_);
    IOEventSource::disable();
    if (wl) {
        wl->openGate();
    }
}

void IOTimerEventSource::enable()
{
    IOEventSource::enable();
    IOLockLock(timerLock_);
    const AbsoluteTime deadline = abstime;
    IOLockUnlock(timerLock_);
    if (wakeAtTime(deadline) != kIOReturnSuccess) {
        IOEventSource::disable(); // no action: as xnu, the enable does not stick
    }
}

void IOTimerEventSource::setWorkLoop(IOWorkLoop *inWorkLoop)
{
    IOEventSource::setWorkLoop(inWorkLoop); // removal disables, which disarms
    if (!inWorkLoop) {
        return;
    }
    IOLockLock(timerLock_);
    const AbsoluteTime deadline = abstime;
    IOLockUnlock(timerLock_);
    if (loadEnabled() && deadline) {
        wakeAtTime(deadline); // a deadline set before the source was added
    }
}

// --- Delivery ----------------------------------------------------------------------------------

void IOTimerEventSource::deadlinePassed(void *self, uint64_t generation)
{
    // On the callout thread, with the callout table locked (so cancel() waits for us, and the
    // source and its work loop stay valid). Only record and signal; the work loop decides.
    auto *me = static_cast<IOTimerEventSource *>(self);
    __atomic_store_n(&me->firedGeneration_, generation, __ATOMIC_RELEASE);
    if (me->loadEnabled()) {
        me->signalWorkAvailable();
    }
}

bool IOTimerEventSource::checkForWork()
{
    IOLockLock(timerLock_);
    const bool due = __atomic_load_n(&firedGeneration_, __ATOMIC_ACQUIRE) == generation_ && action && loadEnabled();
    if (due) {
        __atomic_store_n(&firedGeneration_, kNotFired, __ATOMIC_RELAXED);
    }
    IOLockUnlock(timerLock_);
    if (due) {
        toTimerAction(action)(owner, this); // gate still closed: see cancelTimeout()
    }
    return false;
}
