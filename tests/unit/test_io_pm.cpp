// Power management (IOServicePM*.cpp): registerPowerDriver's codes, the initial change on the
// PM thread, requests, acknowledgements and their timeout, tree order for simulated system
// sleep and wake, children keeping their parent powered, PMstop and termination, and the root
// domain's system messages.
#include <IOKit/IOService.h>
#include <IOKit/pwr_mgt/IOPM.h>
#include <IOKit/pwr_mgt/RootDomain.h>
#include <libkern/c++/OSSharedPtr.h>
#include <openiokit/KernelLog.h>
#include <openiokit/PowerManagement.h>

#include "../../src/kernel/Termination.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Every setPowerState / will / did call, in order, across drivers.
struct CallLog {
    std::mutex lock;
    std::condition_variable changed;
    std::vector<std::string> calls;

    void add(std::string line)
    {
        std::lock_guard guard(lock);
        calls.push_back(std::move(line));
        changed.notify_all();
    }
    bool waitFor(const std::string& line)
    {
        std::unique_lock guard(lock);
        return changed.wait_for(guard, 30s, [&] { return std::find(calls.begin(), calls.end(), line) != calls.end(); });
    }
    std::vector<std::string> take()
    {
        std::lock_guard guard(lock);
        return std::exchange(calls, {});
    }
};

CallLog gCalls;

IOPMPowerState gStates[3] = {
    {kIOPMPowerStateVersion1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {kIOPMPowerStateVersion1, kIOPMLowPower, 0, kIOPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0},
    {kIOPMPowerStateVersion1, kIOPMPowerOn | kIOPMDeviceUsable, kIOPMPowerOn, kIOPMPowerOn, 0, 0, 0, 0, 0, 0, 0, 0},
};

}  // namespace

class PMTestDriver : public IOService {
    OSDeclareDefaultStructors(PMTestDriver);

public:
    IOReturn setPowerState(unsigned long ordinal, IOService* device) override
    {
        onPMThread = std::this_thread::get_id() != testThread;
        gCalls.add(std::string(getName()) + " " + std::to_string(ordinal));
        {
            std::unique_lock guard(blockLock);
            blockChanged.wait(guard, [&] { return !blockInSetPowerState; });
        }
        if (ackLaterMicros) {
            if (ackFromThread) {
                std::thread([self = OSSharedPtr<PMTestDriver>(this, OSRetain)] {
                    std::this_thread::sleep_for(10ms);  // acknowledges after setPowerState returned
                    self->acknowledgeSetPowerState();
                }).detach();
            }
            return ackLaterMicros;
        }
        return kIOPMAckImplied;
    }
    IOReturn powerStateWillChangeTo(IOPMPowerFlags, unsigned long ordinal, IOService* device) override
    {
        gCalls.add(std::string(getName()) + " will " + device->getName() + " " + std::to_string(ordinal));
        return kIOPMAckImplied;
    }
    IOReturn powerStateDidChangeTo(IOPMPowerFlags, unsigned long ordinal, IOService* device) override
    {
        gCalls.add(std::string(getName()) + " did " + device->getName() + " " + std::to_string(ordinal));
        return kIOPMAckImplied;
    }
    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        PMinit();
        provider->joinPMtree(this);
        return registerPowerDriver(this, gStates, 3) == kIOReturnSuccess;
    }
    void stop(IOService* provider) override
    {
        inTreeAtStop = getParentEntry(gIOPowerPlane) != nullptr;
        IOService::stop(provider);
    }

    std::thread::id testThread = std::this_thread::get_id();
    std::atomic<bool> onPMThread{false};
    std::atomic<IOReturn> ackLaterMicros{0};
    std::atomic<bool> ackFromThread{true};
    std::atomic<bool> inTreeAtStop{false};
    std::mutex blockLock;
    std::condition_variable blockChanged;
    bool blockInSetPowerState = false;  // guarded by blockLock
};

OSDefineMetaClassAndStructors(PMTestDriver, IOService);

namespace {

OSSharedPtr<PMTestDriver> makeDriver(const char* name)
{
    IOService::initialize();
    OSSharedPtr<PMTestDriver> driver(new PMTestDriver, OSNoRetain);
    if (!driver->init()) {
        return nullptr;
    }
    driver->setName(name);
    return driver;
}

class PMTest : public ::testing::Test {
protected:
    void SetUp() override { gCalls.take(); }
    void TearDown() override
    {
        openiokit::pm::waitForIdle();
        if (openiokit::pm::isSystemAsleep()) {
            openiokit::pm::systemWake();
        }
    }
    // A registered power driver at the top of the tree, its initial change done.
    OSSharedPtr<PMTestDriver> topLevel(const char* name)
    {
        auto driver = makeDriver(name);
        driver->PMinit();
        EXPECT_EQ(driver->registerPowerDriver(driver.get(), gStates, 3), kIOReturnSuccess);
        EXPECT_TRUE(gCalls.waitFor(std::string(name) + " 2"));
        openiokit::pm::waitForIdle();
        gCalls.take();
        return driver;
    }
};

TEST_F(PMTest, RegisterPowerDriverCodes)
{
    auto driver = makeDriver("codes");
    EXPECT_EQ(driver->registerPowerDriver(driver.get(), gStates, 3), kIOPMNotYetInitialized);
    EXPECT_EQ(driver->changePowerStateTo(1), kIOPMNotYetInitialized);
    EXPECT_EQ(driver->makeUsable(), kIOPMNotYetInitialized);
    driver->PMinit();
    EXPECT_EQ(driver->registerPowerDriver(driver.get(), gStates, 1), kIOReturnBadArgument);
    EXPECT_EQ(driver->registerPowerDriver(driver.get(), nullptr, 3), kIOReturnBadArgument);
    EXPECT_EQ(driver->registerPowerDriver(nullptr, gStates, 3), kIOReturnBadArgument);
    IOPMPowerState badVersion[2] = {gStates[0], gStates[2]};
    badVersion[1].version = 7;
    EXPECT_EQ(driver->registerPowerDriver(driver.get(), badVersion, 2), kIOReturnBadArgument);
    EXPECT_EQ(driver->changePowerStateTo(kIOPMMaxPowerStates), kIOReturnBadArgument);
    EXPECT_EQ(driver->temporaryPowerClampOn(), kIOReturnSuccess);
    driver->PMstop();
}

TEST_F(PMTest, InitialChangeGoesToTheHighestStateOnThePMThread)
{
    auto driver = makeDriver("initial");
    driver->PMinit();
    ASSERT_EQ(driver->registerPowerDriver(driver.get(), gStates, 3), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("initial 2"));
    openiokit::pm::waitForIdle();
    EXPECT_TRUE(driver->onPMThread.load());
    EXPECT_EQ(driver->getPowerState(), 2u);
    EXPECT_EQ(driver->maxCapabilityForDomainState(kIOPMPowerOn), 2u);
    EXPECT_EQ(driver->maxCapabilityForDomainState(0), 0u);
    driver->PMstop();
}

TEST_F(PMTest, RequestsChangeTheState)
{
    auto driver = topLevel("requests");
    EXPECT_EQ(driver->changePowerStateTo(0), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("requests 0"));
    EXPECT_EQ(driver->changePowerStateToPriv(1), kIOReturnSuccess);  // the higher request wins
    ASSERT_TRUE(gCalls.waitFor("requests 1"));
    EXPECT_EQ(driver->makeUsable(), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("requests 2"));
    openiokit::pm::waitForIdle();
    EXPECT_EQ(driver->getPowerState(), 2u);
    driver->PMstop();
}

TEST_F(PMTest, AcknowledgementLetsTheChangeComplete)
{
    auto driver = topLevel("acker");
    driver->ackLaterMicros = 30'000'000;  // promises an acknowledgement within 30 s
    const uint64_t start = openiokit::KernelLog::snapshot().empty() ? 0 : openiokit::KernelLog::snapshot().back().sequence;
    ASSERT_EQ(driver->changePowerStateTo(0), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("acker 0"));
    openiokit::pm::waitForIdle();
    EXPECT_EQ(driver->getPowerState(), 0u);
    for (const auto& entry : openiokit::KernelLog::snapshot()) {
        if (entry.sequence > start) {
            EXPECT_EQ(entry.text.find("timed out"), std::string::npos) << entry.text;
        }
    }
    driver->ackLaterMicros = 0;
    driver->PMstop();
}

TEST_F(PMTest, MissingAcknowledgementTimesOutWithALogLine)
{
    auto driver = topLevel("silent");
    driver->ackLaterMicros = 1000;  // 1 ms, never acknowledged
    driver->ackFromThread = false;
    ASSERT_EQ(driver->changePowerStateTo(1), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("silent 1"));
    openiokit::pm::waitForIdle();
    EXPECT_EQ(driver->getPowerState(), 1u);  // PM moves on, as xnu does after its ack timer
    bool logged = false;
    for (const auto& entry : openiokit::KernelLog::snapshot()) {
        logged |= entry.text.find("PMTestDriver::setPowerState(") != std::string::npos &&
                  entry.text.find("2 -> 1) timed out after 1 ms") != std::string::npos;
    }
    EXPECT_TRUE(logged);
    driver->ackLaterMicros = 0;
    driver->PMstop();
}

TEST_F(PMTest, SleepLowersChildrenFirstAndWakeRaisesParentsFirst)
{
    auto parent = topLevel("parent");
    auto child = makeDriver("child");
    child->PMinit();
    parent->joinPMtree(child.get());
    EXPECT_EQ(child->getParentEntry(gIOPowerPlane), parent.get());
    ASSERT_EQ(child->registerPowerDriver(child.get(), gStates, 3), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("child 2"));
    openiokit::pm::waitForIdle();
    gCalls.take();

    ASSERT_EQ(openiokit::pm::systemSleep(), kIOReturnSuccess);
    EXPECT_TRUE(openiokit::pm::isSystemAsleep());
    EXPECT_EQ(gCalls.take(), (std::vector<std::string>{"child 0", "parent 0"}));
    EXPECT_EQ(parent->getPowerState(), 0u);
    EXPECT_EQ(child->getPowerState(), 0u);

    ASSERT_EQ(openiokit::pm::systemWake(), kIOReturnSuccess);
    EXPECT_EQ(gCalls.take(), (std::vector<std::string>{"parent 2", "child 2"}));
    child->PMstop();
    EXPECT_EQ(child->getParentEntry(gIOPowerPlane), nullptr);
    parent->PMstop();
}

TEST_F(PMTest, ChildKeepsItsParentPowered)
{
    auto parent = topLevel("holder");
    auto child = makeDriver("needy");
    child->PMinit();
    parent->joinPMtree(child.get());
    ASSERT_EQ(child->registerPowerDriver(child.get(), gStates, 3), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("needy 2"));
    openiokit::pm::waitForIdle();
    gCalls.take();

    // The child's state needs kIOPMPowerOn: the parent stays in its state that gives it.
    ASSERT_EQ(parent->changePowerStateTo(0), kIOReturnSuccess);
    openiokit::pm::waitForIdle();
    EXPECT_EQ(parent->getPowerState(), 2u);
    // Once the child needs nothing, the parent's own request applies: child first, then parent.
    ASSERT_EQ(child->changePowerStateTo(0), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("holder 0"));
    openiokit::pm::waitForIdle();
    EXPECT_EQ(gCalls.take(), (std::vector<std::string>{"needy 0", "holder 0"}));
    child->PMstop();
    parent->PMstop();
}

TEST_F(PMTest, InterestedDriversHearAboutChanges)
{
    auto device = topLevel("device");
    auto listener = makeDriver("listener");
    EXPECT_EQ(device->registerInterestedDriver(listener.get()), static_cast<IOPMPowerFlags>(kIOPMPowerOn | kIOPMDeviceUsable));
    ASSERT_EQ(device->changePowerStateTo(1), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("listener did device 1"));
    EXPECT_EQ(gCalls.take(), (std::vector<std::string>{"listener will device 1", "device 1", "listener did device 1"}));
    EXPECT_EQ(device->deRegisterInterestedDriver(listener.get()), kIOReturnSuccess);
    EXPECT_EQ(device->deRegisterInterestedDriver(listener.get()), kIOReturnNotFound);
    device->PMstop();
}

TEST_F(PMTest, PMstopTakesTheDriverOutOfSleepAndWake)
{
    auto driver = topLevel("stopped");
    driver->PMstop();
    driver->PMstop();  // idempotent
    ASSERT_EQ(openiokit::pm::systemSleep(), kIOReturnSuccess);
    ASSERT_EQ(openiokit::pm::systemWake(), kIOReturnSuccess);
    for (const auto& call : gCalls.take()) {
        EXPECT_EQ(call.rfind("stopped", 0), std::string::npos) << call;
    }
    EXPECT_EQ(driver->acknowledgeSetPowerState(), kIOReturnNotReady);
}

TEST_F(PMTest, PMstopDoesNotWaitForARunningCallout)
{
    auto driver = topLevel("busy");
    {
        std::lock_guard guard(driver->blockLock);
        driver->blockInSetPowerState = true;
    }
    ASSERT_EQ(driver->changePowerStateTo(0), kIOReturnSuccess);
    ASSERT_TRUE(gCalls.waitFor("busy 0"));
    // setPowerState is blocked on the PM thread (as if waiting for a gate the caller holds):
    // PMstop must still return.
    driver->PMstop();
    {
        std::lock_guard guard(driver->blockLock);
        driver->blockInSetPowerState = false;
        driver->blockChanged.notify_all();
    }
    openiokit::pm::waitForIdle();
    gCalls.take();
    ASSERT_EQ(openiokit::pm::systemSleep(), kIOReturnSuccess);
    EXPECT_TRUE(gCalls.take().empty());  // out of the tree
}

TEST_F(PMTest, TerminationRunsPMstopWithStop)
{
    OSSharedPtr<IOService> nub(new IOService, OSNoRetain);
    ASSERT_TRUE(nub->init());
    nub->setName("pmnub");
    ASSERT_TRUE(nub->attach(IOService::getServiceRoot()));
    auto driver = makeDriver("terminated");
    ASSERT_TRUE(driver->attach(nub.get()));
    ASSERT_TRUE(driver->start(nub.get()));
    ASSERT_TRUE(gCalls.waitFor("terminated 2"));
    openiokit::pm::waitForIdle();
    EXPECT_EQ(driver->getParentEntry(gIOPowerPlane), nub.get());  // the nub passes power through

    ASSERT_TRUE(nub->terminate(kIOServiceSynchronous));
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(driver->inTreeAtStop.load());
    EXPECT_EQ(driver->getParentEntry(gIOPowerPlane), nullptr);
    gCalls.take();
    ASSERT_EQ(openiokit::pm::systemSleep(), kIOReturnSuccess);
    EXPECT_TRUE(gCalls.take().empty());
    nub->PMstop();
}

IOReturn rootInterest(void* target, void* refCon, UInt32 messageType, IOService* provider, void* argument,
                      vm_size_t argSize)
{
    static_cast<std::vector<UInt32>*>(refCon)->push_back(messageType);
    return kIOReturnSuccess;
}

TEST_F(PMTest, RootDomainTellsInterestedClientsAboutSleepAndWake)
{
    IOPMrootDomain* root = IOService::getPMRootDomain();
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root, IOService::getPMRootDomain());
    std::vector<UInt32> messages;
    IONotifier* notifier = root->registerInterest(gIOGeneralInterest, &rootInterest, nullptr, &messages);
    ASSERT_NE(notifier, nullptr);
    ASSERT_EQ(openiokit::pm::systemSleep(), kIOReturnSuccess);
    EXPECT_TRUE(root->isSystemAsleep());
    ASSERT_EQ(openiokit::pm::systemWake(), kIOReturnSuccess);
    notifier->remove();
    EXPECT_EQ(messages, (std::vector<UInt32>{kIOMessageSystemWillSleep, kIOMessageSystemWillPowerOn,
                                             kIOMessageSystemHasPoweredOn}));
}

}  // namespace
