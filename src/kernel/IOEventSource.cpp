// IOEventSource: the common part of work-loop event sources (xnu
// iokit/Kernel/IOEventSource.cpp semantics).
#include <IOKit/IOEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <atomic>

OSDefineMetaClassAndAbstractStructors(IOEventSource, OSObject);

// `workLoop` and `enabled` keep Apple's plain types for subclasses, but other threads read them
// while the work loop changes them (a timer firing, an interrupt arriving, a caller stalled on a
// disabled command gate), so this code accesses them atomically.
IOWorkLoop *IOEventSource::loadWorkLoop() const
{
    return std::atomic_ref(const_cast<IOWorkLoop *&>(workLoop)).load();
}

void IOEventSource::storeWorkLoop(IOWorkLoop *loop)
{
    std::atomic_ref(workLoop).store(loop);
}

bool IOEventSource::loadEnabled() const
{
    return std::atomic_ref(const_cast<bool &>(enabled)).load();
}

void IOEventSource::storeEnabled(bool value)
{
    std::atomic_ref(enabled).store(value);
}

bool IOEventSource::init(OSObject *inOwner, Action inAction)
{
    if (!inOwner) {
        return false;
    }
    owner = inOwner;
    if (!OSObject::init()) {
        return false;
    }
    setAction(inAction);
    storeEnabled(true);
    return true;
}

void IOEventSource::free()
{
    OSObject::free();
}

bool IOEventSource::checkForWork()
{
    return false;
}

// --- The work loop's gate and signal ---------------------------------------------------------

void IOEventSource::signalWorkAvailable()
{
    // xnu dereferences workLoop unconditionally; a source not on a loop has nobody to signal,
    // and whoever adds it later makes the loop look at it.
    if (IOWorkLoop *loop = loadWorkLoop()) {
        loop->signalWorkAvailable();
    }
}

void IOEventSource::openGate()
{
    loadWorkLoop()->openGate();
}

void IOEventSource::closeGate()
{
    loadWorkLoop()->closeGate();
}

bool IOEventSource::tryCloseGate()
{
    return loadWorkLoop()->tryCloseGate();
}

int IOEventSource::sleepGate(void *event, UInt32 type)
{
    return loadWorkLoop()->sleepGate(event, type);
}

int IOEventSource::sleepGate(void *event, AbsoluteTime deadline, UInt32 type)
{
    return loadWorkLoop()->sleepGate(event, deadline, type);
}

void IOEventSource::wakeupGate(void *event, bool oneThread)
{
    loadWorkLoop()->wakeupGate(event, oneThread);
}

// --- Accessors -------------------------------------------------------------------------------

void IOEventSource::setAction(Action inAction)
{
    action = inAction;
}

IOEventSource::Action IOEventSource::getAction() const
{
    return action;
}

void IOEventSource::setRefcon(void *newRefcon)
{
    refcon = newRefcon;
}

void *IOEventSource::getRefcon() const
{
    return refcon;
}

IOEventSource *IOEventSource::getNext() const
{
    return eventChainNext;
}

void IOEventSource::setNext(IOEventSource *inNext)
{
    eventChainNext = inNext;
}

void IOEventSource::enable()
{
    storeEnabled(true);
    signalWorkAvailable();
}

void IOEventSource::disable()
{
    storeEnabled(false);
}

bool IOEventSource::isEnabled() const
{
    return loadEnabled();
}

void IOEventSource::setWorkLoop(IOWorkLoop *inWorkLoop)
{
    if (!inWorkLoop) {
        disable();
    }
    storeWorkLoop(inWorkLoop);
}

IOWorkLoop *IOEventSource::getWorkLoop() const
{
    return loadWorkLoop();
}

bool IOEventSource::onThread() const
{
    IOWorkLoop *loop = loadWorkLoop();
    return loop && loop->onThread();
}
