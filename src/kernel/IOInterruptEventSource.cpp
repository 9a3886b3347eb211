// IOInterruptEventSource: interrupts counted on any thread, delivered coalesced on the work loop
// (xnu iokit/Kernel/IOInterruptEventSource.cpp semantics: producerCount is bumped by the
// primary handler, checkForWork hands the action producerCount - consumerCount).
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOInterrupts.h>
#include <IOKit/IOService.h>
#include <IOKit/IOWorkLoop.h>

OSDefineMetaClassAndStructors(IOInterruptEventSource, IOEventSource);

namespace {

IOEventSource::Action toEventSourceAction(IOInterruptEventSource::Action action)
{
    return reinterpret_cast<IOEventSource::Action>(reinterpret_cast<void (*)()>(action));
}

IOInterruptEventSource::Action toInterruptAction(IOEventSource::Action action)
{
    return reinterpret_cast<IOInterruptEventSource::Action>(reinterpret_cast<void (*)()>(action));
}

// The primary handler the provider calls (xnu casts the member functions instead; the virtual
// call keeps subclasses' overrides of the *InterruptOccurred methods in effect).
void primaryHandler(OSObject *target, void *refCon, IOService *nub, int source)
{
    static_cast<IOInterruptEventSource *>(target)->interruptOccurred(refCon, nub, source);
}

} // namespace

IOInterruptEventSource *IOInterruptEventSource::interruptEventSource(OSObject *inOwner, Action inAction,
                                                                     IOService *inProvider, int inIntIndex)
{
    IOInterruptEventSource *me = new IOInterruptEventSource;
    if (!me->init(inOwner, inAction, inProvider, inIntIndex)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool IOInterruptEventSource::init(OSObject *inOwner, Action inAction, IOService *inProvider, int inIntIndex)
{
    if (inIntIndex < 0) {
        return false;
    }
    if (!IOEventSource::init(inOwner, toEventSourceAction(inAction))) {
        return false;
    }
    if (!signalLock_ && !(signalLock_ = IOLockAlloc())) {
        return false;
    }
    provider = inProvider;
    producerCount = consumerCount = 0;
    autoDisable = explicitDisable = false;
    intIndex = ~inIntIndex; // as xnu: "not registered" (getIntIndex() reports this without a provider)
    if (inProvider) {
        if (registerInterruptHandler(inProvider, inIntIndex) != kIOReturnSuccess) {
            return false;
        }
        intIndex = inIntIndex;
    }
    return true;
}

IOReturn IOInterruptEventSource::registerInterruptHandler(IOService *inProvider, int inIntIndex)
{
    int type = kIOInterruptTypeEdge;
    IOReturn result = inProvider->getInterruptType(inIntIndex, &type);
    if (result != kIOReturnSuccess) {
        return result;
    }
    autoDisable = (type == kIOInterruptTypeLevel);
    return inProvider->registerInterrupt(inIntIndex, this, &primaryHandler, nullptr);
}

void IOInterruptEventSource::unregisterInterruptHandler(IOService *inProvider, int inIntIndex)
{
    inProvider->unregisterInterrupt(inIntIndex);
}

void IOInterruptEventSource::free()
{
    if (provider && intIndex >= 0) {
        unregisterInterruptHandler(provider, intIndex);
    }
    if (signalLock_) {
        IOLockFree(signalLock_);
        signalLock_ = nullptr;
    }
    IOEventSource::free();
}

// --- Enabling ----------------------------------------------------------------------------------

// xnu masks the provider's interrupt; without a provider both are no-ops there and here.
void IOInterruptEventSource::enable()
{
    if (provider && intIndex >= 0) {
        provider->enableInterrupt(intIndex);
        explicitDisable = false;
        IOEventSource::enable(); // signals: interrupts held while disabled are delivered now
    }
}

void IOInterruptEventSource::disable()
{
    if (provider && intIndex >= 0) {
        provider->disableInterrupt(intIndex);
        explicitDisable = true;
        IOEventSource::disable();
    }
}

void IOInterruptEventSource::setWorkLoop(IOWorkLoop *inWorkLoop)
{
    IOLockLock(signalLock_); // no trigger signals a loop while it changes
    if (inWorkLoop) {
        IOEventSource::setWorkLoop(inWorkLoop);
    }
    // As xnu: a source with a provider is registered only while on a work loop; its index is
    // complemented while it is not. The order makes removal's disable() a no-op.
    if (provider) {
        if (!inWorkLoop && intIndex >= 0) {
            // Not left for free(): the provider may be gone by then.
            unregisterInterruptHandler(provider, intIndex);
            intIndex = ~intIndex;
        } else if (inWorkLoop && intIndex < 0 && registerInterruptHandler(provider, ~intIndex) == kIOReturnSuccess) {
            intIndex = ~intIndex;
        }
    }
    if (!inWorkLoop) {
        IOEventSource::setWorkLoop(nullptr);
    }
    IOLockUnlock(signalLock_);
    if (inWorkLoop) {
        signalWorkAvailable(); // interrupts that arrived before the source was added
    }
}

// --- Accessors ---------------------------------------------------------------------------------

const IOService *IOInterruptEventSource::getProvider() const
{
    return provider;
}

int IOInterruptEventSource::getIntIndex() const
{
    return intIndex;
}

bool IOInterruptEventSource::getAutoDisable() const
{
    return autoDisable;
}

// --- Primary and secondary handlers ------------------------------------------------------------

void IOInterruptEventSource::interruptOccurred(void *refcon, IOService *nub, int ind)
{
    if (autoDisable && nub) {
        disableInterruptOccurred(refcon, nub, ind);
    } else {
        normalInterruptOccurred(refcon, nub, ind);
    }
}

void IOInterruptEventSource::normalInterruptOccurred(void *, IOService *, int)
{
    __atomic_fetch_add(&producerCount, 1u, __ATOMIC_RELEASE);
    IOLockLock(signalLock_);
    signalWorkAvailable();
    IOLockUnlock(signalLock_);
}

void IOInterruptEventSource::disableInterruptOccurred(void *refcon, IOService *nub, int ind)
{
    // Level-triggered: mask the line until the work loop has run the action.
    if (nub) {
        nub->disableInterrupt(ind);
    }
    normalInterruptOccurred(refcon, nub, ind);
}

bool IOInterruptEventSource::checkForWork()
{
    // A disabled source with a provider stands for a masked line: its interrupts wait.
    if (provider && !loadEnabled()) {
        return false;
    }
    const unsigned int produced = __atomic_load_n(&producerCount, __ATOMIC_ACQUIRE);
    const int count = static_cast<int>(produced - consumerCount); // wraps as xnu's does
    if (count != 0) {
        if (action) {
            toInterruptAction(action)(owner, this, count);
        }
        consumerCount = produced;
        if (autoDisable && !explicitDisable) {
            provider->enableInterrupt(intIndex);
        }
    }
    return false;
}
