// The matching flow (iokit-semantics.md §4.2): probe-score order, probe changing the score or
// refusing, the first successful start in a match category winning, start failures falling
// back, losers freed without start, what the driver's property table carries, synchronous and
// asynchronous registration, busy while matching.
#include "test_io_matching_support.h"

#include "../../src/kernel/IOServicePrivate.h"

#include <cstring>

using matchtest::dict;
using matchtest::logged;
using matchtest::loggedEnding;
using matchtest::num;
using matchtest::str;

namespace {

using Strings = std::vector<std::string>;

class MatchingProbe : public MatchTestFixture {};

unsigned int liveDrivers()
{
    return MatchTestDriver::metaClass->getInstanceCount();
}

}  // namespace

TEST_F(MatchingProbe, HighestScoreProbesFirstAndOnlyTheBestStarts)
{
    const unsigned int before = liveDrivers();
    addDrivers({personality("low", 10).get(), personality("high", 30).get(), personality("mid", 20).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);

    EXPECT_EQ(loggedEnding("::probe"), (Strings{"high::probe", "mid::probe", "low::probe"}));
    EXPECT_EQ(loggedEnding("::start"), (Strings{"high::start"}));
    // The losers of the category are released without start.
    EXPECT_EQ(loggedEnding("::free"), (Strings{"mid::free", "low::free"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"high"}));
    EXPECT_EQ(liveDrivers(), before + 1);

    terminate(service.get());
    EXPECT_EQ(loggedEnding("::stop"), (Strings{"high::stop"}));
    EXPECT_EQ(liveDrivers(), before);
}

TEST_F(MatchingProbe, ProbeMayChangeTheScore)
{
    addDrivers({personality("raised", 10, {{"MatchTestProbeScore", num(50).get()}}).get(),
                personality("steady", 30).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(loggedEnding("::probe"), (Strings{"steady::probe", "raised::probe"}));
    EXPECT_EQ(loggedEnding("::start"), (Strings{"raised::start"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"raised"}));
    // The final score is recorded on the driver.
    OSSharedPtr<IOService> driver(service->getClient(), OSRetain);
    EXPECT_TRUE(num(50)->isEqualTo(driver->getProperty(kIOProbeScoreKey)));
}

TEST_F(MatchingProbe, ProbeMayRefuse)
{
    addDrivers({personality("refuses", 30, {{"MatchTestProbe", str("refuse").get()}}).get(),
                personality("accepts", 20).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(loggedEnding("::probe"), (Strings{"refuses::probe", "accepts::probe"}));
    EXPECT_EQ(loggedEnding("::start"), (Strings{"accepts::start"}));
    EXPECT_EQ(loggedEnding("::free"), (Strings{"refuses::free"}));
}

TEST_F(MatchingProbe, FailedStartFallsBackToTheNextCandidate)
{
    const unsigned int before = liveDrivers();
    addDrivers({personality("fails", 30, {{"MatchTestStartFail", num(1).get()}}).get(),
                personality("works", 20).get(), personality("spare", 10).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(loggedEnding("::start"), (Strings{"fails::start", "works::start"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"works"}));
    EXPECT_EQ(loggedEnding("::free"), (Strings{"fails::free", "spare::free"}));
    EXPECT_EQ(liveDrivers(), before + 1);
}

TEST_F(MatchingProbe, EveryMatchCategoryGetsItsOwnWinner)
{
    addDrivers({personality("oneLow", 10, {{kIOMatchCategoryKey, str("one").get()}}).get(),
                personality("oneHigh", 20, {{kIOMatchCategoryKey, str("one").get()}}).get(),
                personality("two", 5, {{kIOMatchCategoryKey, str("two").get()}}).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_EQ(loggedEnding("::start"), (Strings{"oneHigh::start", "two::start"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"oneHigh", "two"}));
    EXPECT_EQ(loggedEnding("::free"), (Strings{"oneLow::free"}));
}

TEST_F(MatchingProbe, AnOccupiedCategoryIsNotProbedAgain)
{
    addDrivers({personality("first", 10).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    ASSERT_EQ(clientTags(service.get()), (Strings{"first"}));
    matchtest::clearLog();

    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(loggedEnding("::probe").empty());
    addDrivers({personality("sameCategory", 50).get(),
                personality("otherCategory", 1, {{kIOMatchCategoryKey, str("other").get()}}).get()});
    quiet(service.get());
    EXPECT_EQ(loggedEnding("::probe"), (Strings{"otherCategory::probe"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"first", "otherCategory"}));
}

TEST_F(MatchingProbe, TheDriverOwnsACopyOfItsPersonality)
{
    auto matchingPersonality = personality("named", 7, {{kIONameMatchKey, matchtest::array({str("x").get(), str("nub").get()}).get()}});
    addDrivers({matchingPersonality.get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    OSSharedPtr<IOService> driver(service->getClient(), OSRetain);
    ASSERT_TRUE(driver);
    EXPECT_TRUE(str("IODefaultMatchCategory")->isEqualTo(driver->getProperty(kIOMatchCategoryKey)));
    EXPECT_TRUE(OSDynamicCast(OSSymbol, driver->getProperty(kIOMatchCategoryKey)));
    EXPECT_TRUE(str("com.example.matchtest")->isEqualTo(driver->getProperty("CFBundleIdentifier")));
    EXPECT_TRUE(str("MatchTestDriver")->isEqualTo(driver->getProperty(kIOClassKey)));
    EXPECT_TRUE(str("nub")->isEqualTo(driver->getProperty(kIONameMatchedKey)));
    EXPECT_TRUE(num(7)->isEqualTo(driver->getProperty(kIOProbeScoreKey)));
    // The catalogue's own personality is untouched.
    EXPECT_EQ(matchingPersonality->getObject(kIONameMatchedKey), nullptr);
    EXPECT_EQ(matchingPersonality->getObject(kIOMatchCategoryKey), nullptr);
    // Drivers register themselves (MatchTestDriver does, in start).
    EXPECT_TRUE(driver->getState() & kIOServiceMatchedState);
}

TEST_F(MatchingProbe, AMissingClassIsLoggedAndSkipped)
{
    const uint64_t from = matchtest::logSequence();
    auto missing = personality("missing", 40);
    missing->setObject(kIOClassKey, str("NoSuchMatchTestClass").get());
    addDrivers({missing.get(), personality("present", 1).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(matchtest::kernelLogContains("Couldn't alloc class \"NoSuchMatchTestClass\"", from));
    EXPECT_EQ(clientTags(service.get()), (Strings{"present"}));
}

TEST_F(MatchingProbe, SynchronousRegistrationMatchesTheSubtreeOnTheCallersThread)
{
    const std::string childID = std::string(id()) + ".child";
    auto childPersonality = personality("grandchild", 0);
    childPersonality->setObject(kIOPropertyMatchKey, dict({{"MatchTestID", str(childID.c_str()).get()}}).get());
    addDrivers({personality("parent", 0, {{"MatchTestChildID", str(childID.c_str()).get()}}).get(),
                childPersonality.get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    // The driver's own registerService (of its child nub) ran inline too.
    EXPECT_EQ(loggedEnding("::start"), (Strings{"parent::start", "grandchild::start"}));
    OSSharedPtr<IOService> parent(service->getClient(), OSRetain);
    ASSERT_TRUE(parent);
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    EXPECT_STREQ(static_cast<MatchTestDriver*>(parent.get())->startThreadName, name);
    EXPECT_EQ(service->getBusyState(), 0u);
    EXPECT_EQ(service->getState() & (kIOServiceRegisteredState | kIOServiceMatchedState),
              unsigned{kIOServiceRegisteredState | kIOServiceMatchedState});
}

TEST_F(MatchingProbe, AsynchronousRegistrationRunsOnAConfigThreadAndKeepsTheNubBusy)
{
    addDrivers({personality("blocked", 0, {{"MatchTestStartBlock", num(1).get()}}).get()});
    auto service = nub("nub");
    service->registerService();
    ASSERT_TRUE(matchtest::waitForLogLine("blocked::start"));
    // Matching is in progress: busy, in the config state, registered but not yet matched.
    EXPECT_GE(service->getBusyState(), 1u);
    EXPECT_TRUE(service->privateState().hasPrivateBits(kIOServiceConfigState));
    EXPECT_TRUE(service->getState() & kIOServiceRegisteredState);
    EXPECT_FALSE(service->getState() & kIOServiceMatchedState);
    EXPECT_EQ(service->waitQuiet(uint64_t{10'000'000}), kIOReturnTimeout);

    matchtest::openStartGate();
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    EXPECT_EQ(service->getBusyState(), 0u);
    EXPECT_FALSE(service->privateState().hasPrivateBits(kIOServiceConfigState));
    EXPECT_TRUE(service->getState() & kIOServiceMatchedState);
    OSSharedPtr<IOService> driver(service->getClient(), OSRetain);
    ASSERT_TRUE(driver);
    EXPECT_STREQ(static_cast<MatchTestDriver*>(driver.get())->startThreadName, "_IOConfigThread");
}

TEST_F(MatchingProbe, ReRegistrationDuringMatchingMatchesAgain)
{
    addDrivers({personality("blocked", 0, {{"MatchTestStartBlock", num(1).get()}}).get()});
    auto service = nub("nub");
    service->registerService();
    ASSERT_TRUE(matchtest::waitForLogLine("blocked::start"));
    // Picked up by the running match: it loops once more when the start returns.
    addDrivers({personality("later", 0, {{kIOMatchCategoryKey, str("later").get()}}).get()}, false);
    service->registerService();
    matchtest::openStartGate();
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    EXPECT_EQ(clientTags(service.get()), (Strings{"blocked", "later"}));
}

TEST_F(MatchingProbe, AServiceOutsideTheRegistryIsNotRegistered)
{
    const uint64_t from = matchtest::logSequence();
    auto loose = matchtest::adopt(OSTypeAlloc(MatchTestNub));
    ASSERT_TRUE(loose->init());
    loose->setName("loose");
    loose->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(matchtest::kernelLogContains("loose: not registry member at registerService()", from));
    EXPECT_EQ(loose->getState(), 0u);
    EXPECT_EQ(loose->getBusyState(), 0u);
}

TEST_F(MatchingProbe, InactiveServicesDoNotMatch)
{
    addDrivers({personality("never", 0).get()});
    auto service = nub("nub");
    // White box: inactive but still attached (as between termination phases 1 and 3).
    service->privateState().setPublicBits(kIOServiceInactiveState);
    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(logged().empty());
    EXPECT_FALSE(service->getState() & kIOServiceRegisteredState);
    EXPECT_EQ(service->getBusyState(), 0u);
    service->privateState().clearPublicBits(kIOServiceInactiveState);
}
