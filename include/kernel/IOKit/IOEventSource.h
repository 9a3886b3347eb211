// <IOKit/IOEventSource.h>: the abstract base of everything a work loop serves.
//
// An event source belongs to one work loop at a time (IOWorkLoop::addEventSource). When it has
// work it calls signalWorkAvailable(); the loop's thread then calls its checkForWork() with the
// gate closed. The protected fields keep Apple's names and types, since kexts that subclass
// event sources use them; this implementation reads `enabled` and `workLoop` atomically (see
// src/kernel/IOEventSource.cpp). Semantics follow xnu iokit/Kernel/IOEventSource.cpp.
#pragma once

#ifndef KERNEL
#error IOEventSource.h is for kernel use only
#endif

#include <IOKit/IOLib.h>
#include <IOKit/IOWorkLoop.h>
#include <kern/clock.h>
#include <libkern/c++/OSObject.h>
#include <mach/clock_types.h>

class IOEventSource : public OSObject {
    OSDeclareAbstractStructors(IOEventSource);
    friend class IOWorkLoop;

public:
    // Each subclass defines its own Action type and casts it to and from this one.
    typedef void (*Action)(OSObject *owner, ...);

#define IOEventSourceAction IOEventSource::Action

protected:
    IOEventSource *eventChainNext; // the work loop's chain; guarded by its gate
    OSObject *owner;               // not retained, as in xnu: the owner outlives its sources
    Action action;
    bool enabled;
    IOWorkLoop *workLoop; // not retained: the loop retains its sources, not the reverse
    void *refcon;

    // Fails if owner is NULL. The source starts enabled.
    virtual bool init(OSObject *owner, IOEventSource::Action action = NULL);
    void free() override;

    // Called on the work loop's thread with the gate closed; returns true if it has more work,
    // which makes the loop make another pass before sleeping.
    virtual bool checkForWork();

    // Called by the work loop, with its gate closed, as the source is added (a loop) or removed
    // (NULL). Removal disables the source first.
    virtual void setWorkLoop(IOWorkLoop *workLoop);
    virtual void setNext(IOEventSource *next);
    virtual IOEventSource *getNext() const;

protected:
    // The work loop's gate and signal, for subclasses. All but signalWorkAvailable require the
    // source to be on a work loop.
    void signalWorkAvailable();
    void openGate();
    void closeGate();
    bool tryCloseGate();
    int sleepGate(void *event, UInt32 type);
    int sleepGate(void *event, AbsoluteTime deadline, UInt32 type);
    void wakeupGate(void *event, bool oneThread);

public:
    virtual void setAction(IOEventSource::Action action);
    virtual IOEventSource::Action getAction() const;

    void setRefcon(void *refcon);
    void *getRefcon() const;

    // enable() also signals the work loop, so work that arrived while disabled gets looked at.
    virtual void enable();
    virtual void disable();
    virtual bool isEnabled() const;

    virtual IOWorkLoop *getWorkLoop() const;
    virtual bool onThread() const; // on a work loop, and the caller is its thread

protected:
    // Atomic views of `workLoop` and `enabled`, which other threads read while the work loop
    // changes them (a timer's or interrupt's thread, a gate waiting to be enabled).
    IOWorkLoop *loadWorkLoop() const;
    void storeWorkLoop(IOWorkLoop *loop);
    bool loadEnabled() const;
    void storeEnabled(bool value);
};
