// <IOKit/IOInterruptEventSource.h>: deliver interrupts to a work loop.
//
// interruptOccurred() is the "primary interrupt handler": it may be called from any thread
// (here: the simulated bus's), any number of times, and only counts and signals. The work loop's
// thread then calls the action once, with the gate closed, passing how many interrupts arrived
// since the last call (xnu's producer/consumer counters, iokit/Kernel/IOInterruptEventSource.cpp).
//
// Providers (as xnu): a source made with a provider registers with the provider's interrupt
// `intIndex` (IOService::registerInterrupt; creation fails if the provider has no such
// interrupt or it already has a handler) and stays registered while it is on a work loop.
// enable()/disable() unmask/mask the provider's interrupt: interrupts raised while masked wait
// at the provider and arrive after enable(). A level-triggered interrupt (getInterruptType)
// auto-disables: the primary handler masks it and the work loop unmasks it after the action.
// A source without a provider ignores enable()/disable(), as xnu's does.
#pragma once

#ifndef KERNEL
#error IOInterruptEventSource.h is for kernel use only
#endif

#include <IOKit/IOEventSource.h>
#include <libkern/c++/OSPtr.h>

class IOService;

class IOInterruptEventSource : public IOEventSource {
    OSDeclareDefaultStructors(IOInterruptEventSource);

public:
    typedef void (*Action)(OSObject *owner, IOInterruptEventSource *sender, int count);

#define IOInterruptEventAction IOInterruptEventSource::Action

protected:
    IOService *provider; // not retained, as in xnu: the owner keeps its provider alive
    // The index given at creation while registered with a provider; its complement (~index,
    // negative) otherwise, which is what getIntIndex() returns for a source without provider.
    int intIndex;
    volatile unsigned int producerCount; // interrupts seen; incremented atomically
    unsigned int consumerCount;          // interrupts delivered; guarded by the gate
    bool autoDisable;                    // level-triggered provider interrupt
    bool explicitDisable;                // disable() was called (sources with a provider)

    void free() override;
    // Delivers the interrupts counted since the last call. Gate closed, work loop thread.
    bool checkForWork() override;
    void setWorkLoop(IOWorkLoop *inWorkLoop) override;

    // Registers with provider's interrupt `inIntIndex` (xnu's helpers of the same names).
    IOReturn registerInterruptHandler(IOService *inProvider, int inIntIndex);
    void unregisterInterruptHandler(IOService *inProvider, int inIntIndex);

public:
    static OSPtr<IOInterruptEventSource> interruptEventSource(OSObject *owner, Action action,
                                                             IOService *provider = NULL, int intIndex = 0);

    // Fails if owner is NULL, intIndex is negative, or registration with the provider fails.
    virtual bool init(OSObject *owner, Action action, IOService *provider = NULL, int intIndex = 0);

    void enable() override;
    void disable() override;

    virtual const IOService *getProvider() const;
    virtual int getIntIndex() const;
    virtual bool getAutoDisable() const;

    // The software trigger. Any thread, any time; interrupts that arrive before the source is
    // on a work loop are delivered once it is added.
    virtual void interruptOccurred(void *refcon, IOService *nub, int ind);
    virtual void normalInterruptOccurred(void *refcon, IOService *nub, int ind);
    virtual void disableInterruptOccurred(void *refcon, IOService *nub, int ind);

private:
    // Serialises interruptOccurred's signal with a change of work loop, so that once the source
    // has been removed no trigger still touches the old loop (which may then be freed).
    IOLock *signalLock_;
};
