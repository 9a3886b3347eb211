// The termination machinery: xnu's terminatePhase1, scheduleTerminatePhase2, terminateWorker,
// finalize and stop, with their semantics (iokit-semantics.md §2.2–§2.8) and a shape of our
// own: one queue object owns all pending work, and each phase is one function.
#include "Termination.h"

#include "IOServicePMPrivate.h"
#include "IOServicePrivate.h"
#include "common/NoDestructor.h"

#include <IOKit/IOUserClient.h>
#include <IOKit/IOWorkLoop.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace openiokit {
namespace {

using ServiceRef = OSSharedPtr<IOService>;

ServiceRef retained(IOService* service)
{
    return ServiceRef(service, OSRetain);
}

void* optionsArgument(IOOptionBits options)
{
    return reinterpret_cast<void*>(static_cast<uintptr_t>(options));
}

// --- Diagnostics ------------------------------------------------------------------------------

std::mutex gTracerLock;
TerminationTracer gTracer;
std::atomic<unsigned> gJitterMicroseconds{[] {
    const char* value = std::getenv("OPENIOKIT_TERMINATION_JITTER_US");
    return value ? static_cast<unsigned>(std::strtoul(value, nullptr, 10)) : 0u;
}()};
std::atomic<uint64_t> gSynchronousTimeout{15'000'000'000ull};

void trace(TerminationTrace point, IOService* service, IOService* other = nullptr)
{
    if (unsigned bound = gJitterMicroseconds.load()) {
        thread_local std::minstd_rand random(std::random_device{}());
        std::this_thread::sleep_for(std::chrono::microseconds(random() % (bound + 1)));
    }
    TerminationTracer tracer;
    {
        std::lock_guard lock(gTracerLock);
        tracer = gTracer;
    }
    if (tracer) {
        tracer(point, service, other);
    }
}

// --- Work loop gating -------------------------------------------------------------------------

// Runs `body` inside `service`'s work-loop gate when it has one (§2.11), else directly.
template <typename Body>
void inWorkLoop(IOService* service, Body body)
{
    IOWorkLoop* workLoop = service->getWorkLoop();
    if (!workLoop) {
        body();
        return;
    }
    workLoop->runAction(
        [](OSObject*, void* raw, void*, void*, void*) -> IOReturn {
            (*static_cast<Body*>(raw))();
            return kIOReturnSuccess;
        },
        service, &body);
}

// --- The queue of phase-2/3 work and the terminate-thread role ---------------------------------

struct StopRequest {
    ServiceRef client;
    ServiceRef provider;
};

class TerminateQueue {
public:
    static TerminateQueue& shared()
    {
        // Immortal: the dedicated thread may still be winding down at process exit.
        static NoDestructor<TerminateQueue> queue;
        return *queue;
    }

    void enqueuePhase2(IOService* victim, IOOptionBits options);
    void enqueueStop(IOService* client, IOService* provider);
    void enqueueFinalize(IOService* victim);
    void runSynchronously(IOService* victim, IOOptionBits options);
    void waitIdle();

    // Phase-1 waiters: a victim being inactivated by another thread (kIOServiceTermPhase1State).
    void waitPhase1Done(IOService* victim);
    void phase1Done();

private:
    bool isRoleOwnerLocked() const { return roleOwner_ == std::this_thread::get_id(); }
    void kickLocked();
    void workerLoop(std::unique_lock<std::mutex>& lock, IOOptionBits options);
    bool runOneStopLocked(std::unique_lock<std::mutex>& lock, IOOptionBits options);

    std::mutex lock_;
    std::condition_variable changed_;
    std::deque<ServiceRef> phase2_;
    std::deque<ServiceRef> finalize_;
    std::deque<StopRequest> stops_;
    std::thread::id roleOwner_;  // the thread running terminateWorker, if any
    bool threadRunning_ = false;
    uint64_t generation_ = 0;  // bumped whenever work is queued
};

void TerminateQueue::kickLocked()
{
    ++generation_;
    changed_.notify_all();
    if (roleOwner_ != std::thread::id() || threadRunning_) {
        return;  // whoever holds the role, or the dedicated thread, will see the new work
    }
    threadRunning_ = true;
    // xnu's IOServiceTerminateThread: started on demand, gone when nothing is runnable (work
    // that stays deferred is re-kicked by the event that makes it runnable).
    std::thread([this] {
        std::unique_lock lock(lock_);
        changed_.wait(lock, [this] { return roleOwner_ == std::thread::id(); });
        roleOwner_ = std::this_thread::get_id();
        // As xnu's terminate thread: the callbacks see only kIOServiceRequired.
        workerLoop(lock, kIOServiceRequired);
        roleOwner_ = std::thread::id();
        threadRunning_ = false;
        changed_.notify_all();
    }).detach();
}

void TerminateQueue::enqueuePhase2(IOService* victim, IOOptionBits options)
{
    std::lock_guard lock(lock_);
    victim->privateState().terminateOptions = options;
    phase2_.push_back(retained(victim));
    kickLocked();
}

void TerminateQueue::enqueueStop(IOService* client, IOService* provider)
{
    std::lock_guard lock(lock_);
    stops_.push_back({retained(client), retained(provider)});
    kickLocked();
}

void TerminateQueue::enqueueFinalize(IOService* victim)
{
    std::lock_guard lock(lock_);
    finalize_.push_back(retained(victim));
    kickLocked();
}

void TerminateQueue::waitIdle()
{
    std::unique_lock lock(lock_);
    // Stop requests may stay queued, deferred until their client is finalized; they are not work
    // anyone can do now.
    changed_.wait(lock, [this] {
        return phase2_.empty() && finalize_.empty() && roleOwner_ == std::thread::id() && !threadRunning_;
    });
}

void TerminateQueue::waitPhase1Done(IOService* victim)
{
    std::unique_lock lock(lock_);
    changed_.wait(lock, [victim] { return !victim->privateState().hasPrivateBits(kIOServiceTermPhase1State); });
}

void TerminateQueue::phase1Done()
{
    std::lock_guard lock(lock_);
    changed_.notify_all();
}

// Synchronous terminate (§2.4): take the terminate role, run the work on this thread, and wait
// (without the role) until the victim is quiet, i.e. detached from its last provider.
void TerminateQueue::runSynchronously(IOService* victim, IOOptionBits options)
{
    std::unique_lock lock(lock_);
    if (isRoleOwnerLocked()) {
        // Called from a callback of the running worker: queue it; the worker's loop runs it.
        victim->privateState().terminateOptions = options;
        phase2_.push_back(retained(victim));
        return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(gSynchronousTimeout.load());
    victim->privateState().terminateOptions = options;
    phase2_.push_back(retained(victim));
    ++generation_;
    for (;;) {
        changed_.wait(lock, [this] { return roleOwner_ == std::thread::id(); });
        roleOwner_ = std::this_thread::get_id();
        workerLoop(lock, options);
        roleOwner_ = std::thread::id();
        changed_.notify_all();
        const uint64_t seen = generation_;
        // Something (a client holding us open, a call in flight) may defer the rest: wait for
        // the victim to go quiet, or for new work to help with.
        const bool woke = changed_.wait_until(lock, deadline, [&] {
            return generation_ != seen || victim->getBusyState() == 0;
        });
        if (victim->getBusyState() == 0) {
            return;
        }
        if (!woke) {
            lock.unlock();
            IOLog("%s[0x%llx]::terminate(kIOServiceSynchronous): THREAD_TIMED_OUT. Attempting to auto-resolve "
                  "your deadlock. PLEASE FIX!\n",
                  victim->getName(), static_cast<unsigned long long>(victim->getRegistryEntryID()));
            trace(TerminationTrace::SyncTimeout, victim);
            lock.lock();
            return;
        }
    }
}

}  // namespace

// --- Phase 2 (§2.5) ----------------------------------------------------------------------------

namespace {

bool anyClientDefers(IOService* service)
{
    for (const auto& client : clientsOf(service)) {
        if (client->privateState().hasPrivateBits(kIOServiceStartState)) {
            return true;
        }
    }
    return false;
}

// Starts phase 2 for `victim` if it is eligible; returns false if it must wait.
bool beginPhase2(IOService* victim)
{
    IOServicePrivateState& state = victim->privateState();
    victim->lockForArbitration();
    const bool eligible = victim->isInactive() &&
                          !state.hasPrivateBits(kIOServiceTermPhase1State | kIOServiceTermPhase2State |
                                                kIOServiceConfigState) &&
                          !anyClientDefers(victim);
    if (eligible) {
        state.setPrivateBits(kIOServiceTermPhase2State);
        state.phase2Deferred = false;
    } else if (victim->isInactive() && !state.hasPrivateBits(kIOServiceTermPhase2State)) {
        state.phase2Deferred = true;  // re-run by setTerminateDefer, detach or end of matching
    }
    const bool deferred = !eligible && state.phase2Deferred;
    victim->unlockForArbitration();
    if (eligible || deferred) {
        trace(eligible ? TerminationTrace::Phase2Began : TerminationTrace::Phase2Deferred, victim);
    }
    return eligible;
}

void phase2(IOService* root, IOOptionBits options)
{
    std::deque<ServiceRef> pending{retained(root)};
    std::deque<ServiceRef> didList;  // leaf-to-root: victims are pushed to the front
    while (!pending.empty()) {
        ServiceRef victim = std::move(pending.front());
        pending.pop_front();
        if (!beginPhase2(victim.get())) {
            continue;
        }
        const bool needWillTerminate = victim->privateState().hasPrivateBits(kIOServiceNeedWillTerminateState);
        if (needWillTerminate) {
            for (const auto& provider : providersOf(victim.get())) {
                victim->willTerminate(provider.get(), options);
            }
        }
        deliverMatchingNotifications(gIOWillTerminateNotification, victim.get());
        const auto clients = clientsOf(victim.get());
        inWorkLoop(victim.get(), [&] {
            for (const auto& client : clients) {
                trace(TerminationTrace::WillTerminate, victim.get(), client.get());
                client->willTerminate(victim.get(), options);
            }
        });
        pending.insert(pending.end(), clients.begin(), clients.end());
        didList.push_front(std::move(victim));
    }

    for (const auto& victim : didList) {
        victim->lockForArbitration();
        victim->privateState().setPrivateBits(kIOServiceTermPhase3State);
        victim->unlockForArbitration();
        trace(TerminationTrace::Phase3Began, victim.get());
        const auto clients = clientsOf(victim.get());
        inWorkLoop(victim.get(), [&] {
            victim->messageClients(kIOMessageServiceIsTerminated, optionsArgument(options));
            for (const auto& client : clients) {
                bool defer = false;
                trace(TerminationTrace::DidTerminate, victim.get(), client.get());
                client->didTerminate(victim.get(), options, &defer);
            }
        });
        if (victim->privateState().hasPrivateBits(kIOServiceNeedWillTerminateState)) {
            for (const auto& provider : providersOf(victim.get())) {
                bool defer = false;
                victim->didTerminate(provider.get(), options, &defer);
            }
        }
        if (clients.empty()) {
            IOService* service = victim.get();
            // xnu's scheduleFinalize(false): a user client with calls in flight finalizes when
            // the last one exits (IOUserClient::ipcExit calls scheduleFinalize).
            if (IOUserClient::finalizeUserReferences(service)) {
                scheduleFinalize(service);
            }
        }
    }
}

// --- Phase 3 (§2.6) ----------------------------------------------------------------------------

void finalizeOne(IOService* victim, IOOptionBits options)
{
    IOServicePrivateState& state = victim->privateState();
    victim->lockForArbitration();
    const bool first = !state.hasPrivateBits(kIOServiceFinalized);
    state.setPrivateBits(kIOServiceFinalized);
    victim->unlockForArbitration();
    if (!first) {
        return;
    }
    inWorkLoop(victim, [&] { victim->finalize(options); });
    trace(TerminationTrace::Finalized, victim);
}

void stopOne(IOService* client, IOService* provider)
{
    inWorkLoop(provider, [&] {
        trace(TerminationTrace::Stopped, client, provider);
        client->stop(provider);
        openiokit::pm::stopManaged(client);  // out of the power tree before stop completes
        if (provider->isOpen(client)) {
            provider->close(client);
        }
        client->detach(provider);
        trace(TerminationTrace::Detached, client, provider);
    });
}

}  // namespace

// A stop request is dropped once the client has left the provider, and deferred while the
// client is inactive but not finalized (its own clients and calls must go first).
bool TerminateQueue::runOneStopLocked(std::unique_lock<std::mutex>& lock, IOOptionBits options)
{
    for (auto it = stops_.begin(); it != stops_.end(); ++it) {
        IOService* client = it->client.get();
        IOService* provider = it->provider.get();
        if (!client->isParent(provider, gIOServicePlane)) {
            stops_.erase(it);
            return true;
        }
        const IOServicePrivateState& state = client->privateState();
        if (client->isInactive() && !state.hasPrivateBits(kIOServiceFinalized)) {
            continue;
        }
        StopRequest request = std::move(*it);
        stops_.erase(it);
        lock.unlock();
        stopOne(request.client.get(), request.provider.get());
        request = {};  // drop the references unlocked: a release may free the service
        lock.lock();
        return true;
    }
    return false;
}

void TerminateQueue::workerLoop(std::unique_lock<std::mutex>& lock, IOOptionBits options)
{
    for (;;) {
        bool progressed = false;
        while (!phase2_.empty()) {
            ServiceRef victim = std::move(phase2_.front());
            phase2_.pop_front();
            const IOOptionBits victimOptions = options | kIOServiceRequired;
            lock.unlock();
            phase2(victim.get(), victimOptions);
            victim.reset();
            lock.lock();
            progressed = true;
        }
        while (!finalize_.empty()) {
            ServiceRef victim = std::move(finalize_.front());
            finalize_.pop_front();
            lock.unlock();
            finalizeOne(victim.get(), options | kIOServiceRequired);
            victim.reset();
            lock.lock();
            progressed = true;
        }
        while (runOneStopLocked(lock, options | kIOServiceRequired)) {
            progressed = true;
        }
        if (!progressed && phase2_.empty() && finalize_.empty()) {
            return;
        }
    }
}

// --- Phase 1 (§2.2) and scheduling -------------------------------------------------------------

namespace {

void scheduleTerminatePhase2(IOService* service, IOOptionBits options)
{
    IOServicePrivateState& state = service->privateState();
    if (!service->isInactive() || state.hasPrivateBits(kIOServiceTermPhase1State)) {
        return;
    }
    options |= kIOServiceRequired;
    if (options & kIOServiceSynchronous) {
        TerminateQueue::shared().runSynchronously(service, options);
    } else {
        TerminateQueue::shared().enqueuePhase2(service, options);
    }
}

// Marks `victim` inactive if this call is the one that inactivates it. Returns false if it was
// already inactive (then waits until the other terminator's phase 1 is over).
bool inactivate(IOService* victim, IOService* initiator, IOOptionBits options)
{
    IOServicePrivateState& state = victim->privateState();
    victim->lockForArbitration();
    const bool compatMarked = state.hasPrivateBits(kIOServiceRecursingState) &&
                              state.hasPrivateBits(kIOServiceTermPhase1State);
    const bool newly = !victim->isInactive() || compatMarked;
    if (newly) {
        state.setPublicBits(kIOServiceInactiveState);
        state.clearPublicBits(kIOServiceRegisteredState | kIOServiceMatchedState | kIOServiceFirstPublishState |
                              kIOServiceFirstMatchState);
        state.clearPrivateBits(kIOServiceRecursingState);
        state.setPrivateBits(kIOServiceTermPhase1State);
        if (victim == initiator && (options & kIOServiceTerminateNeedWillTerminate)) {
            state.setPrivateBits(kIOServiceNeedWillTerminateState);
        }
    }
    victim->unlockForArbitration();
    if (newly) {
        victim->adjustBusy(1);  // held until the victim leaves its last provider
        trace(TerminationTrace::Phase1Inactivated, victim);
    } else {
        TerminateQueue::shared().waitPhase1Done(victim);
    }
    return newly;
}

bool terminatePhase1(IOService* self, IOOptionBits options)
{
    if (options & kIOServiceRecursing) {
        // Compatibility path taken by propagation (requestTerminate -> terminateClient ->
        // terminate): only mark; the provider's phase 1 processes this service as a victim.
        IOServicePrivateState& state = self->privateState();
        self->lockForArbitration();
        if (!self->isInactive()) {
            state.setPublicBits(kIOServiceInactiveState);
            state.setPrivateBits(kIOServiceRecursingState | kIOServiceTermPhase1State);
        }
        self->unlockForArbitration();
        return true;
    }

    bool selfInactivated = false;
    std::vector<ServiceRef> inactivated;
    std::deque<ServiceRef> pending{retained(self)};
    while (!pending.empty()) {
        ServiceRef victim = std::move(pending.front());
        pending.pop_front();
        if (!inactivate(victim.get(), self, options)) {
            continue;
        }
        selfInactivated |= victim.get() == self;
        inactivated.push_back(victim);
        deliverMatchingNotifications(gIOTerminatedNotification, victim.get());
        IOUserClient::destroyUserReferences(victim.get());
        for (const auto& client : clientsOf(victim.get())) {
            if (client->requestTerminate(victim.get(), options)) {
                pending.push_back(client);
            }
        }
    }
    for (const auto& victim : inactivated) {
        victim->lockForArbitration();
        victim->privateState().clearPrivateBits(kIOServiceTermPhase1State);
        victim->unlockForArbitration();
    }
    TerminateQueue::shared().phase1Done();
    if (selfInactivated) {
        scheduleTerminatePhase2(self, options);
    }
    return true;
}

}  // namespace

// --- Hooks for the rest of IOService (IOServicePrivate.h) --------------------------------------

void scheduleStop(IOService* client, IOService* provider)
{
    TerminateQueue::shared().enqueueStop(client, provider);
}

void scheduleFinalize(IOService* service)
{
    TerminateQueue::shared().enqueueFinalize(service);
}

void terminationAfterDetach(IOService* client, IOService* provider)
{
    IOServicePrivateState& providerState = provider->privateState();
    // A user client that was still being created when it left re-kicks the provider's phase 2.
    const bool rerunPhase2 = client->privateState().hasPrivateBits(kIOServiceStartState) ||
                             providerState.phase2Deferred;
    const bool lastClientOfTerminated =
        providerState.hasPrivateBits(kIOServiceTermPhase3State) && provider->getClient() == nullptr;
    if (rerunPhase2) {
        scheduleTerminatePhase2(provider, providerState.terminateOptions & ~kIOServiceSynchronous);
    }
    if (lastClientOfTerminated && IOUserClient::finalizeUserReferences(provider)) {
        scheduleFinalize(provider);
    }
}

void terminationMatchingEnded(IOService* service)
{
    IOServicePrivateState& state = service->privateState();
    if (state.phase2Deferred) {
        scheduleTerminatePhase2(service, state.terminateOptions & ~kIOServiceSynchronous);
    }
}

void setTerminationTracer(TerminationTracer tracer)
{
    std::lock_guard lock(gTracerLock);
    gTracer = std::move(tracer);
}

void setTerminationJitter(unsigned maxMicroseconds)
{
    gJitterMicroseconds = maxMicroseconds;
}

void setSynchronousTerminateTimeout(uint64_t nanoseconds)
{
    gSynchronousTimeout = nanoseconds;
}

void waitForTerminationIdle()
{
    TerminateQueue::shared().waitIdle();
}

}  // namespace openiokit

// --- The public IOService entry points -----------------------------------------------------------

bool IOService::terminate(IOOptionBits options)
{
    return openiokit::terminatePhase1(this, options | kIOServiceTerminate);
}

bool IOService::requestTerminate(IOService* provider, IOOptionBits options)
{
    // Only a client whose sole provider is terminating follows it (§2.3); the result is whether
    // the client is now inactive, whatever its terminate() returned.
    if (!isParent(provider, gIOServicePlane, true)) {
        return false;
    }
    provider->terminateClient(this, options | kIOServiceRecursing);
    return isInactive();
}

bool IOService::terminateClient(IOService* client, IOOptionBits options)
{
    return client->isParent(this, gIOServicePlane, true) ? client->terminate(options) : true;
}

bool IOService::willTerminate(IOService* provider, IOOptionBits options)
{
    return true;
}

bool IOService::didTerminate(IOService* provider, IOOptionBits options, bool* defer)
{
    if (*defer) {
        return true;  // the override calls us again with *defer == false when its I/O is done
    }
    lockForArbitration();
    if (provider->handleIsOpen(this)) {
        // Compat: ask the client to close; its stop waits for that close (§2.7).
        message(kIOMessageServiceIsRequestingClose, provider, openiokit::optionsArgument(options));
    }
    const bool stillOpen = provider->handleIsOpen(this);
    unlockForArbitration();
    if (!stillOpen) {
        openiokit::scheduleStop(this, provider);
    }
    return true;
}

bool IOService::finalize(IOOptionBits options)
{
    const bool reachedPhase3 = privateState().hasPrivateBits(kIOServiceTermPhase3State);
    for (const auto& provider : openiokit::providersOf(this)) {
        if (!reachedPhase3) {
            // Compat: a programmatic terminate that never reached phase 3.
            stop(provider.get());
            if (provider->isOpen(this)) {
                provider->close(this);
            }
            detach(provider.get());
            continue;
        }
        // A provider that is not terminating itself stays: stop and detach from it now. A
        // terminating provider's didTerminate scheduled our stop already.
        if (!provider->privateState().hasPrivateBits(kIOServiceTermPhase3State)) {
            openiokit::scheduleStop(this, provider.get());
        }
    }
    return true;
}

void IOService::setTerminateDefer(IOService* provider, bool defer)
{
    lockForArbitration();
    if (defer) {
        privateState().setPrivateBits(kIOServiceStartState);
    } else {
        privateState().clearPrivateBits(kIOServiceStartState);
    }
    unlockForArbitration();
    if (!defer && provider && provider->privateState().phase2Deferred) {
        openiokit::scheduleTerminatePhase2(provider, provider->privateState().terminateOptions & ~kIOServiceSynchronous);
    }
}
