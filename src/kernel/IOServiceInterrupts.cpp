// IOService's interrupt API over software interrupt sources (IOServiceInterruptsPrivate.h),
// and the interrupt thread that runs primary handlers — the part of xnu's
// IOInterruptController that a simulated bus needs. Return codes as xnu's IOService:
// kIOReturnNoInterrupt for a source the nub does not have, kIOReturnNoResources when a handler
// is already installed.
#include <IOKit/IOInterrupts.h>
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSSharedPtr.h>

#include "ServiceExtras.h"

#include <deque>
#include <mutex>
#include <thread>

const OSSymbol* gIOInterruptControllersKey = nullptr;
const OSSymbol* gIOInterruptSpecifiersKey = nullptr;

namespace openiokit {

namespace {

void initializeInterruptKeys()
{
    static std::once_flag once;
    std::call_once(once, [] {
        gIOInterruptControllersKey = OSSymbol::withCStringNoCopy(kIOInterruptControllersKey);
        gIOInterruptSpecifiersKey = OSSymbol::withCStringNoCopy(kIOInterruptSpecifiersKey);
    });
}

// The nub's IOInterruptSpecifiers entry for `source`, or NULL if it has no such source.
OSSharedPtr<OSObject> specifierFor(IOService* nub, int source)
{
    initializeInterruptKeys();
    if (source < 0) {
        return nullptr;
    }
    OSSharedPtr<OSObject> property(nub->copyProperty(gIOInterruptSpecifiersKey), OSNoRetain);
    auto* specifiers = OSDynamicCast(OSArray, property.get());
    if (!specifiers || static_cast<unsigned>(source) >= specifiers->getCount()) {
        return nullptr;
    }
    return OSSharedPtr<OSObject>(specifiers->getObject(static_cast<unsigned>(source)), OSRetain);
}

// One thread stands for the CPU's interrupt context: it runs every nub's primary handlers, in
// the order the interrupts were raised. Immortal, like the terminate thread.
class InterruptThread {
public:
    static InterruptThread& shared()
    {
        static auto* instance = new InterruptThread;
        return *instance;
    }

    bool isCurrent() const { return std::this_thread::get_id() == id_; }

    // Queues a delivery of `source`'s pending interrupts. Call with the nub's table locked and
    // state.queued false; sets it.
    void schedule(IOService* nub, int source, InterruptSourceState& state)
    {
        state.queued = true;
        std::lock_guard guard(lock_);
        queue_.push_back({OSSharedPtr<IOService>(nub, OSRetain), source});
        wake_.notify_one();
    }

private:
    struct Delivery {
        OSSharedPtr<IOService> nub;
        int source;
    };

    InterruptThread()
    {
        std::thread thread([this] { run(); });
        id_ = thread.get_id();
        thread.detach();
    }

    void run()
    {
        for (;;) {
            Delivery next;
            {
                std::unique_lock guard(lock_);
                wake_.wait(guard, [&] { return !queue_.empty(); });
                next = std::move(queue_.front());
                queue_.pop_front();
            }
            deliver(next.nub.get(), next.source);
        }
    }

    // Calls the handler once per pending interrupt while the source stays enabled and
    // registered; the table lock is dropped around each call.
    static void deliver(IOService* nub, int source)
    {
        InterruptTable& table = nub->extras().get().interrupts;
        std::unique_lock guard(table.lock);
        InterruptSourceState& state = table.sources[source];
        state.queued = false;
        while (state.pending > 0 && state.enabled && state.handler) {
            state.pending--;
            state.active = true;
            const IOInterruptAction handler = state.handler;
            OSObject* target = state.target;
            void* refCon = state.refCon;
            guard.unlock();
            handler(target, refCon, nub, source);
            guard.lock();
            state.active = false;
            table.idle.notify_all();
        }
        if (!state.handler) {
            state.pending = 0;  // nobody to deliver to: dropped, as a controller drops a spurious vector
        }
    }

    std::mutex lock_;
    std::condition_variable wake_;
    std::deque<Delivery> queue_;
    std::thread::id id_;
};

// Waits for a running handler of `state` to return, unless we are that handler's thread (a
// level-triggered source disables its own line from the handler).
void waitInactive(InterruptTable& table, std::unique_lock<std::mutex>& guard, InterruptSourceState& state)
{
    if (InterruptThread::shared().isCurrent()) {
        return;
    }
    table.idle.wait(guard, [&] { return !state.active; });
}

}  // namespace

bool declareInterrupts(IOService* nub, unsigned count, int type)
{
    initializeInterruptKeys();
    if (!nub) {
        return false;
    }
    OSSharedPtr<OSArray> specifiers = OSSharedPtr<OSArray>(OSArray::withCapacity(count ? count : 1), OSNoRetain);
    OSSharedPtr<OSNumber> value(OSNumber::withNumber(static_cast<unsigned long long>(type), 32), OSNoRetain);
    if (!specifiers || !value) {
        return false;
    }
    for (unsigned i = 0; i < count; ++i) {
        specifiers->setObject(value.get());
    }
    return nub->setProperty(gIOInterruptSpecifiersKey, specifiers.get());
}

}  // namespace openiokit

using openiokit::InterruptSourceState;
using openiokit::InterruptTable;

IOReturn IOService::registerInterrupt(int source, OSObject* target, IOInterruptAction handler, void* refCon)
{
    if (!openiokit::specifierFor(this, source)) {
        return kIOReturnNoInterrupt;
    }
    if (!handler) {
        return kIOReturnBadArgument;
    }
    InterruptTable& table = extras().get().interrupts;
    std::lock_guard guard(table.lock);
    InterruptSourceState& state = table.sources[source];
    if (state.handler) {
        return kIOReturnNoResources;
    }
    state.target = target;
    state.handler = handler;
    state.refCon = refCon;
    state.enabled = false;  // masked until enableInterrupt, as xnu
    state.pending = 0;
    return kIOReturnSuccess;
}

IOReturn IOService::unregisterInterrupt(int source)
{
    if (!openiokit::specifierFor(this, source)) {
        return kIOReturnNoInterrupt;
    }
    InterruptTable& table = extras().get().interrupts;
    std::unique_lock guard(table.lock);
    InterruptSourceState& state = table.sources[source];
    state.enabled = false;
    openiokit::waitInactive(table, guard, state);
    state.handler = nullptr;
    state.target = nullptr;
    state.refCon = nullptr;
    state.pending = 0;
    return kIOReturnSuccess;
}

IOReturn IOService::getInterruptType(int source, int* interruptType)
{
    OSSharedPtr<OSObject> specifier = openiokit::specifierFor(this, source);
    if (!specifier) {
        return kIOReturnNoInterrupt;
    }
    if (!interruptType) {
        return kIOReturnBadArgument;
    }
    auto* number = OSDynamicCast(OSNumber, specifier.get());
    *interruptType = number && number->unsigned32BitValue() == kIOInterruptTypeLevel ? kIOInterruptTypeLevel
                                                                                      : kIOInterruptTypeEdge;
    return kIOReturnSuccess;
}

IOReturn IOService::enableInterrupt(int source)
{
    if (!openiokit::specifierFor(this, source)) {
        return kIOReturnNoInterrupt;
    }
    InterruptTable& table = extras().get().interrupts;
    std::lock_guard guard(table.lock);
    InterruptSourceState& state = table.sources[source];
    state.enabled = true;
    if (state.handler && state.pending > 0 && !state.queued) {
        openiokit::InterruptThread::shared().schedule(this, source, state);  // held while masked
    }
    return kIOReturnSuccess;
}

IOReturn IOService::disableInterrupt(int source)
{
    if (!openiokit::specifierFor(this, source)) {
        return kIOReturnNoInterrupt;
    }
    InterruptTable& table = extras().get().interrupts;
    std::unique_lock guard(table.lock);
    InterruptSourceState& state = table.sources[source];
    state.enabled = false;
    openiokit::waitInactive(table, guard, state);  // as xnu: returns once the handler is out
    return kIOReturnSuccess;
}

IOReturn IOService::causeInterrupt(int source)
{
    if (!openiokit::specifierFor(this, source)) {
        return kIOReturnNoInterrupt;
    }
    InterruptTable& table = extras().get().interrupts;
    std::lock_guard guard(table.lock);
    InterruptSourceState& state = table.sources[source];
    if (!state.handler) {
        return kIOReturnSuccess;  // no handler: the interrupt goes nowhere
    }
    state.pending++;
    if (state.enabled && !state.queued) {
        openiokit::InterruptThread::shared().schedule(this, source, state);
    }
    return kIOReturnSuccess;
}
