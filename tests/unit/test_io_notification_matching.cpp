// Matching notifications (iokit-semantics.md §4.2, §2.2): publish, first publish, matched, first
// match, terminated and will-terminate; delivery to existing services at installation;
// priority order; disable/enable; remove() from a handler and concurrently with a delivery.
#include "test_io_matching_support.h"

#include "../../src/kernel/IOServicePrivate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using matchtest::log;
using matchtest::logged;
using matchtest::str;

namespace {

using Strings = std::vector<std::string>;

// Logs "<what>:<service name>"; `target` is the label (a C string).
bool logHandler(void* target, void* ref, IOService* service, IONotifier* notifier)
{
    log(std::string(static_cast<const char*>(target)) + ":" + service->getName());
    return true;
}

class NotificationMatching : public MatchTestFixture {
protected:
    void TearDown() override
    {
        for (IONotifier* notifier : notifiers_) {
            notifier->remove();
        }
        notifiers_.clear();
        MatchTestFixture::TearDown();
    }

    // This test's nubs.
    OSSharedPtr<OSDictionary> mine()
    {
        auto table = matchtest::adopt(IOService::serviceMatching("MatchTestNub"));
        IOService::propertyMatching(matchtest::adopt(OSSymbol::withCString("MatchTestID")).get(), str(id()).get(),
                                    table.get());
        return table;
    }

    // A logging notifier removed by TearDown.
    IONotifier* watch(const OSSymbol* type, const char* label, SInt32 priority = 0)
    {
        IONotifier* notifier =
            IOService::addMatchingNotification(type, mine().get(), &logHandler, const_cast<char*>(label), nullptr, priority);
        EXPECT_TRUE(notifier);
        notifiers_.push_back(notifier);
        return notifier;
    }

    std::vector<IONotifier*> notifiers_;
};

}  // namespace

TEST_F(NotificationMatching, TheLifecycleOfOneRegistrationInOrder)
{
    watch(gIOFirstPublishNotification, "firstPublish");
    watch(gIOPublishNotification, "publish");
    watch(gIOMatchedNotification, "matched");
    watch(gIOFirstMatchNotification, "firstMatch");
    addDrivers({personality("driver").get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(logged(), (Strings{"firstPublish:nub", "publish:nub", "driver::probe", "driver::start", "matched:nub",
                                 "firstMatch:nub"}));
    EXPECT_EQ(service->getState() & ~kIOServiceInactiveState,
              unsigned{kIOServiceRegisteredState | kIOServiceMatchedState | kIOServiceFirstPublishState |
                       kIOServiceFirstMatchState});

    // Registered again: published and matched again, but the "first" ones do not repeat.
    matchtest::clearLog();
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(logged(), (Strings{"publish:nub", "matched:nub"}));
}

TEST_F(NotificationMatching, ExistingServicesAreDeliveredAtInstallation)
{
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    auto unregistered = nub("unregistered");
    // Every state-named type finds the existing service (xnu's doInstallNotification), the
    // termination types do not.
    watch(gIOPublishNotification, "publish");
    watch(gIOFirstPublishNotification, "firstPublish");
    watch(gIOMatchedNotification, "matched");
    watch(gIOFirstMatchNotification, "firstMatch");
    watch(gIOTerminatedNotification, "terminated");
    watch(gIOWillTerminateNotification, "willTerminate");
    EXPECT_EQ(logged(), (Strings{"publish:nub", "firstPublish:nub", "matched:nub", "firstMatch:nub"}));
}

TEST_F(NotificationMatching, HigherPriorityNotifiersRunFirst)
{
    watch(gIOPublishNotification, "low", 1);
    watch(gIOPublishNotification, "high", 10);
    watch(gIOPublishNotification, "lowToo", 1);
    watch(gIOPublishNotification, "negative", -5);
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(logged(), (Strings{"high:nub", "low:nub", "lowToo:nub", "negative:nub"}));
}

TEST_F(NotificationMatching, PublishNotifiersAndPersonalitiesShareTheScoreOrder)
{
    // A publish notifier with a priority above a personality's probe score runs before that
    // personality is matched; below it, after (both before any start).
    addDrivers({personality("driver", 5).get()});
    watch(gIOPublishNotification, "before", 10);
    watch(gIOPublishNotification, "after", 1);
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(logged(), (Strings{"before:nub", "after:nub", "driver::probe", "driver::start"}));
}

TEST_F(NotificationMatching, TerminationNotificationsComeFromTheTerminationCode)
{
    watch(gIOTerminatedNotification, "terminated");
    watch(gIOWillTerminateNotification, "willTerminate");
    addDrivers({personality("driver").get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    matchtest::clearLog();
    terminate(service.get());
    const Strings all = logged();
    auto position = [&](const std::string& line) { return std::find(all.begin(), all.end(), line) - all.begin(); };
    ASSERT_LT(position("terminated:nub"), static_cast<long>(all.size()));
    ASSERT_LT(position("willTerminate:nub"), static_cast<long>(all.size()));
    // Terminated in phase 1, will-terminate in phase 2, both before the driver stops.
    EXPECT_LT(position("terminated:nub"), position("willTerminate:nub"));
    EXPECT_LT(position("willTerminate:nub"), position("driver::stop"));
}

TEST_F(NotificationMatching, TerminationTypesReachInactiveServices)
{
    watch(gIOTerminatedNotification, "terminated");
    watch(gIOPublishNotification, "publish");
    auto service = nub("nub");
    service->privateState().setPublicBits(kIOServiceInactiveState);
    openiokit::deliverMatchingNotifications(gIOTerminatedNotification, service.get());
    openiokit::deliverMatchingNotifications(gIOPublishNotification, service.get());
    service->privateState().clearPublicBits(kIOServiceInactiveState);
    EXPECT_EQ(logged(), (Strings{"terminated:nub"}));
}

TEST_F(NotificationMatching, DisableAndEnable)
{
    IONotifier* notifier = watch(gIOPublishNotification, "publish");
    auto service = nub("nub");
    EXPECT_TRUE(notifier->disable());
    EXPECT_FALSE(notifier->disable());
    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(logged().empty());
    notifier->enable(true);
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(logged(), (Strings{"publish:nub"}));
}

TEST_F(NotificationMatching, RemovedNotifiersAreNotCalled)
{
    IONotifier* notifier = watch(gIOPublishNotification, "publish");
    notifiers_.clear();
    notifier->remove();
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(logged().empty());
}

namespace {

bool removeSelf(void* target, void* ref, IOService* service, IONotifier* notifier)
{
    log(std::string("removeSelf:") + service->getName());
    notifier->remove();
    return true;
}

}  // namespace

TEST_F(NotificationMatching, AHandlerMayRemoveItsNotifierDuringTheExistingDelivery)
{
    auto a = nub("a");
    auto b = nub("b");
    a->registerService(kIOServiceSynchronous);
    b->registerService(kIOServiceSynchronous);
    IONotifier* notifier =
        IOService::addMatchingNotification(gIOMatchedNotification, mine().get(), &removeSelf, nullptr, nullptr, 0);
    ASSERT_TRUE(notifier);
    // Removed after the first existing service: the caller gets xnu's null notifier, which is
    // safe to use and to remove.
    EXPECT_EQ(logged().size(), 1u);
    EXPECT_FALSE(notifier->disable());
    notifier->retain();
    notifier->release();
    notifier->remove();
}

TEST_F(NotificationMatching, AddNotificationConsumesTheTableAndUsesTheShortHandler)
{
    static std::atomic<int> calls;
    calls = 0;
    auto handler = +[](void* target, void* ref, IOService* service) -> bool {
        calls++;
        return true;
    };
    OSDictionary* table = mine().detach();
    table->retain();
    IONotifier* notifier = IOService::addNotification(gIOPublishNotification, table, handler, nullptr);
    ASSERT_TRUE(notifier);
    EXPECT_EQ(table->getRetainCount(), 2);  // ours and the notifier's
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(calls.load(), 1);
    notifier->remove();
    EXPECT_EQ(table->getRetainCount(), 1);
    table->release();
}

TEST_F(NotificationMatching, AddMatchingNotificationDoesNotConsumeTheTable)
{
    auto table = mine();
    const int references = table->getRetainCount();
    IONotifier* notifier = IOService::addMatchingNotification(gIOPublishNotification, table.get(), &logHandler,
                                                              const_cast<char*>("x"), nullptr, 0);
    ASSERT_TRUE(notifier);
    EXPECT_EQ(table->getRetainCount(), references + 1);
    notifier->remove();
    EXPECT_EQ(table->getRetainCount(), references);
}

TEST_F(NotificationMatching, BadArgumentsGiveNoNotifier)
{
    auto table = mine();
    auto unknown = matchtest::adopt(OSSymbol::withCString("NoSuchNotification"));
    EXPECT_EQ(IOService::addMatchingNotification(unknown.get(), table.get(), &logHandler, nullptr), nullptr);
    EXPECT_EQ(IOService::addMatchingNotification(gIOPublishNotification, nullptr, &logHandler, nullptr), nullptr);
    EXPECT_EQ(IOService::addMatchingNotification(gIOGeneralInterest, table.get(), &logHandler, nullptr), nullptr);
}

namespace {

struct SlowHandler {
    std::atomic<bool> entered{false};
    std::atomic<bool> finished{false};
};

bool slowHandler(void* target, void* ref, IOService* service, IONotifier* notifier)
{
    auto* slow = static_cast<SlowHandler*>(target);
    slow->entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    slow->finished = true;
    return true;
}

}  // namespace

TEST_F(NotificationMatching, RemoveWaitsForADeliveryInProgress)
{
    SlowHandler slow;
    IONotifier* notifier =
        IOService::addMatchingNotification(gIOPublishNotification, mine().get(), &slowHandler, &slow, nullptr, 0);
    ASSERT_TRUE(notifier);
    auto service = nub("nub");
    service->registerService();  // delivered on a config thread
    while (!slow.entered) {
        std::this_thread::yield();
    }
    notifier->remove();
    EXPECT_TRUE(slow.finished);
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
}

TEST_F(NotificationMatching, ConcurrentRegistrationsAndRemovalsDoNotCrash)
{
    std::vector<OSSharedPtr<IOService>> services;
    for (int index = 0; index < 8; index++) {
        services.push_back(nub(("n" + std::to_string(index)).c_str()));
    }
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        while (!stop) {
            IONotifier* notifier = IOService::addMatchingNotification(gIOPublishNotification, mine().get(),
                                                                      &logHandler, const_cast<char*>("churn"));
            if (notifier) {
                notifier->remove();
            }
        }
    });
    for (int round = 0; round < 20; round++) {
        for (auto& service : services) {
            service->registerService();
        }
    }
    for (auto& service : services) {
        EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    }
    stop = true;
    churn.join();
}
