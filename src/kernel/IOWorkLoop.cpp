// IOWorkLoop: one thread serving a chain of event sources, and the gate that serialises them
// (xnu iokit/Kernel/IOWorkLoop.cpp semantics).
#include <IOKit/IOCommandGate.h>
#include <IOKit/IOEventSource.h>
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

OSDefineMetaClassAndStructors(IOWorkLoop, OSObject);

// The thread and its signal. `mutex` orders a signal against the thread's decision to sleep,
// as xnu's workToDoLock does, so no signal is lost.
struct IOWorkLoop::Thread {
    std::thread handle;
    std::mutex mutex;
    std::condition_variable signal;
    bool workToDo = false; // guarded by mutex
    bool selfReap = false; // guarded by mutex: the thread frees the loop as it ends
    // Set (under the gate and `mutex`) by leg one of free(); read under either, or racily as a
    // hint.
    std::atomic<bool> terminate{false};
    bool ended = false; // the thread has left threadMain and will not touch the loop again
};

// --- Construction and destruction ------------------------------------------------------------

IOWorkLoop *IOWorkLoop::workLoop()
{
    return workLoopWithOptions(0);
}

IOWorkLoop *IOWorkLoop::workLoopWithOptions(IOOptionBits options)
{
    IOWorkLoop *me = new IOWorkLoop;
    me->options_ = options;
    if (!me->init()) {
        me->release();
        return nullptr;
    }
    return me;
}

bool IOWorkLoop::init()
{
    if (!OSObject::init()) {
        return false;
    }
    if (!gateLock && !(gateLock = IORecursiveLockAlloc())) {
        return false;
    }
    if (thread_) {
        return true; // already running: init() called twice
    }
    thread_ = std::make_unique<Thread>();
    // The thread records its identity before reporting in, so getThread() and onThread() are
    // valid as soon as init() returns. The promise belongs to the thread, so reporting in never
    // touches this stack frame after it has gone.
    std::promise<void> started;
    std::future<void> running = started.get_future();
    try {
        thread_->handle = std::thread([this, started = std::move(started)]() mutable {
            workThread = IOThreadSelf();
            started.set_value();
            threadEntry(this);
        });
    } catch (const std::system_error &) {
        thread_.reset(); // no thread: free() skips straight to leg two
        return false;
    }
    running.wait();
    return true;
}

void IOWorkLoop::threadEntry(IOWorkLoop *self)
{
    self->threadMain();
    bool reap;
    {
        std::lock_guard guard(self->thread_->mutex);
        reap = self->thread_->selfReap;
    }
    if (reap) {
        // Leg one ran on this thread, or on one that held the gate: nobody waits for us, so
        // this thread finishes the release (xnu's threadMain ends the same way). That other
        // thread may still be inside the gate (the loop's end does not need the gate); take
        // the gate once, so it has let go before the gate is freed.
        self->closeGate();
        self->openGate();
        self->thread_->ended = true;
        self->free();
    }
    // Otherwise free() is joining this thread and will free the loop once we return.
}

void IOWorkLoop::free()
{
    if (thread_ && !thread_->ended && !stopThread()) {
        return; // the thread frees the loop as it ends
    }
    // Leg two: the thread is gone (or never started).
    releaseEventChain(eventChain);
    eventChain = nullptr;
    thread_.reset();
    if (gateLock) {
        IORecursiveLockFree(gateLock);
        gateLock = nullptr;
    }
    OSObject::free();
}

bool IOWorkLoop::stopThread()
{
    // As xnu: with the gate closed, disable every source (timers are disarmed, command gates
    // stop accepting callers) and tell the thread to end.
    const bool callerHeldGate = inGate();
    closeGate();
    disableAllEventSources();
    bool waitable;
    {
        std::lock_guard guard(thread_->mutex);
        // A thread that holds the gate cannot wait: the loop's thread needs the gate to notice
        // that it must end. Neither can the loop's own thread wait for itself.
        waitable = !onThread() && !callerHeldGate;
        thread_->selfReap = !waitable;
        thread_->terminate = true;
        if (!waitable) {
            thread_->handle.detach();
        }
        thread_->signal.notify_one();
    }
    openGate();
    if (waitable) {
        thread_->handle.join();
        thread_->ended = true;
    }
    return waitable;
}

void IOWorkLoop::releaseEventChain(IOEventSource *chain)
{
    IOEventSource *next;
    for (IOEventSource *event = chain; event; event = next) {
        next = event->getNext();
        event->setWorkLoop(nullptr);
        event->setNext(nullptr);
        event->release();
    }
}

bool IOWorkLoop::terminating() const
{
    return thread_ && thread_->terminate.load();
}

// --- The loop --------------------------------------------------------------------------------

void IOWorkLoop::threadMain()
{
    for (;;) {
        if (!runEventSources()) {
            return;
        }
        std::unique_lock lock(thread_->mutex);
        thread_->signal.wait(lock, [this] { return thread_->workToDo || thread_->terminate; });
        if (thread_->terminate) {
            return;
        }
    }
}

bool IOWorkLoop::runEventSources()
{
    closeGate();
    bool running = !terminating();
    bool more = running;
    while (more) {
        loopRestart = false;
        more = false;
        {
            std::lock_guard guard(thread_->mutex);
            thread_->workToDo = false; // signals from here on start another pass
        }
        for (IOEventSource *event = eventChain; event; event = event->getNext()) {
            more |= event->checkForWork();
            if (terminating()) {
                running = false;
                more = false;
                break;
            }
            // The chain changed under us (the source may be gone): start again from the head
            // before touching `event` again, as xnu does.
            if (loopRestart) {
                more = true;
                break;
            }
        }
    }
    openGate();
    return running;
}

void IOWorkLoop::signalWorkAvailable()
{
    if (!thread_) {
        return;
    }
    std::lock_guard guard(thread_->mutex);
    thread_->workToDo = true;
    thread_->signal.notify_one();
}

// --- Identity and gate -----------------------------------------------------------------------

IOThread IOWorkLoop::getThread() const
{
    return workThread;
}

bool IOWorkLoop::onThread() const
{
    return workThread && IOThreadSelf() == workThread;
}

bool IOWorkLoop::inGate() const
{
    return gateLock && IORecursiveLockHaveLock(gateLock);
}

void IOWorkLoop::openGate()
{
    IORecursiveLockUnlock(gateLock);
}

void IOWorkLoop::closeGate()
{
    IORecursiveLockLock(gateLock);
}

bool IOWorkLoop::tryCloseGate()
{
    return IORecursiveLockTryLock(gateLock) != 0;
}

int IOWorkLoop::sleepGate(void *event, UInt32 interuptibleType)
{
    return IORecursiveLockSleep(gateLock, event, interuptibleType);
}

int IOWorkLoop::sleepGate(void *event, AbsoluteTime deadline, UInt32 interuptibleType)
{
    return IORecursiveLockSleepDeadline(gateLock, event, deadline, interuptibleType);
}

void IOWorkLoop::wakeupGate(void *event, bool oneThread)
{
    IORecursiveLockWakeup(gateLock, event, oneThread);
}

IOReturn IOWorkLoop::runAction(Action inAction, OSObject *target, void *arg0, void *arg1, void *arg2, void *arg3)
{
    if (!inAction) {
        return kIOReturnBadArgument; // xnu would call through NULL
    }
    closeGate(); // recursive: fine if the caller already holds it
    const IOReturn result = inAction(target, arg0, arg1, arg2, arg3);
    openGate();
    return result;
}

void IOWorkLoop::setMaximumLockTime(uint64_t interval, uint32_t options)
{
    // FIXME: lock-time diagnostics (xnu's DEVELOPMENT-kernel lockTime()) are not implemented.
}

// --- Event sources ---------------------------------------------------------------------------

IOReturn IOWorkLoop::addEventSource(IOEventSource *newEvent)
{
    if (!newEvent) {
        return kIOReturnBadArgument;
    }
    closeGate();
    // As xnu, name the thread after the first owner, which makes debuggers' thread lists
    // readable. Linux limits names to 15 characters.
    if (!threadNamed_ && newEvent->owner && thread_ && thread_->handle.joinable()) {
        char name[16] = {};
        std::strncpy(name, newEvent->owner->getMetaClass()->getClassName(), sizeof name - 1);
        pthread_setname_np(thread_->handle.native_handle(), name);
        threadNamed_ = true;
    }
    const IOReturn result = _maintRequest(reinterpret_cast<void *>(mAddEvent), newEvent, nullptr, nullptr);
    openGate();
    return result;
}

IOReturn IOWorkLoop::removeEventSource(IOEventSource *toRemove)
{
    if (!toRemove) {
        return kIOReturnBadArgument;
    }
    closeGate();
    const IOReturn result = _maintRequest(reinterpret_cast<void *>(mRemoveEvent), toRemove, nullptr, nullptr);
    openGate();
    return result;
}

IOReturn IOWorkLoop::_maintRequest(void *inC, void *inD, void *, void *)
{
    const auto command = static_cast<maintCommandEnum>(reinterpret_cast<uintptr_t>(inC));
    auto *inEvent = static_cast<IOEventSource *>(inD);

    switch (command) {
    case mAddEvent: {
        if (inEvent->getWorkLoop()) {
            return kIOReturnSuccess; // already on a loop (this one or another): as xnu, a no-op
        }
        loopRestart = true;
        inEvent->retain();
        inEvent->setWorkLoop(this);
        inEvent->setNext(nullptr);
        if (!eventChain) {
            eventChain = inEvent;
        } else {
            IOEventSource *last = eventChain;
            while (last->getNext()) {
                last = last->getNext();
            }
            last->setNext(inEvent);
        }
        return kIOReturnSuccess;
    }
    case mRemoveEvent: {
        if (!inEvent->getWorkLoop()) {
            return kIOReturnSuccess; // not on any loop: nothing to do, as xnu
        }
        if (eventChain == inEvent) {
            eventChain = inEvent->getNext();
        } else {
            IOEventSource *previous = eventChain;
            while (previous && previous->getNext() != inEvent) {
                previous = previous->getNext();
            }
            if (!previous) {
                return kIOReturnBadArgument; // on another work loop
            }
            previous->setNext(inEvent->getNext());
        }
        inEvent->setWorkLoop(nullptr);
        inEvent->setNext(nullptr);
        loopRestart = true;
        inEvent->release();
        return kIOReturnSuccess;
    }
    }
    return kIOReturnUnsupported;
}

void IOWorkLoop::enableAllEventSources() const
{
    for (IOEventSource *event = eventChain; event; event = event->getNext()) {
        event->enable();
    }
}

void IOWorkLoop::disableAllEventSources() const
{
    for (IOEventSource *event = eventChain; event; event = event->getNext()) {
        event->disable();
    }
}

void IOWorkLoop::enableAllInterrupts() const
{
    for (IOEventSource *event = eventChain; event; event = event->getNext()) {
        if (OSDynamicCast(IOInterruptEventSource, event)) {
            event->enable();
        }
    }
}

void IOWorkLoop::disableAllInterrupts() const
{
    for (IOEventSource *event = eventChain; event; event = event->getNext()) {
        if (OSDynamicCast(IOInterruptEventSource, event)) {
            event->disable();
        }
    }
}
