// Interest notifications and client messages (registerInterest, messageClient(s),
// applyToInterested): delivery order, return codes, busy interest, inactive services, removal
// from a handler and during a delivery, a notifier outliving its service.
#include "test_io_matching_support.h"

#include <atomic>
#include <chrono>
#include <thread>

using matchtest::log;
using matchtest::logged;

namespace {

using Strings = std::vector<std::string>;

struct Received {
    UInt32 type = 0;
    IOService* provider = nullptr;
    void* argument = nullptr;
    vm_size_t size = 0;
    int calls = 0;
};

// Logs "<label>:interest"; `target` is the label, `ref` a Received to fill (optional).
IOReturn interestHandler(void* target, void* ref, UInt32 type, IOService* provider, void* argument, vm_size_t size)
{
    log(std::string(static_cast<const char*>(target)) + ":interest");
    if (auto* received = static_cast<Received*>(ref)) {
        *received = {type, provider, argument, size, received->calls + 1};
    }
    return kIOReturnSuccess;
}

IOReturn failingHandler(void* target, void* ref, UInt32 type, IOService* provider, void* argument, vm_size_t size)
{
    return kIOReturnNotReady;
}

class NotificationInterest : public MatchTestFixture {
protected:
    void TearDown() override
    {
        for (IONotifier* notifier : notifiers_) {
            notifier->remove();
        }
        notifiers_.clear();
        MatchTestFixture::TearDown();
    }

    IONotifier* interest(IOService* service, const OSSymbol* type, const char* label, Received* received = nullptr,
                         IOServiceInterestHandler handler = &interestHandler)
    {
        IONotifier* notifier = service->registerInterest(type, handler, const_cast<char*>(label), received);
        EXPECT_TRUE(notifier);
        if (notifier) {
            notifiers_.push_back(notifier);
        }
        return notifier;
    }

    std::vector<IONotifier*> notifiers_;
};

}  // namespace

TEST_F(NotificationInterest, MessageClientsReachesClientsThenGeneralInterest)
{
    auto provider = nub("provider");
    auto first = nub("first", provider.get());
    auto second = nub("second", provider.get());
    Received received;
    interest(provider.get(), gIOGeneralInterest, "one", &received);
    interest(provider.get(), gIOGeneralInterest, "two");
    interest(provider.get(), gIOBusyInterest, "busyOnly");
    int argument = 7;
    EXPECT_EQ(provider->messageClients(kIOMessageServiceIsSuspended, &argument, sizeof argument), kIOReturnSuccess);
    EXPECT_EQ(logged(), (Strings{"first::message", "second::message", "one:interest", "two:interest"}));
    EXPECT_EQ(received.type, kIOMessageServiceIsSuspended);
    EXPECT_EQ(received.provider, provider.get());
    EXPECT_EQ(received.argument, &argument);
    EXPECT_EQ(received.size, sizeof argument);
}

TEST_F(NotificationInterest, MessageClientsReportsAFailure)
{
    auto provider = nub("provider");
    interest(provider.get(), gIOGeneralInterest, "fails", nullptr, &failingHandler);
    interest(provider.get(), gIOGeneralInterest, "fine");
    EXPECT_EQ(provider->messageClients(kIOMessageServiceIsResumed), kIOReturnNotReady);
    EXPECT_EQ(logged(), (Strings{"fine:interest"}));
}

TEST_F(NotificationInterest, MessageClientTakesAServiceOrAnInterestNotifier)
{
    auto provider = nub("provider");
    auto client = nub("client", provider.get());
    Received received;
    IONotifier* notifier = interest(provider.get(), gIOGeneralInterest, "n", &received);
    EXPECT_EQ(provider->messageClient(kIOMessageServiceIsResumed, client.get()), kIOReturnSuccess);
    EXPECT_EQ(provider->messageClient(kIOMessageServiceIsResumed, notifier, nullptr, 3), kIOReturnSuccess);
    EXPECT_EQ(received.size, 3u);
    EXPECT_EQ(provider->messageClient(kIOMessageServiceIsResumed, matchtest::str("neither").get()),
              kIOReturnBadArgument);
    // A disabled notifier is skipped, successfully.
    EXPECT_TRUE(notifier->disable());
    EXPECT_EQ(provider->messageClient(kIOMessageServiceIsResumed, notifier), kIOReturnSuccess);
    EXPECT_EQ(received.calls, 1);
    notifier->enable(true);
    EXPECT_EQ(provider->messageClient(kIOMessageServiceIsResumed, notifier), kIOReturnSuccess);
    EXPECT_EQ(received.calls, 2);
    // The default message() does not understand anything.
    auto plain = matchtest::adopt(OSTypeAlloc(IOService));
    ASSERT_TRUE(plain->init());
    EXPECT_EQ(plain->message(kIOMessageServiceIsResumed, provider.get()), kIOReturnUnsupported);
}

TEST_F(NotificationInterest, ApplyToInterested)
{
    auto provider = nub("provider");
    auto client = nub("client", provider.get());
    interest(provider.get(), gIOGeneralInterest, "general");
    interest(provider.get(), gIOBusyInterest, "busy");
    auto collect = [](OSObject* object, void* context) {
        auto* seen = static_cast<Strings*>(context);
        seen->push_back(OSDynamicCast(IOService, object) ? "service" : object->getMetaClass()->getClassName());
    };
    Strings general;
    provider->applyToInterested(gIOGeneralInterest, collect, &general);
    EXPECT_EQ(general, (Strings{"service", "_IOServiceInterestNotifier"}));
    Strings busy;
    provider->applyToInterested(gIOBusyInterest, collect, &busy);
    EXPECT_EQ(busy, (Strings{"_IOServiceInterestNotifier"}));
}

TEST_F(NotificationInterest, BusyInterestSeesBusyTransitions)
{
    auto service = nub("nub");
    struct Transitions {
        std::mutex lock;
        std::vector<uintptr_t> states;
    } transitions;
    IONotifier* notifier = service->registerInterest(
        gIOBusyInterest,
        [](void* target, void* ref, UInt32 type, IOService* provider, void* argument, vm_size_t) -> IOReturn {
            if (type == kIOMessageServiceBusyStateChange) {
                auto* t = static_cast<Transitions*>(target);
                std::lock_guard lock(t->lock);
                t->states.push_back(reinterpret_cast<uintptr_t>(argument));
            }
            return kIOReturnSuccess;
        },
        &transitions);
    ASSERT_TRUE(notifier);
    service->adjustBusy(1);
    service->adjustBusy(1);  // no transition
    service->adjustBusy(-2);
    {
        std::lock_guard lock(transitions.lock);
        EXPECT_EQ(transitions.states, (std::vector<uintptr_t>{1, 0}));
        transitions.states.clear();
    }
    // Matching makes the nub busy while it runs. (waitQuiet may return before the interest
    // message for the last transition is delivered, as in xnu, so wait for it.)
    service->registerService();
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        std::lock_guard lock(transitions.lock);
        if (transitions.states.size() >= 2) {
            break;
        }
    }
    {
        std::lock_guard lock(transitions.lock);
        EXPECT_EQ(transitions.states, (std::vector<uintptr_t>{1, 0}));
    }
    notifier->remove();
}

TEST_F(NotificationInterest, NoInterestInAnInactiveServiceOrOfAnUnknownKind)
{
    auto service = nub("nub");
    auto unknown = matchtest::adopt(OSSymbol::withCString("NoSuchInterest"));
    EXPECT_EQ(service->registerInterest(unknown.get(), &interestHandler, nullptr), nullptr);
    EXPECT_EQ(service->registerInterest(gIOGeneralInterest, nullptr, nullptr), nullptr);
    terminate(service.get());
    EXPECT_TRUE(service->isInactive());
    EXPECT_EQ(service->registerInterest(gIOGeneralInterest, &interestHandler, const_cast<char*>("x")), nullptr);
}

TEST_F(NotificationInterest, TerminationMessagesReachInterestNotifiers)
{
    auto service = nub("nub");
    Received received;
    interest(service.get(), gIOGeneralInterest, "watcher", &received);
    terminate(service.get());
    EXPECT_EQ(received.type, kIOMessageServiceIsTerminated);
}

namespace {

struct SelfRemoving {
    IONotifier* notifier = nullptr;
    int calls = 0;
};

IOReturn removingHandler(void* target, void* ref, UInt32 type, IOService* provider, void* argument, vm_size_t size)
{
    auto* self = static_cast<SelfRemoving*>(target);
    self->calls++;
    self->notifier->remove();
    return kIOReturnSuccess;
}

}  // namespace

TEST_F(NotificationInterest, AHandlerMayRemoveItsOwnNotifier)
{
    auto service = nub("nub");
    SelfRemoving self;
    self.notifier = service->registerInterest(gIOGeneralInterest, &removingHandler, &self);
    ASSERT_TRUE(self.notifier);
    service->messageClients(kIOMessageServiceIsResumed);
    service->messageClients(kIOMessageServiceIsResumed);
    EXPECT_EQ(self.calls, 1);
}

namespace {

struct Slow {
    std::atomic<bool> entered{false};
    std::atomic<bool> finished{false};
};

IOReturn slowHandler(void* target, void* ref, UInt32 type, IOService* provider, void* argument, vm_size_t size)
{
    auto* slow = static_cast<Slow*>(target);
    slow->entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    slow->finished = true;
    return kIOReturnSuccess;
}

}  // namespace

TEST_F(NotificationInterest, RemoveWaitsForADeliveryInProgress)
{
    auto service = nub("nub");
    Slow slow;
    IONotifier* notifier = service->registerInterest(gIOGeneralInterest, &slowHandler, &slow);
    ASSERT_TRUE(notifier);
    std::thread sender([&] { service->messageClients(kIOMessageServiceIsResumed); });
    while (!slow.entered) {
        std::this_thread::yield();
    }
    notifier->remove();
    EXPECT_TRUE(slow.finished);
    sender.join();
}

TEST_F(NotificationInterest, ANotifierMayOutliveItsService)
{
    IONotifier* notifier;
    {
        auto service = matchtest::adopt(OSTypeAlloc(MatchTestNub));
        ASSERT_TRUE(service->init());
        notifier = service->registerInterest(gIOGeneralInterest, &interestHandler, const_cast<char*>("orphan"));
        ASSERT_TRUE(notifier);
    }  // the service is freed here; the notifier does not keep it alive
    notifier->remove();
    EXPECT_TRUE(logged().empty());
}
