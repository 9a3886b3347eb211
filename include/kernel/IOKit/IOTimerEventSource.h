// <IOKit/IOTimerEventSource.h>: a one-shot timer whose action runs with the work loop's gate
// closed.
//
// setTimeout* arms the timer relative to now, wakeAtTime* at an absolute time; arming again
// replaces the previous deadline. When the deadline passes, the action runs once, on the work
// loop's thread with the gate closed. Guarantee: once cancelTimeout() (or disable()) returns,
// the action does not run for any arming made before it, even if the deadline had already
// passed: cancelling closes the gate, and the action only runs under the gate after checking
// that its arming is still current. Semantics otherwise follow xnu
// iokit/Kernel/IOTimerEventSource.cpp, including two of its quirks:
//   - arming without an action fails with kIOReturnNoResources; arming while disabled or not on
//     a work loop only records the deadline, which enable() / addEventSource() then arm;
//   - disable() keeps the deadline, so enable() re-arms it, even after it has fired (the action
//     then runs again at once); cancelTimeout() forgets it.
#pragma once

#ifndef KERNEL
#error IOTimerEventSource.h is for kernel use only
#endif

#include <IOKit/IOEventSource.h>
#include <IOKit/IOTypes.h>
#include <kern/clock.h>
#include <libkern/c++/OSPtr.h>

// Callout priorities of timerEventSource(options, ...). Accepted for source compatibility; all
// timers here are delivered on the work loop's thread (see docs/differences.md).
enum {
    kIOTimerEventSourceOptionsPriorityMask = 0x000000ff,
    kIOTimerEventSourceOptionsPriorityHigh = 0x00000000,
    kIOTimerEventSourceOptionsPriorityKernelHigh = 0x00000001,
    kIOTimerEventSourceOptionsPriorityKernel = 0x00000002,
    kIOTimerEventSourceOptionsPriorityUser = 0x00000003,
    kIOTimerEventSourceOptionsPriorityLow = 0x00000004,
    kIOTimerEventSourceOptionsPriorityWorkLoop = 0x000000ff,

    kIOTimerEventSourceOptionsAllowReenter = 0x00000100,

    kIOTimerEventSourceOptionsDefault = kIOTimerEventSourceOptionsPriorityKernelHigh
};

#define IOTIMEREVENTSOURCEOPTIONS_DEFINED 1

// Options of setTimeout/wakeAtTime(options, ...). Leeway is ignored; continuous time equals
// absolute time here (no sleep), so both are accepted.
enum {
    kIOTimeOptionsWithLeeway = 0x00000020,
    kIOTimeOptionsContinuous = 0x00000100,
};

class IOTimerEventSource : public IOEventSource {
    OSDeclareDefaultStructors(IOTimerEventSource);

protected:
    // The deadline last requested (0: none); kept by disable(), cleared by cancelTimeout().
    // Guarded by timerLock_.
    AbsoluteTime abstime;

    void free() override;
    void setWorkLoop(IOWorkLoop *workLoop) override;

public:
    typedef void (*Action)(OSObject *owner, IOTimerEventSource *sender);

    static OSPtr<IOTimerEventSource> timerEventSource(OSObject *owner, Action action = NULL);
    static OSPtr<IOTimerEventSource> timerEventSource(uint32_t options, OSObject *owner, Action action = NULL);

    virtual bool init(OSObject *owner, Action action = NULL);
    virtual bool init(uint32_t options, OSObject *inOwner, Action inAction);

    // enable() re-arms the recorded deadline; disable() cancels the callout (keeping the
    // deadline). Both close the gate, so after disable() returns the action does not run.
    void enable() override;
    void disable() override;

    // All return kIOReturnSuccess, or kIOReturnNoResources if the source has no action.
    virtual IOReturn setTimeoutTicks(UInt32 ticks);
    virtual IOReturn setTimeoutMS(UInt32 ms);
    virtual IOReturn setTimeoutUS(UInt32 us);
    virtual IOReturn setTimeout(UInt32 interval, UInt32 scale_factor = kNanosecondScale);
    virtual IOReturn setTimeout(AbsoluteTime interval);
    virtual IOReturn setTimeout(uint32_t options, AbsoluteTime interval, AbsoluteTime leeway);

    // Absolute deadlines, in units of scale_factor since boot (mach_absolute_time's epoch).
    virtual IOReturn wakeAtTimeTicks(UInt32 ticks);
    virtual IOReturn wakeAtTimeMS(UInt32 ms);
    virtual IOReturn wakeAtTimeUS(UInt32 us);
    virtual IOReturn wakeAtTime(UInt32 abstime, UInt32 scale_factor = kNanosecondScale);
    virtual IOReturn wakeAtTime(AbsoluteTime abstime);
    virtual IOReturn wakeAtTime(uint32_t options, AbsoluteTime abstime, AbsoluteTime leeway);

    // Disarms the timer and forgets the deadline. Closes the gate: once it returns, the action
    // will not run for any earlier arming. Call it from the action or any thread, but not while
    // holding a lock that the action itself takes.
    virtual void cancelTimeout();

    // Apple's uint64_t is unsigned long long, the same type as AbsoluteTime (UInt64); Linux's is
    // unsigned long, with which setTimeout(x) and wakeAtTime(x) would be ambiguous between the
    // UInt32 and AbsoluteTime overloads. These forwarders keep such kext code compiling.
    IOReturn setTimeout(unsigned long interval) { return setTimeout(static_cast<AbsoluteTime>(interval)); }
    IOReturn wakeAtTime(unsigned long deadline) { return wakeAtTime(static_cast<AbsoluteTime>(deadline)); }

protected:
    bool checkForWork() override;

private:
    // Called on the timer thread when an arming's deadline passes.
    static void deadlinePassed(void *self, uint64_t generation);
    void armLocked(uint64_t deadline);

    IOLock *timerLock_;          // guards abstime, generation_ and the callout's arming
    uint32_t options_;           // creation options, recorded only
    uint64_t generation_;        // bumped by every arming, disable and cancel; guarded by timerLock_
    uint64_t firedGeneration_;   // the arming whose deadline passed; accessed atomically
};
