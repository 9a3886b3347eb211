// <IOKit/IOInterruptEventSource.h>: deliver interrupts to a work loop.
//
// interruptOccurred() is the "primary interrupt handler": it may be called from any thread
// (here: the simulated bus's), any number of times, and only counts and signals. The work loop's
// thread then calls the action once, with the gate closed, passing how many interrupts arrived
// since the last call (xnu's producer/consumer counters, iokit/Kernel/IOInterruptEventSource.cpp).
//
// Providers: the source records the provider and index, but until IOService's interrupt API
// exists it does not register with the provider; interruptOccurred is the only trigger. As in
// xnu, enable()/disable() act only on a source with a provider (they mask the provider's
// interrupt there); here a disabled source with a provider holds its count until enable().
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
    bool autoDisable;                    // level-triggered: never, until providers exist
    bool explicitDisable;                // disable() was called (sources with a provider)

    void free() override;
    // Delivers the interrupts counted since the last call. Gate closed, work loop thread.
    bool checkForWork() override;
    void setWorkLoop(IOWorkLoop *inWorkLoop) override;

public:
    static OSPtr<IOInterruptEventSource> interruptEventSource(OSObject *owner, Action action,
                                                             IOService *provider = NULL, int intIndex = 0);

    // Fails if owner is NULL or intIndex is negative.
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
