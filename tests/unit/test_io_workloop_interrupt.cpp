// IOInterruptEventSource: software-triggered interrupts from many threads, coalesced counts,
// xnu's index and enable/disable rules.
#include "test_io_workloop_support.h"

#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOInterrupts.h>
#include <IOKit/IOService.h>
#include <IOKit/IOWorkLoop.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using namespace workloop_test;

struct Deliveries {
    IOWorkLoop *loop = nullptr;
    std::atomic<long> total{0};  // sum of the counts handed to the action
    std::atomic<int> calls{0};
    std::atomic<int> badContext{0}; // calls not on the loop's thread with the gate closed
    std::atomic<int> nonPositive{0};
};

void deliver(OSObject *, IOInterruptEventSource *sender, int count)
{
    auto *d = static_cast<Deliveries *>(sender->getRefcon());
    if (!d->loop->onThread() || !d->loop->inGate()) {
        ++d->badContext;
    }
    if (count <= 0) {
        ++d->nonPositive;
    }
    d->total += count;
    ++d->calls;
}

struct InterruptTest : ::testing::Test {
    void SetUp() override
    {
        baseline = workLoopInstances();
        owner = makeOwner();
        loop = IOWorkLoop::workLoop();
        deliveries.loop = loop;
    }
    void TearDown() override
    {
        loop->release();
        owner->release();
        EXPECT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
    }

    IOInterruptEventSource *make(IOService *provider = nullptr, int index = 0)
    {
        IOInterruptEventSource *source = IOInterruptEventSource::interruptEventSource(owner, &deliver, provider, index);
        if (source) {
            source->setRefcon(&deliveries);
        }
        return source;
    }

    unsigned baseline = 0;
    OSObject *owner = nullptr;
    IOWorkLoop *loop = nullptr;
    Deliveries deliveries;
};

TEST_F(InterruptTest, CountsFromManyThreadsAddUp)
{
    IOInterruptEventSource *source = make();
    ASSERT_NE(source, nullptr);
    ASSERT_EQ(loop->addEventSource(source), kIOReturnSuccess);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::thread> triggers;
    for (int t = 0; t < kThreads; t++) {
        triggers.emplace_back([&] {
            for (int i = 0; i < kPerThread; i++) {
                source->interruptOccurred(nullptr, nullptr, 0);
            }
        });
    }
    for (auto &thread : triggers) {
        thread.join();
    }
    ASSERT_TRUE(eventually([&] { return deliveries.total == long{kThreads} * kPerThread; }));
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(deliveries.total, long{kThreads} * kPerThread); // nothing delivered twice
    EXPECT_EQ(deliveries.badContext, 0);
    EXPECT_EQ(deliveries.nonPositive, 0);
    EXPECT_LE(deliveries.calls, kThreads * kPerThread);
    std::cout << "[          ] " << kThreads * kPerThread << " interrupts in " << deliveries.calls << " deliveries\n";
    loop->removeEventSource(source);
    source->release();
}

TEST_F(InterruptTest, InterruptsBeforeAddingAreCoalescedIntoOneDelivery)
{
    IOInterruptEventSource *source = make();
    for (int i = 0; i < 5; i++) {
        source->interruptOccurred(nullptr, nullptr, 0); // no work loop yet: counted only
    }
    loop->addEventSource(source);
    ASSERT_TRUE(eventually([&] { return deliveries.total == 5; }));
    EXPECT_EQ(deliveries.calls, 1);
    loop->removeEventSource(source);
    source->release();
}

TEST_F(InterruptTest, IndexAndProviderFollowXnu)
{
    EXPECT_EQ(IOInterruptEventSource::interruptEventSource(owner, &deliver, nullptr, -1), nullptr);
    EXPECT_EQ(IOInterruptEventSource::interruptEventSource(nullptr, &deliver), nullptr);

    IOInterruptEventSource *bare = make(nullptr, 3);
    EXPECT_EQ(bare->getProvider(), nullptr);
    EXPECT_EQ(bare->getIntIndex(), ~3); // xnu keeps the complement when nothing is registered
    EXPECT_FALSE(bare->getAutoDisable());
    bare->release();

    IOService::initialize();
    IOService *provider = new IOService; // a nub with three software interrupts
    ASSERT_TRUE(provider->init());
    ASSERT_TRUE(openiokit::declareInterrupts(provider, 3));
    IOInterruptEventSource *wired = make(provider, 2);
    EXPECT_EQ(wired->getProvider(), provider);
    EXPECT_EQ(wired->getIntIndex(), 2);
    loop->addEventSource(wired);
    EXPECT_EQ(wired->getIntIndex(), 2);
    loop->removeEventSource(wired);
    EXPECT_EQ(wired->getIntIndex(), ~2); // unregistered while off a work loop
    loop->addEventSource(wired);
    EXPECT_EQ(wired->getIntIndex(), 2);
    loop->removeEventSource(wired);
    wired->release();
    provider->release();
}

TEST_F(InterruptTest, DisableWithoutProviderIsANoOp)
{
    IOInterruptEventSource *source = make();
    loop->addEventSource(source);
    source->disable(); // xnu: only masks a provider's interrupt
    EXPECT_TRUE(source->isEnabled());
    source->interruptOccurred(nullptr, nullptr, 0);
    ASSERT_TRUE(eventually([&] { return deliveries.total == 1; }));
    loop->removeEventSource(source);
    source->release();
}

TEST_F(InterruptTest, DisabledSourceWithProviderHoldsInterruptsUntilEnabled)
{
    IOService::initialize();
    IOService *nub = new IOService;
    ASSERT_TRUE(nub->init());
    ASSERT_TRUE(openiokit::declareInterrupts(nub, 1));
    IOInterruptEventSource *source = make(nub, 0);
    loop->addEventSource(source);
    source->disable();
    EXPECT_FALSE(source->isEnabled());
    for (int i = 0; i < 3; i++) {
        source->interruptOccurred(nullptr, nullptr, 0);
    }
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(deliveries.total, 0);
    source->enable();
    ASSERT_TRUE(eventually([&] { return deliveries.total == 3; }));
    loop->removeEventSource(source);
    source->release();
    nub->release();
}

TEST_F(InterruptTest, RemovalAndReleaseWhileTriggersKeepComing)
{
    // The bus keeps triggering while the driver removes its source and drops its work loop:
    // no trigger may touch the loop after removal (ASan/TSan would see it).
    IOInterruptEventSource *source = make();
    IOWorkLoop *transient = IOWorkLoop::workLoop();
    Deliveries mine;
    mine.loop = transient;
    source->setRefcon(&mine);
    transient->addEventSource(source);
    std::atomic<bool> stop{false};
    std::atomic<long> triggered{0};
    std::thread bus([&] {
        while (!stop) {
            source->interruptOccurred(nullptr, nullptr, 0);
            ++triggered;
        }
    });
    ASSERT_TRUE(eventually([&] { return mine.total > 100; }));
    transient->removeEventSource(source);
    transient->release();
    const long before = triggered;
    ASSERT_TRUE(eventually([&] { return triggered > before + 100; }));
    stop = true;
    bus.join();
    EXPECT_EQ(mine.badContext, 0);
    EXPECT_EQ(source->getWorkLoop(), nullptr);
    source->release();
}

} // namespace
