// Looking up services (iokit-semantics.md §4.2 step 5): getMatchingServices and
// copyMatchingService see only matched, active services; waitForMatchingService and
// waitForService, with and without a timeout, and who owns what.
#include "test_io_matching_support.h"

#include <algorithm>
#include <chrono>
#include <thread>

using matchtest::dict;
using matchtest::str;

namespace {

using Strings = std::vector<std::string>;

class MatchingServices : public MatchTestFixture {
protected:
    // This test's services: every MatchTestNub with its id.
    OSSharedPtr<OSDictionary> mine()
    {
        auto table = matchtest::adopt(IOService::serviceMatching("MatchTestNub"));
        IOService::propertyMatching(matchtest::adopt(OSSymbol::withCString("MatchTestID")).get(), str(id()).get(),
                                    table.get());
        return table;
    }

    static Strings names(OSIterator* iterator)
    {
        Strings result;
        while (iterator) {
            auto* service = OSDynamicCast(IOService, iterator->getNextObject());
            if (!service) {
                break;
            }
            result.emplace_back(service->getName());
        }
        std::sort(result.begin(), result.end());
        return result;
    }
};

}  // namespace

TEST_F(MatchingServices, GetMatchingServicesReturnsMatchedActiveServices)
{
    auto table = mine();
    // Nothing matched yet: NULL, not an empty iterator (xnu).
    EXPECT_EQ(IOService::getMatchingServices(table.get()), nullptr);
    auto a = nub("a");
    auto b = nub("b");
    auto unregistered = nub("unregistered");
    a->registerService(kIOServiceSynchronous);
    b->registerService(kIOServiceSynchronous);

    const int tableReferences = table->getRetainCount();
    auto iterator = matchtest::adopt(IOService::getMatchingServices(table.get()));
    EXPECT_EQ(table->getRetainCount(), tableReferences);  // not consumed
    EXPECT_EQ(names(iterator.get()), (Strings{"a", "b"}));

    terminate(b.get());
    iterator = matchtest::adopt(IOService::getMatchingServices(table.get()));
    EXPECT_EQ(names(iterator.get()), (Strings{"a"}));
}

TEST_F(MatchingServices, CopyMatchingServiceReturnsOneRetainedService)
{
    auto table = mine();
    EXPECT_EQ(IOService::copyMatchingService(table.get()), nullptr);
    auto a = nub("a");
    a->registerService(kIOServiceSynchronous);
    const int references = a->getRetainCount();
    IOService* found = IOService::copyMatchingService(table.get());
    EXPECT_EQ(found, a.get());
    EXPECT_EQ(a->getRetainCount(), references + 1);
    found->release();
}

TEST_F(MatchingServices, ResourceTablesLookAtIOResources)
{
    auto iterator = matchtest::adopt(IOService::getMatchingServices(matchtest::adopt(IOService::resourceMatching("IOKit")).get()));
    EXPECT_EQ(names(iterator.get()), (Strings{"IOResources"}));
    EXPECT_EQ(IOService::copyMatchingService(matchtest::adopt(IOService::resourceMatching("NoSuchResource")).get()),
              nullptr);
}

TEST_F(MatchingServices, WaitForMatchingServiceTimesOut)
{
    auto table = mine();
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(IOService::waitForMatchingService(table.get(), 30'000'000), nullptr);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(30));
    // An unregistered service is not enough.
    auto a = nub("a");
    EXPECT_EQ(IOService::waitForMatchingService(table.get(), 1'000'000), nullptr);
}

TEST_F(MatchingServices, WaitForMatchingServiceReturnsAServiceMatchedLater)
{
    auto table = mine();
    auto a = nub("a");
    std::thread registrar([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        a->registerService();
    });
    const int tableReferences = table->getRetainCount();
    IOService* found = IOService::waitForMatchingService(table.get(), 10'000'000'000ull);
    registrar.join();
    EXPECT_EQ(found, a.get());
    EXPECT_EQ(table->getRetainCount(), tableReferences);
    if (found) {
        found->release();  // retained for the caller
    }
    quiet(a.get());
}

TEST_F(MatchingServices, WaitForMatchingServiceReturnsAnExistingServiceAtOnce)
{
    auto table = mine();
    auto a = nub("a");
    a->registerService(kIOServiceSynchronous);
    IOService* found = IOService::waitForMatchingService(table.get(), 0);
    EXPECT_EQ(found, a.get());
    if (found) {
        found->release();
    }
}

TEST_F(MatchingServices, WaitForServiceConsumesTheTableAndBorrowsTheResult)
{
    auto a = nub("a");
    a->registerService(kIOServiceSynchronous);
    OSDictionary* table = mine().detach();
    table->retain();
    const int serviceReferences = a->getRetainCount();
    mach_timespec_t timeout{1, 0};
    EXPECT_EQ(IOService::waitForService(table, &timeout), a.get());
    EXPECT_EQ(table->getRetainCount(), 1);
    EXPECT_EQ(a->getRetainCount(), serviceReferences);
    mach_timespec_t brief{0, 1'000'000};
    auto b = nub("b");
    OSDictionary* other = IOService::nameMatching("b");
    EXPECT_EQ(IOService::waitForService(other, &brief), nullptr);  // b is not registered
    table->release();
}
