// IOCommandGate: call actions with a work loop's gate closed, from any thread. Return codes and
// the disabled-gate and teardown protocol follow xnu iokit/Kernel/IOCommandGate.cpp
// (xnu-11417: runAction, attemptAction, setWorkLoop), line references in docs/differences.md.
#include <IOKit/IOCommandGate.h>
#include <IOKit/IOWorkLoop.h>

OSDefineMetaClassAndStructors(IOCommandGate, IOEventSource);

namespace {

// IOEventSource stores every subclass's action as its own Action type; the casts go through
// void (*)(), the type GCC accepts as a generic function pointer, and always round-trip.
IOEventSource::Action toEventSourceAction(IOCommandGate::Action action)
{
    return reinterpret_cast<IOEventSource::Action>(reinterpret_cast<void (*)()>(action));
}

IOCommandGate::Action toGateAction(IOEventSource::Action action)
{
    return reinterpret_cast<IOCommandGate::Action>(reinterpret_cast<void (*)()>(action));
}

} // namespace

IOCommandGate *IOCommandGate::commandGate(OSObject *inOwner, Action inAction)
{
    IOCommandGate *me = new IOCommandGate;
    if (!me->init(inOwner, inAction)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool IOCommandGate::init(OSObject *inOwner, Action inAction)
{
    return IOEventSource::init(inOwner, toEventSourceAction(inAction));
}

void IOCommandGate::free()
{
    if (loadWorkLoop()) {
        setWorkLoop(nullptr);
    }
    IOEventSource::free();
}

// --- Enabling --------------------------------------------------------------------------------

void IOCommandGate::disable()
{
    IOWorkLoop *wl = loadWorkLoop();
    if (wl && !wl->inGate()) {
        IOLog("IOCommandGate::disable() called when not gated\n"); // xnu: OSReportWithBacktrace
    }
    IOEventSource::disable();
}

void IOCommandGate::enable()
{
    IOWorkLoop *wl = loadWorkLoop();
    if (!wl) {
        return;
    }
    wl->closeGate();
    IOEventSource::enable();
    wl->wakeupGate(&enabled, false); // callers stalled in runAction
    wl->openGate();
}

// --- Removal from the work loop ---------------------------------------------------------------

void IOCommandGate::setWorkLoop(IOWorkLoop *inWorkLoop)
{
    IOWorkLoop *wl = loadWorkLoop();
    if (inWorkLoop || !wl) {
        IOEventSource::setWorkLoop(inWorkLoop);
        return;
    }
    // Tearing down. Callers stalled on the disabled gate must leave first: wake them, and wait
    // (releasing the gate) until the last has gone; each sees removalPending_ and returns
    // kIOReturnAborted. Actions still running (asleep in commandSleep) keep the gate attached
    // until the last returns, which then completes the removal.
    wl->closeGate();
    removalPending_ = true;
    while (stalledCallers_ > 0) {
        wl->wakeupGate(&enabled, false);
        wl->sleepGate(&stalledCallers_, THREAD_UNINT);
    }
    if (runningActions_ == 0) {
        IOEventSource::setWorkLoop(nullptr);
        removalPending_ = false;
    }
    wl->openGate();
}

// --- Running actions ---------------------------------------------------------------------------

IOReturn IOCommandGate::runCommand(void *arg0, void *arg1, void *arg2, void *arg3)
{
    return runAction(toGateAction(action), arg0, arg1, arg2, arg3);
}

IOReturn IOCommandGate::attemptCommand(void *arg0, void *arg1, void *arg2, void *arg3)
{
    return attemptAction(toGateAction(action), arg0, arg1, arg2, arg3);
}

IOReturn IOCommandGate::runAction(Action inAction, void *arg0, void *arg1, void *arg2, void *arg3)
{
    if (!inAction) {
        return kIOReturnBadArgument;
    }
    IOWorkLoop *wl = loadWorkLoop();
    if (!wl) {
        return kIOReturnNotReady;
    }
    wl->closeGate(); // recursive: fine if the caller already holds it

    // A disabled gate stalls every caller but the work loop's own thread until enable(), or
    // until the gate is removed from its loop.
    if (!wl->onThread()) {
        while (!loadEnabled()) {
            int sleepResult = THREAD_AWAKENED;
            if (loadWorkLoop()) {
                ++stalledCallers_;
                sleepResult = wl->sleepGate(&enabled, THREAD_INTERRUPTIBLE);
                --stalledCallers_;
            }
            const bool tornDown = !loadWorkLoop() || removalPending_;
            if (sleepResult != THREAD_AWAKENED || tornDown) {
                if (tornDown) {
                    wl->wakeupGate(&stalledCallers_, false); // setWorkLoop(NULL) waits for us
                }
                wl->openGate();
                return kIOReturnAborted;
            }
        }
    }

    ++runningActions_;
    const IOReturn result = inAction(owner, arg0, arg1, arg2, arg3);
    --runningActions_;
    if (removalPending_ && runningActions_ == 0) {
        removalPending_ = false;
        IOEventSource::setWorkLoop(nullptr); // the removal deferred by setWorkLoop(NULL)
    }
    wl->openGate();
    return result;
}

IOReturn IOCommandGate::attemptAction(Action inAction, void *arg0, void *arg1, void *arg2, void *arg3)
{
    if (!inAction) {
        return kIOReturnBadArgument;
    }
    IOWorkLoop *wl = loadWorkLoop();
    if (!wl) {
        return kIOReturnNotReady;
    }
    if (!wl->tryCloseGate()) {
        return kIOReturnCannotLock;
    }
    IOReturn result;
    if (!wl->onThread() && !loadEnabled()) {
        result = kIOReturnNotPermitted;
    } else {
        result = inAction(owner, arg0, arg1, arg2, arg3);
    }
    wl->openGate();
    return result;
}

// --- Sleeping in the gate ----------------------------------------------------------------------

IOReturn IOCommandGate::commandSleep(void *event, UInt32 interruptible)
{
    IOWorkLoop *wl = loadWorkLoop();
    if (!wl || !wl->inGate()) {
        // xnu panics ("invalid commandSleep while not holding the gate"); before xnu-4903 it
        // returned kIOReturnNotPermitted, which is kinder to a process hosting many kexts.
        IOLog("IOCommandGate::commandSleep called without holding the gate\n");
        return kIOReturnNotPermitted;
    }
    return sleepGate(event, interruptible);
}

IOReturn IOCommandGate::commandSleep(void *event, AbsoluteTime deadline, UInt32 interruptible)
{
    IOWorkLoop *wl = loadWorkLoop();
    if (!wl || !wl->inGate()) {
        IOLog("IOCommandGate::commandSleep called without holding the gate\n");
        return kIOReturnNotPermitted;
    }
    return sleepGate(event, deadline, interruptible);
}

void IOCommandGate::commandWakeup(void *event, bool oneThread)
{
    if (IOWorkLoop *wl = loadWorkLoop()) {
        wl->wakeupGate(event, oneThread);
    }
}
