// <IOKit/IOWorkLoop.h>: a work loop is one dedicated thread plus a gate (a recursive lock).
//
// Event sources added to the loop get their checkForWork() called on that thread, with the gate
// closed, whenever one of them signals work; runAction() and IOCommandGate run code with the
// same gate closed from any thread, so everything done "on the work loop" is serialised.
// Semantics follow xnu iokit/Kernel/IOWorkLoop.cpp; see docs/differences.md ("Work loops") for
// the few places where we deliberately differ.
#pragma once

#ifndef KERNEL
#error IOWorkLoop.h is for kernel use only
#endif

#include <IOKit/IOLib.h>
#include <IOKit/IOLocks.h>
#include <IOKit/IOReturn.h>
#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

#include <memory>

class IOEventSource;
class IOTimerEventSource;
class IOCommandGate;
class IOInterruptEventSource;

class IOWorkLoop : public OSObject {
    OSDeclareDefaultStructors(IOWorkLoop);

public:
    typedef IOReturn (*Action)(OSObject *target, void *arg0, void *arg1, void *arg2, void *arg3);

    // Options of workLoopWithOptions. Accepted and recorded; a user-space thread has no stack
    // to keep wired, and lock-time diagnostics are not implemented.
    enum {
        kPreciousStack = 0x00000001,
        kTimeLockPanics = 0x00000002,
    };

protected:
    typedef enum { mAddEvent, mRemoveEvent } maintCommandEnum;

    IORecursiveLock *gateLock; // the gate; owned
    IOEventSource *eventChain; // retained event sources, linked by IOEventSource::getNext()
    IOThread workThread;       // the loop's thread; set once, before init() returns
    bool loopRestart;          // the chain changed during a pass; guarded by the gate

    // Adds or removes an event source; runs with the gate closed (xnu calls it through an
    // internal command gate; here addEventSource closes the gate itself).
    virtual IOReturn _maintRequest(void *command, void *data, void *, void *);

    // Two legs, as in xnu: the last release stops the thread; the storage goes once the thread
    // has ended. From any thread but the loop's own (and not holding the gate), free() joins the
    // thread and then frees. From the loop's own thread, or from a thread that still holds the
    // gate, it cannot wait: it marks the loop terminating and returns, and the thread calls
    // free() again on its way out, which frees. Because of the join, do not drop the last
    // reference while holding a lock that a running work-loop action may wait for.
    void free() override;

    // The loop: run the event sources until no more work, sleep until signalled, repeat; returns
    // when the loop is told to terminate.
    virtual void threadMain();

public:
    static OSPtr<IOWorkLoop> workLoop();
    static OSPtr<IOWorkLoop> workLoopWithOptions(IOOptionBits options);

    // Allocates the gate and starts the thread.
    bool init() override;

    virtual IOThread getThread() const;
    virtual bool onThread() const; // is the caller the loop's thread?
    virtual bool inGate() const;   // does the caller hold the gate?

    // Both run with the gate closed and may be called from any thread, the loop's own included.
    // addEventSource retains the source (and is a no-op, kIOReturnSuccess, for a source already on
    // a work loop); removeEventSource releases it and returns kIOReturnBadArgument if the source
    // is on another loop.
    virtual IOReturn addEventSource(IOEventSource *newEvent);
    virtual IOReturn removeEventSource(IOEventSource *toRemove);

    virtual void enableAllEventSources() const;
    virtual void disableAllEventSources() const;
    virtual void enableAllInterrupts() const;
    virtual void disableAllInterrupts() const;

protected:
    // Used by event sources (friends, as in Apple's header).
    friend class IOEventSource;
    friend class IOTimerEventSource;
    friend class IOCommandGate;

    virtual void signalWorkAvailable();
    virtual void openGate();
    virtual void closeGate();
    virtual bool tryCloseGate();
    // Release the gate (all recursion levels), sleep on `event`, retake the gate at the same
    // depth. Return THREAD_AWAKENED or THREAD_TIMED_OUT.
    virtual int sleepGate(void *event, UInt32 interuptibleType);
    virtual void wakeupGate(void *event, bool oneThread);

public:
    // Calls action(target, arg0..arg3) with the gate closed, on the caller's thread.
    virtual IOReturn runAction(Action action, OSObject *target, void *arg0 = NULL, void *arg1 = NULL,
                               void *arg2 = NULL, void *arg3 = NULL);

    // One pass of the loop on the caller's thread: checkForWork on every source until none has
    // more work. Returns false if the loop is terminating.
    virtual bool runEventSources();

    // Lock-time diagnostics are not implemented; the call is accepted.
    void setMaximumLockTime(uint64_t interval, uint32_t options);

protected:
    virtual int sleepGate(void *event, AbsoluteTime deadline, UInt32 interuptibleType);

private:
    struct Thread; // the std::thread and its wake-up signal (src/kernel/IOWorkLoop.cpp)

    static void threadEntry(IOWorkLoop *self);
    // Leg one of free(): stop the thread. Returns true once it has ended (joined); false if it
    // cannot be waited for here and will free the loop itself as it ends.
    bool stopThread();
    static void releaseEventChain(IOEventSource *chain);
    bool terminating() const;

    std::unique_ptr<Thread> thread_; // null before init() and after leg two of free()
    IOOptionBits options_;
    bool threadNamed_; // guarded by the gate
};
