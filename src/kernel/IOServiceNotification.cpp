// Notifications: matching notifiers (addMatchingNotification and friends, §4.2; delivered by
// the matching code and, for terminated/will-terminate, by Termination.cpp), interest
// notifiers (registerInterest) and messages to clients (messageClient(s), applyToInterested).
// After xnu's IOService.cpp; the notifier classes are in IOServiceNotifiers.h.
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"
#include "IOServiceNotifiers.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>

OSDefineMetaClassAndStructors(_IOServiceNotifier, IONotifier);
OSDefineMetaClassAndStructors(_IOServiceInterestNotifier, IONotifier);
OSDefineMetaClassAndStructors(_IOServiceNullNotifier, IONotifier);

// The interest notifiers of one service, by type of interest, in registration order.
// Guarded by the notification lock.
struct InterestState {
    std::map<const OSSymbol*, std::vector<OSSharedPtr<_IOServiceInterestNotifier>>> lists;
};

namespace {

using openiokit::ensureMatchingSymbols;
using openiokit::notificationLock;
using NotifierList = openiokit::NotifierList;

// The matching notifiers, by type; each list by priority (higher first, ties in installation
// order). Guarded by the notification lock. Immortal: config threads may outlive main().
std::unordered_map<const OSSymbol*, NotifierList>& notifierLists()
{
    static auto* lists = new std::unordered_map<const OSSymbol*, NotifierList>;
    return *lists;
}

_IOServiceNullNotifier* nullNotifier()
{
    static _IOServiceNullNotifier* notifier = new _IOServiceNullNotifier;
    return notifier;
}

bool isTerminationType(const OSSymbol* type)
{
    return type == gIOTerminatedNotification || type == gIOWillTerminateNotification;
}

// The state a service must be in to be delivered at installation (xnu's doInstallNotification);
// 0 for the termination types, which have no "existing" services; nullopt for unknown types.
std::optional<uint32_t> existingStateFor(const OSSymbol* type)
{
    if (type == gIOPublishNotification) {
        return kIOServiceRegisteredState;
    }
    if (type == gIOFirstPublishNotification) {
        return kIOServiceFirstPublishState;
    }
    if (type == gIOMatchedNotification) {
        return kIOServiceMatchedState;
    }
    if (type == gIOFirstMatchNotification) {
        return kIOServiceFirstMatchState;
    }
    if (isTerminationType(type)) {
        return 0;
    }
    return std::nullopt;
}

// A new notifier in the list for `type` (xnu's setNotification); needs the notification lock.
// The reference returned is the caller's; the list holds its own.
_IOServiceNotifier* installNotifierLocked(const OSSymbol* type, OSDictionary* matching,
                                          IOServiceMatchingNotificationHandler handler,
                                          IOServiceNotificationHandler compatHandler, void* target, void* ref,
                                          SInt32 priority)
{
    auto* notifier = new _IOServiceNotifier;
    if (!notifier->init()) {
        notifier->release();
        return nullptr;
    }
    notifier->type = type;
    notifier->handler = handler;
    notifier->compatHandler = compatHandler;
    notifier->target = target;
    notifier->ref = ref;
    notifier->priority = priority;
    notifier->matching.reset(matching, OSRetain);
    notifier->enabled = true;
    notifier->queued = true;
    NotifierList& list = notifierLists()[type];
    auto position = std::find_if(list.begin(), list.end(),
                                 [&](const auto& other) { return other->priority < priority; });
    list.emplace(position, notifier, OSRetain);
    return notifier;
}

// Matching-notifier installation shared by addMatchingNotification and addNotification.
IONotifier* addNotifier(const OSSymbol* type, OSDictionary* matching, IOServiceMatchingNotificationHandler handler,
                        IOServiceNotificationHandler compatHandler, void* target, void* ref, SInt32 priority)
{
    ensureMatchingSymbols();
    const auto inState = existingStateFor(type);
    if (!matching || !inState || (!handler && !compatHandler)) {
        return nullptr;
    }
    _IOServiceNotifier* notifier;
    std::vector<OSSharedPtr<IOService>> existing;
    {
        std::lock_guard lock(notificationLock());
        notifier = installNotifierLocked(type, matching, handler, compatHandler, target, ref, priority);
        if (!notifier) {
            return nullptr;
        }
        if (*inState) {
            existing = openiokit::copyExistingServices(matching, *inState, 0);
        }
        notifier->retain();  // in case a handler remove()s it below
    }
    for (const auto& service : existing) {
        if (!service->isInactive()) {
            openiokit::invokeNotifier(service.get(), notifier);
        }
    }
    bool removed;
    {
        std::lock_guard lock(notificationLock());
        removed = !notifier->queued;
    }
    notifier->release();
    return removed ? static_cast<IONotifier*>(nullNotifier()) : notifier;
}

// A waitForMatchingService in progress: the first matched service, retained.
struct SyncWait {
    std::mutex mutex;
    std::condition_variable found;
    IOService* result = nullptr;
};

bool syncNotificationHandler(void* target, void* ref, IOService* newService, IONotifier* notifier)
{
    auto* wait = static_cast<SyncWait*>(ref);
    std::lock_guard lock(wait->mutex);
    if (!wait->result) {
        newService->retain();
        wait->result = newService;
        wait->found.notify_all();
    }
    return false;
}

// The interest notifiers of `type` on `service` (retained snapshot, registration order).
std::vector<OSSharedPtr<_IOServiceInterestNotifier>> copyInterestNotifiers(const IOService* service,
                                                                           const OSSymbol* type)
{
    std::lock_guard lock(notificationLock());
    InterestState* interest = service->privateState().interest;
    if (!interest) {
        return {};
    }
    auto list = interest->lists.find(type);
    return list == interest->lists.end() ? std::vector<OSSharedPtr<_IOServiceInterestNotifier>>{} : list->second;
}

bool isInterestType(const OSSymbol* type)
{
    return type && (type == gIOGeneralInterest || type == gIOBusyInterest || type == gIOAppPowerStateInterest ||
                    type == gIOPriorityPowerStateInterest);
}

}  // namespace

// --- Handler bookkeeping ------------------------------------------------------------------------

namespace openiokit {

void HandlerInvocations::enter()
{
    std::lock_guard lock(mutex_);
    threads_.push_back(std::this_thread::get_id());
}

void HandlerInvocations::exit()
{
    std::lock_guard lock(mutex_);
    threads_.erase(std::find(threads_.begin(), threads_.end(), std::this_thread::get_id()));
    exited_.notify_all();
}

void HandlerInvocations::waitForOthers()
{
    std::unique_lock lock(mutex_);
    const auto self = std::this_thread::get_id();
    exited_.wait(lock, [&] { return std::all_of(threads_.begin(), threads_.end(), [&](auto id) { return id == self; }); });
}

void NotificationLock::lock()
{
    mutex_.lock();
    if (depth_++ == 0) {
        owner_.store(std::this_thread::get_id());
    }
}

void NotificationLock::unlock()
{
    if (--depth_ == 0) {
        owner_.store(std::thread::id());
    }
    mutex_.unlock();
}

bool NotificationLock::heldByCurrentThread() const
{
    return owner_.load() == std::this_thread::get_id();
}

NotificationLock& notificationLock()
{
    static auto* lock = new NotificationLock;  // immortal, like the lists it guards
    return *lock;
}

// --- Matching notifiers, for the matching and termination code ---------------------------------

NotifierList copyNotifiers(IOService* service, const OSSymbol* type, uint32_t orState)
{
    ensureMatchingSymbols();
    NotifierList willSend;
    service->lockForArbitration();
    if (!service->isInactive() || isTerminationType(type)) {
        std::lock_guard lock(notificationLock());
        for (const auto& notifier : notifierLists()[type]) {
            if (notifier->enabled && matchPassive(service, notifier->matching.get(), 0)) {
                willSend.push_back(notifier);
            }
        }
        service->privateState().setPublicBits(orState);
    }
    service->unlockForArbitration();
    return willSend;
}

NotifierList copyPublishNotifiersLocked(IOService* service)
{
    NotifierList willSend;
    for (const auto& notifier : notifierLists()[gIOPublishNotification]) {
        if (notifier->enabled && matchPassive(service, notifier->matching.get(), 0)) {
            willSend.push_back(notifier);
        }
    }
    return willSend;
}

bool invokeNotifier(IOService* service, _IOServiceNotifier* notifier)
{
    {
        std::lock_guard lock(notificationLock());
        if (!notifier->enabled) {
            return true;
        }
        notifier->invocations.enter();
    }
    const bool result = notifier->compatHandler
                            ? notifier->compatHandler(notifier->target, notifier->ref, service)
                            : notifier->handler(notifier->target, notifier->ref, service, notifier);
    notifier->invocations.exit();
    return result;
}

void invokeNotifiers(IOService* service, NotifierList& notifiers)
{
    for (const auto& notifier : notifiers) {
        invokeNotifier(service, notifier.get());
    }
    notifiers.clear();
}

SInt32 notifierPriority(const _IOServiceNotifier* notifier)
{
    return notifier->priority;
}

void deliverMatchingNotifications(const OSSymbol* type, IOService* service)
{
    NotifierList notifiers = copyNotifiers(service, type, 0);
    invokeNotifiers(service, notifiers);
}

void deliverBusyInterest(IOService* service, bool busy)
{
    ensureMatchingSymbols();
    for (const auto& notifier : copyInterestNotifiers(service, gIOBusyInterest)) {
        service->messageClient(kIOMessageServiceBusyStateChange, notifier.get(),
                               reinterpret_cast<void*>(static_cast<uintptr_t>(busy)));
    }
}

void freeInterestState(IOServicePrivateState& state)
{
    InterestState* interest;
    {
        std::lock_guard lock(notificationLock());
        interest = state.interest;
        state.interest = nullptr;
        if (interest) {
            for (auto& [type, list] : interest->lists) {
                for (auto& notifier : list) {
                    notifier->owner = nullptr;
                }
            }
        }
    }
    delete interest;  // drops the lists' references outside the lock
}

}  // namespace openiokit

// --- Notifier objects ---------------------------------------------------------------------------

void _IOServiceNotifier::remove()
{
    OSSharedPtr<_IOServiceNotifier> fromList;
    OSSharedPtr<OSDictionary> table;
    {
        std::lock_guard lock(notificationLock());
        if (queued) {
            NotifierList& list = notifierLists()[type];
            auto self = std::find(list.begin(), list.end(), this);
            fromList = std::move(*self);
            list.erase(self);
            queued = false;
        }
        table = std::move(matching);
        enabled = false;
    }
    invocations.waitForOthers();
    release();  // the caller's reference; `fromList` drops the list's on return
}

namespace {

// disable()/enable() are the same for both notifier kinds: stop new deliveries, then wait for
// those running on other threads.
template <typename Notifier>
bool disableDeliveries(Notifier& notifier)
{
    bool was;
    {
        std::lock_guard lock(notificationLock());
        was = notifier.enabled;
        notifier.enabled = false;
    }
    if (was) {
        notifier.invocations.waitForOthers();
    }
    return was;
}

template <typename Notifier>
void restoreDeliveries(Notifier& notifier, bool was)
{
    std::lock_guard lock(notificationLock());
    notifier.enabled = was;
}

}  // namespace

bool _IOServiceNotifier::disable()
{
    return disableDeliveries(*this);
}

void _IOServiceNotifier::enable(bool was)
{
    restoreDeliveries(*this, was);
}

void _IOServiceInterestNotifier::remove()
{
    OSSharedPtr<_IOServiceInterestNotifier> fromList;
    {
        std::lock_guard lock(notificationLock());
        if (owner) {
            InterestState* interest = owner->privateState().interest;
            auto& list = interest->lists[type];
            auto self = std::find(list.begin(), list.end(), this);
            fromList = std::move(*self);
            list.erase(self);
            owner = nullptr;
        }
        enabled = false;
    }
    invocations.waitForOthers();
    release();
}

bool _IOServiceInterestNotifier::disable()
{
    return disableDeliveries(*this);
}

void _IOServiceInterestNotifier::enable(bool was)
{
    restoreDeliveries(*this, was);
}

// --- Public API: matching notifications ---------------------------------------------------------

// Does not consume `matching` (xnu); fires at once for the services already in the state the
// type names (published, matched, first published, first matched).
IONotifier* IOService::addMatchingNotification(const OSSymbol* type, OSDictionary* matching,
                                               IOServiceMatchingNotificationHandler handler, void* target, void* ref,
                                               SInt32 priority)
{
    return addNotifier(type, matching, handler, nullptr, target, ref, priority);
}

// Deprecated form: consumes one reference on `matching` when it succeeds (xnu).
IONotifier* IOService::addNotification(const OSSymbol* type, OSDictionary* matching,
                                       IOServiceNotificationHandler handler, void* target, void* ref, SInt32 priority)
{
    IONotifier* notifier = addNotifier(type, matching, nullptr, handler, target, ref, priority);
    if (notifier) {
        matching->release();
    }
    return notifier;
}

// Retained result; `matching` is not consumed. NULL on timeout (nanoseconds; UINT64_MAX waits
// forever).
IOService* IOService::waitForMatchingService(OSDictionary* matching, uint64_t timeout)
{
    ensureMatchingSymbols();
    if (!matching) {
        return nullptr;
    }
    SyncWait wait;
    _IOServiceNotifier* notifier;
    {
        std::lock_guard lock(notificationLock());
        auto existing = openiokit::copyExistingServices(matching, kIOServiceMatchedState, kIONotifyOnce);
        if (!existing.empty()) {
            return existing.front().detach();
        }
        notifier = installNotifierLocked(gIOMatchedNotification, matching, &syncNotificationHandler, nullptr, nullptr,
                                         &wait, 0);
        if (!notifier) {
            return nullptr;
        }
    }
    {
        std::unique_lock lock(wait.mutex);
        auto found = [&] { return wait.result != nullptr; };
        if (timeout == UINT64_MAX) {
            wait.found.wait(lock, found);
        } else {
            wait.found.wait_for(lock, std::chrono::nanoseconds(timeout), found);
        }
    }
    notifier->remove();  // returns once no handler is using `wait`
    std::lock_guard lock(wait.mutex);
    return wait.result;
}

// As xnu: consumes `matching`, and the result is not retained (the caller must know it stays
// alive; waitForMatchingService is the safe form).
IOService* IOService::waitForService(OSDictionary* matching, mach_timespec_t* timeout)
{
    uint64_t nanoseconds = UINT64_MAX;
    if (timeout) {
        nanoseconds = static_cast<uint64_t>(timeout->tv_sec) * 1000000000ull + static_cast<uint64_t>(timeout->tv_nsec);
    }
    IOService* result = waitForMatchingService(matching, nanoseconds);
    if (matching) {
        matching->release();
    }
    if (result) {
        result->release();
    }
    return result;
}

// --- Public API: messages and interest ----------------------------------------------------------

IOReturn IOService::message(UInt32 type, IOService* provider, void* argument)
{
    return kIOReturnUnsupported;
}

IOReturn IOService::messageClient(UInt32 messageType, OSObject* client, void* messageArgument, vm_size_t argSize)
{
    if (auto* service = OSDynamicCast(IOService, client)) {
        return service->message(messageType, this, messageArgument);
    }
    auto* notifier = OSDynamicCast(_IOServiceInterestNotifier, client);
    if (!notifier) {
        return kIOReturnBadArgument;
    }
    {
        std::lock_guard lock(notificationLock());
        if (!notifier->enabled) {
            return kIOReturnSuccess;
        }
        notifier->invocations.enter();
    }
    OSSharedPtr<_IOServiceInterestNotifier> keep(notifier, OSRetain);
    const IOReturn result =
        notifier->handler(notifier->target, notifier->ref, messageType, this, messageArgument, argSize);
    notifier->invocations.exit();
    return result;
}

void IOService::applyToInterested(const OSSymbol* typeOfInterest, OSObjectApplierFunction applier, void* context)
{
    ensureMatchingSymbols();
    if (typeOfInterest == gIOGeneralInterest) {
        for (const auto& client : openiokit::clientsOf(this)) {
            applier(client.get(), context);
        }
    }
    for (const auto& notifier : copyInterestNotifiers(this, typeOfInterest)) {
        applier(notifier.get(), context);
    }
}

// To every client (attach order), then to every general-interest notifier; the result is the
// last failure, or success.
IOReturn IOService::messageClients(UInt32 type, void* argument, vm_size_t argSize)
{
    struct Context {
        IOService* service;
        UInt32 type;
        void* argument;
        vm_size_t argSize;
        IOReturn result;
    } context{this, type, argument, argSize, kIOReturnSuccess};
    applyToInterested(
        gIOGeneralInterest,
        [](OSObject* object, void* raw) {
            auto* c = static_cast<Context*>(raw);
            const IOReturn result = c->service->messageClient(c->type, object, c->argument, c->argSize);
            if (result != kIOReturnSuccess) {
                c->result = result;
            }
        },
        &context);
    return context.result;
}

// Retained notifier (remove() consumes it); NULL for an unknown type, without a handler, or when
// the service is inactive (§3.7: the user-space call then answers kIOReturnUnsupported).
IONotifier* IOService::registerInterest(const OSSymbol* typeOfInterest, IOServiceInterestHandler handler,
                                        void* target, void* ref)
{
    ensureMatchingSymbols();
    if (!handler || !isInterestType(typeOfInterest)) {
        return nullptr;
    }
    auto* notifier = new _IOServiceInterestNotifier;
    if (!notifier->init()) {
        notifier->release();
        return nullptr;
    }
    notifier->handler = handler;
    notifier->target = target;
    notifier->ref = ref;
    notifier->type = typeOfInterest;
    bool queued = false;
    lockForArbitration();
    if (!isInactive()) {
        std::lock_guard lock(notificationLock());
        IOServicePrivateState& state = privateState();
        if (!state.interest) {
            state.interest = new InterestState;
        }
        state.interest->lists[typeOfInterest].emplace_back(notifier, OSRetain);
        notifier->owner = this;
        notifier->enabled = true;
        queued = true;
    }
    unlockForArbitration();
    if (!queued) {
        notifier->release();
        return nullptr;
    }
    return notifier;
}
