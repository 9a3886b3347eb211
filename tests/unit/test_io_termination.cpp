// The termination machinery against iokit-semantics.md §2: the seed's kextunload trace, hot
// unplug (sync and async), a client refusing terminate, a client holding its provider open,
// synchronous timeout, and concurrent terminates of one subtree.
#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>

#include "../../src/kernel/Termination.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// Every callback of every test service appends "<name>::<callback>" here.
class CallLog {
public:
    void add(const IOService* service, const char* what)
    {
        std::lock_guard lock(mutex_);
        entries_.push_back(std::string(service->getName()) + "::" + what);
    }
    std::vector<std::string> matching(const char* suffix) const
    {
        std::lock_guard lock(mutex_);
        std::vector<std::string> result;
        for (const auto& entry : entries_) {
            if (entry.ends_with(suffix)) {
                result.push_back(entry);
            }
        }
        return result;
    }
    std::vector<std::string> all() const
    {
        std::lock_guard lock(mutex_);
        return entries_;
    }
    void clear()
    {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> entries_;
};
CallLog gLog;

using Strings = std::vector<std::string>;

}  // namespace

// One class for nubs, drivers and clients; behaviour switches are per instance.
class TestTermService : public IOService {
    OSDeclareDefaultStructors(TestTermService);

public:
    bool refuseTerminate;
    bool openProviderInStart;
    bool closeWhenAsked;
    std::atomic<unsigned> terminateOptions;
    std::atomic<int> stops;

    static TestTermService* make(const char* name)
    {
        TestTermService* service = OSTypeAlloc(TestTermService);
        if (!service->init()) {
            service->release();
            return nullptr;
        }
        service->setName(name);
        return service;
    }

    bool terminate(IOOptionBits options = 0) override
    {
        gLog.add(this, "terminate");
        terminateOptions = options;
        return refuseTerminate ? false : IOService::terminate(options);
    }
    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        return !openProviderInStart || provider->open(this);
    }
    void stop(IOService* provider) override
    {
        gLog.add(this, "stop");
        ++stops;
        IOService::stop(provider);
    }
    bool willTerminate(IOService* provider, IOOptionBits options) override
    {
        gLog.add(this, "willTerminate");
        return IOService::willTerminate(provider, options);
    }
    bool didTerminate(IOService* provider, IOOptionBits options, bool* defer) override
    {
        gLog.add(this, "didTerminate");
        return IOService::didTerminate(provider, options, defer);
    }
    bool finalize(IOOptionBits options) override
    {
        gLog.add(this, "finalize");
        return IOService::finalize(options);
    }
    IOReturn message(UInt32 type, IOService* provider, void* argument) override
    {
        if (type == kIOMessageServiceIsTerminated) {
            gLog.add(this, "message(IsTerminated)");
        } else if (type == kIOMessageServiceIsRequestingClose) {
            gLog.add(this, "message(IsRequestingClose)");
            if (closeWhenAsked) {
                provider->close(this);
            }
            return kIOReturnSuccess;
        }
        return IOService::message(type, provider, argument);
    }
};
OSDefineMetaClassAndStructors(TestTermService, IOService);

namespace {

// Nub N under the service root, driver D on N, clients U1 and U2 on D (attach order U1, U2).
struct Tree {
    TestTermService* nub = TestTermService::make("N");
    TestTermService* driver = TestTermService::make("D");
    TestTermService* u1 = TestTermService::make("U1");
    TestTermService* u2 = TestTermService::make("U2");

    Tree()
    {
        gLog.clear();
        EXPECT_TRUE(nub->attach(IOService::getServiceRoot()));
        EXPECT_TRUE(driver->attach(nub) && driver->start(nub));
        EXPECT_TRUE(u1->attach(driver) && u1->start(driver));
        EXPECT_TRUE(u2->attach(driver) && u2->start(driver));
    }
    ~Tree()
    {
        openiokit::waitForTerminationIdle();
        for (TestTermService* service : {u2, u1, driver, nub}) {
            service->release();
        }
    }
};

void expectDetached(IOService* service)
{
    EXPECT_EQ(service->getProvider(), nullptr) << service->getName();
    EXPECT_TRUE(service->isInactive()) << service->getName();
}

}  // namespace

// §2.8: kextunload's per-service terminate(kIOServiceRequired | kIOServiceSynchronous) on D.
TEST(Termination, SeedKextunloadTraceIsReproducedExactly)
{
    const unsigned instancesBefore = TestTermService::metaClass->getInstanceCount();
    {
        Tree tree;
        EXPECT_TRUE(tree.driver->terminate(kIOServiceRequired | kIOServiceSynchronous));
        // terminate(kIOServiceSynchronous) returns once D has stopped and left N.
        EXPECT_EQ(gLog.matching("::terminate"), (Strings{"D::terminate", "U1::terminate", "U2::terminate"}));
        EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop"}));
        Strings trace;
        for (const auto& entry : gLog.all()) {
            if (entry.ends_with("::terminate") || entry.ends_with("::stop")) {
                trace.push_back(entry);
            }
        }
        EXPECT_EQ(trace, (Strings{"D::terminate", "U1::terminate", "U2::terminate", "U1::stop", "U2::stop", "D::stop"}));
        // Propagation reaches the clients' terminate() with Recursing | Terminate | caller's bits.
        EXPECT_EQ(tree.u1->terminateOptions.load(), 0x00100007u);
        EXPECT_EQ(tree.driver->terminateOptions.load(), 0x00000003u);
        // The clients got willTerminate/IsTerminated/didTerminate from D; D itself got none.
        EXPECT_EQ(gLog.matching("willTerminate"), (Strings{"U1::willTerminate", "U2::willTerminate"}));
        EXPECT_EQ(gLog.matching("didTerminate"), (Strings{"U1::didTerminate", "U2::didTerminate"}));
        EXPECT_EQ(gLog.matching("(IsTerminated)"), (Strings{"U1::message(IsTerminated)", "U2::message(IsTerminated)"}));
        expectDetached(tree.driver);
        expectDetached(tree.u1);
        expectDetached(tree.u2);
        EXPECT_FALSE(tree.nub->isInactive());  // the nub stays
        EXPECT_EQ(tree.driver->getBusyState(), 0u);
        EXPECT_EQ(tree.nub->getBusyState(), 0u);
        tree.nub->terminate(kIOServiceSynchronous);
    }
    // Once the last references go, the instances are freed: the kext could unload.
    EXPECT_EQ(TestTermService::metaClass->getInstanceCount(), instancesBefore);
}

TEST(Termination, HotUnplugSynchronousStopsLeafFirst)
{
    Tree tree;
    EXPECT_TRUE(tree.nub->terminate(kIOServiceSynchronous));
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop", "N::stop"}));
    // willTerminate root-to-leaf: D hears from N before U1/U2 hear from D.
    EXPECT_EQ(gLog.matching("willTerminate"), (Strings{"D::willTerminate", "U1::willTerminate", "U2::willTerminate"}));
    for (IOService* service : {static_cast<IOService*>(tree.nub), static_cast<IOService*>(tree.driver),
                               static_cast<IOService*>(tree.u1), static_cast<IOService*>(tree.u2)}) {
        expectDetached(service);
    }
}

TEST(Termination, HotUnplugAsynchronousReturnsAtOnceAndCompletes)
{
    Tree tree;
    EXPECT_TRUE(tree.nub->terminate());
    EXPECT_TRUE(tree.nub->isInactive());  // phase 1 ran on this thread
    EXPECT_TRUE(tree.u1->isInactive());
    EXPECT_EQ(tree.nub->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
    openiokit::waitForTerminationIdle();
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop", "N::stop"}));
    expectDetached(tree.nub);
    // Propagation from an asynchronous terminate(0): Recursing | Terminate.
    EXPECT_EQ(tree.driver->terminateOptions.load(), static_cast<unsigned>(kIOServiceRecursing | kIOServiceTerminate));
}

TEST(Termination, TerminatingTwiceIsAHarmlessNoOp)
{
    Tree tree;
    EXPECT_TRUE(tree.driver->terminate(kIOServiceSynchronous));
    EXPECT_TRUE(tree.driver->terminate(kIOServiceSynchronous));
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop"}));
}

// §2.3: a client whose terminate() refuses stays active, but is still stopped and detached.
TEST(Termination, ClientRefusingTerminateIsStoppedAndDetachedButStaysActive)
{
    Tree tree;
    tree.u1->refuseTerminate = true;
    EXPECT_TRUE(tree.driver->terminate(kIOServiceRequired | kIOServiceSynchronous));
    EXPECT_FALSE(tree.u1->isInactive());
    EXPECT_EQ(tree.u1->getProvider(), nullptr);
    EXPECT_EQ(tree.u1->stops.load(), 1);
    EXPECT_TRUE(tree.u2->isInactive());
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop"}));
}

// §2.7: a client holding its provider open is asked to close; its stop (and the provider's)
// wait for that close.
TEST(Termination, ClientHoldingProviderOpenDefersStopUntilItCloses)
{
    Tree tree;
    ASSERT_TRUE(tree.driver->open(tree.u1));
    EXPECT_TRUE(tree.driver->terminate());  // asynchronous
    EXPECT_EQ(tree.driver->waitQuiet(200'000'000ull), kIOReturnTimeout);
    openiokit::waitForTerminationIdle();
    EXPECT_EQ(gLog.matching("(IsRequestingClose)"), (Strings{"U1::message(IsRequestingClose)"}));
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U2::stop"}));  // U1 and D wait
    tree.driver->close(tree.u1);
    EXPECT_EQ(tree.driver->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
    openiokit::waitForTerminationIdle();
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U2::stop", "U1::stop", "D::stop"}));
}

TEST(Termination, ClientClosingWhenAskedLetsSynchronousTerminateFinish)
{
    Tree tree;
    tree.u1->closeWhenAsked = true;
    ASSERT_TRUE(tree.driver->open(tree.u1));
    EXPECT_TRUE(tree.driver->terminate(kIOServiceSynchronous));
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop"}));
    EXPECT_FALSE(tree.driver->isOpen());
}

TEST(Termination, SynchronousTerminateWaitsForALateCloseFromAnotherThread)
{
    Tree tree;
    ASSERT_TRUE(tree.driver->open(tree.u2));
    std::thread closer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        tree.driver->close(tree.u2);
    });
    EXPECT_TRUE(tree.driver->terminate(kIOServiceSynchronous));
    closer.join();
    EXPECT_EQ(gLog.matching("::stop"), (Strings{"U1::stop", "U2::stop", "D::stop"}));
    expectDetached(tree.driver);
}

TEST(Termination, SynchronousTerminateGivesUpAfterTheTimeout)
{
    Tree tree;
    std::vector<openiokit::TerminationTrace> points;
    std::mutex pointsLock;
    openiokit::setTerminationTracer([&](openiokit::TerminationTrace point, IOService*, IOService*) {
        std::lock_guard lock(pointsLock);
        points.push_back(point);
    });
    openiokit::setSynchronousTerminateTimeout(100'000'000ull);
    ASSERT_TRUE(tree.driver->open(tree.u1));
    EXPECT_TRUE(tree.driver->terminate(kIOServiceSynchronous));  // returns after 100 ms
    EXPECT_GT(tree.driver->getBusyState(), 0u);  // still waiting for U1's close
    {
        std::lock_guard lock(pointsLock);
        EXPECT_NE(std::find(points.begin(), points.end(), openiokit::TerminationTrace::SyncTimeout), points.end());
    }
    openiokit::setSynchronousTerminateTimeout(15'000'000'000ull);
    openiokit::setTerminationTracer(nullptr);
    tree.driver->close(tree.u1);
    EXPECT_EQ(tree.driver->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
}

TEST(Termination, ConcurrentTerminatesOfOneSubtreeStopEachServiceOnce)
{
    for (int round = 0; round < 20; ++round) {
        Tree tree;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                if (t % 2) {
                    tree.nub->terminate(kIOServiceSynchronous);
                } else {
                    tree.driver->terminate();
                }
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        EXPECT_EQ(tree.nub->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
        openiokit::waitForTerminationIdle();
        for (TestTermService* service : {tree.nub, tree.driver, tree.u1, tree.u2}) {
            EXPECT_EQ(service->stops.load(), 1) << service->getName() << " round " << round;
            expectDetached(service);
        }
    }
}

TEST(Termination, AttachToAnInactiveProviderFails)
{
    Tree tree;
    tree.driver->terminate(kIOServiceSynchronous);
    TestTermService* late = TestTermService::make("Late");
    EXPECT_FALSE(late->attach(tree.driver));
    late->release();
}

// --- The seed's driver instantiated from a catalogue personality, as in a real kext ----------

class TestSeedDriver : public TestTermService {
    OSDeclareDefaultStructors(TestSeedDriver);

public:
    bool start(IOService* provider) override
    {
        setName("D");
        gLog.add(this, "start");
        return TestTermService::start(provider);
    }
};
OSDefineMetaClassAndStructors(TestSeedDriver, TestTermService);

TEST(Termination, SeedTraceWithAPersonalityInstantiatedDriver)
{
    IOService::initialize();  // the "boot": service root, IOResources, the catalogue
    const unsigned driversBefore = TestSeedDriver::metaClass->getInstanceCount();
    gLog.clear();
    // IOProviderClass TestTermService, IOClass TestSeedDriver, only on nubs marked "SeedNub".
    OSDictionary* personality = IOService::serviceMatching("TestTermService");
    const OSSymbol* driverClass = OSSymbol::withCString("TestSeedDriver");
    personality->setObject(gIOClassKey, driverClass);
    driverClass->release();
    OSDictionary* marker = OSDictionary::withCapacity(1);
    marker->setObject("SeedNub", kOSBooleanTrue);
    personality->setObject(gIOPropertyMatchKey, marker);
    marker->release();
    OSArray* drivers = OSArray::withCapacity(1);
    drivers->setObject(personality);
    ASSERT_TRUE(gIOCatalogue->addDrivers(drivers, false));

    TestTermService* nub = TestTermService::make("N");
    nub->setProperty("SeedNub", true);
    ASSERT_TRUE(nub->attach(IOService::getServiceRoot()));
    nub->registerService(kIOServiceSynchronous);
    auto* driver = OSDynamicCast(TestSeedDriver, nub->getClient());
    ASSERT_NE(driver, nullptr) << "matching did not start the personality's driver";
    TestTermService* u1 = TestTermService::make("U1");
    TestTermService* u2 = TestTermService::make("U2");
    ASSERT_TRUE(u1->attach(driver) && u1->start(driver));
    ASSERT_TRUE(u2->attach(driver) && u2->start(driver));

    EXPECT_TRUE(driver->terminate(kIOServiceRequired | kIOServiceSynchronous));
    Strings trace;
    for (const auto& entry : gLog.all()) {
        if (entry.ends_with("::terminate") || entry.ends_with("::stop")) {
            trace.push_back(entry);
        }
    }
    EXPECT_EQ(trace, (Strings{"D::terminate", "U1::terminate", "U2::terminate", "U1::stop", "U2::stop", "D::stop"}));

    gIOCatalogue->removeDrivers(personality, false);
    personality->release();
    drivers->release();
    nub->terminate(kIOServiceSynchronous);
    openiokit::waitForTerminationIdle();
    u1->release();
    u2->release();
    nub->release();
    // Nothing holds the matched driver any more: its instance is gone.
    EXPECT_EQ(TestSeedDriver::metaClass->getInstanceCount(), driversBefore);
}

// --- terminate racing registerService (matching holds phase 2 back with kIOServiceConfigState) --

namespace {
std::atomic<int> gRaceStarts{0};
std::atomic<int> gRaceStops{0};
}  // namespace

class TestRaceDriver : public IOService {
    OSDeclareDefaultStructors(TestRaceDriver);

public:
    bool start(IOService* provider) override
    {
        ++gRaceStarts;
        return IOService::start(provider);
    }
    void stop(IOService* provider) override
    {
        ++gRaceStops;
        IOService::stop(provider);
    }
};
OSDefineMetaClassAndStructors(TestRaceDriver, IOService);

TEST(Termination, TerminateRacingRegisterServiceLeavesNothingBehind)
{
    IOService::initialize();
    const unsigned driversBefore = TestRaceDriver::metaClass->getInstanceCount();
    OSDictionary* personality = IOService::serviceMatching("TestTermService");
    const OSSymbol* driverClass = OSSymbol::withCString("TestRaceDriver");
    personality->setObject(gIOClassKey, driverClass);
    driverClass->release();
    OSDictionary* marker = OSDictionary::withCapacity(1);
    marker->setObject("RaceNub", kOSBooleanTrue);
    personality->setObject(gIOPropertyMatchKey, marker);
    marker->release();
    OSArray* drivers = OSArray::withCapacity(1);
    drivers->setObject(personality);
    ASSERT_TRUE(gIOCatalogue->addDrivers(drivers, false));

    for (int round = 0; round < 100; ++round) {
        TestTermService* nub = TestTermService::make("RaceNub");
        nub->setProperty("RaceNub", true);
        ASSERT_TRUE(nub->attach(IOService::getServiceRoot()));
        const bool synchronous = round % 2;
        std::thread registrar([&] { nub->registerService(synchronous ? kIOServiceSynchronous : 0); });
        std::thread terminator([&] { nub->terminate(); });
        registrar.join();
        terminator.join();
        // Whatever the interleaving: the nub goes quiet, is gone, and every driver that
        // started was stopped exactly once.
        ASSERT_EQ(nub->waitQuiet(10'000'000'000ull), kIOReturnSuccess) << "round " << round;
        openiokit::waitForTerminationIdle();
        EXPECT_TRUE(nub->isInactive());
        EXPECT_EQ(nub->getProvider(), nullptr);
        EXPECT_EQ(nub->getClient(), nullptr);
        EXPECT_EQ(gRaceStarts.load(), gRaceStops.load()) << "round " << round;
        nub->release();
    }
    std::printf("[          ] drivers started (and stopped) in 100 races: %d\n", gRaceStarts.load());
    gIOCatalogue->removeDrivers(personality, false);
    personality->release();
    drivers->release();
    EXPECT_EQ(TestRaceDriver::metaClass->getInstanceCount(), driversBefore);
}
