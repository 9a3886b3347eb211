// <IOKit/IOCommandGate.h>: run code single-threaded with a work loop, from any thread.
//
// runAction/runCommand close the work loop's gate on the caller's thread, call the action, and
// open it again; the gate is recursive, so an action may call back into the gate. Return codes
// and the disabled-gate behaviour are xnu's (iokit/Kernel/IOCommandGate.cpp, xnu-11417):
//   - no action: kIOReturnBadArgument; gate not on a work loop: kIOReturnNotReady;
//   - a disabled gate stalls runAction/runCommand callers (except the work loop's own thread)
//     until enable(); if the gate is removed from its work loop meanwhile, they return
//     kIOReturnAborted;
//   - attemptAction/attemptCommand: kIOReturnCannotLock if another thread holds the gate,
//     kIOReturnNotPermitted if the gate is disabled (and the caller is not the loop's thread).
#pragma once

#ifndef KERNEL
#error IOCommandGate.h is for kernel use only
#endif

#include <IOKit/IOEventSource.h>
#include <libkern/c++/OSPtr.h>

class IOCommandGate : public IOEventSource {
    OSDeclareDefaultStructors(IOCommandGate);

public:
    typedef IOReturn (*Action)(OSObject *owner, void *arg0, void *arg1, void *arg2, void *arg3);

    static OSPtr<IOCommandGate> commandGate(OSObject *owner, Action action = NULL);

    virtual bool init(OSObject *owner, Action action = NULL);

    // Superclass overrides.
    void free() override;
    // Removing the gate from its work loop wakes the callers stalled on a disabled gate (they
    // return kIOReturnAborted) and, while an action is still running (asleep in commandSleep),
    // defers the removal until the last one returns; as xnu.
    void setWorkLoop(IOWorkLoop *inWorkLoop) override;

    // runAction with the gate's own action.
    virtual IOReturn runCommand(void *arg0 = NULL, void *arg1 = NULL, void *arg2 = NULL, void *arg3 = NULL);
    virtual IOReturn runAction(Action action, void *arg0 = NULL, void *arg1 = NULL, void *arg2 = NULL,
                               void *arg3 = NULL);
    // As runCommand/runAction, but fail with kIOReturnCannotLock instead of waiting for the gate.
    virtual IOReturn attemptCommand(void *arg0 = NULL, void *arg1 = NULL, void *arg2 = NULL, void *arg3 = NULL);
    virtual IOReturn attemptAction(Action action, void *arg0 = NULL, void *arg1 = NULL, void *arg2 = NULL,
                                   void *arg3 = NULL);

    // Release the gate, sleep until commandWakeup(event) (or the deadline), retake the gate.
    // The caller must hold the gate. Returns the wait result: THREAD_AWAKENED (0, which is
    // kIOReturnSuccess) or THREAD_TIMED_OUT. Without the gate: xnu panics; we log and return
    // kIOReturnNotPermitted, as xnu did before xnu-4903 (see docs/differences.md).
    virtual IOReturn commandSleep(void *event, UInt32 interruptible = THREAD_ABORTSAFE);
    virtual void commandWakeup(void *event, bool oneThread = false);

    // Must be called with the gate closed (logged otherwise, as xnu does). While disabled,
    // runAction/runCommand callers other than the work loop's thread stall until enable().
    void disable() override;
    // Re-enables the gate and wakes the stalled callers. Does nothing if the gate is not on a
    // work loop (as xnu).
    void enable() override;

    virtual IOReturn commandSleep(void *event, AbsoluteTime deadline, UInt32 interruptible);

private:
    // Bookkeeping for removal while callers are stalled or actions are running; all guarded by
    // the work loop's gate (xnu packs the same state into the `reserved` pointer).
    unsigned int stalledCallers_; // runAction callers asleep waiting for enable()
    unsigned int runningActions_; // actions entered through runAction and not yet returned
    bool removalPending_;         // setWorkLoop(NULL) happened; finish it when actions drain
};
