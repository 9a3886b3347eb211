// IOService's interrupt API on software interrupt sources (IOServiceInterrupts.cpp) and
// IOInterruptEventSource wired to a provider: xnu's codes, masking holds interrupts,
// unregister waits for a running handler, level-triggered sources auto-disable.
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOInterrupts.h>
#include <IOKit/IOService.h>
#include <IOKit/IOWorkLoop.h>
#include <libkern/c++/OSSharedPtr.h>

#include "test_io_workloop_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

using namespace workloop_test;

OSSharedPtr<IOService> makeNub(unsigned interrupts, int type = kIOInterruptTypeEdge)
{
    IOService::initialize();
    OSSharedPtr<IOService> nub(new IOService, OSNoRetain);
    if (!nub->init()) {
        return nullptr;
    }
    if (interrupts && !openiokit::declareInterrupts(nub.get(), interrupts, type)) {
        return nullptr;
    }
    return nub;
}

struct Handler {
    std::atomic<int> calls{0};
    std::atomic<IOService*> lastNub{nullptr};
    std::atomic<int> lastSource{-1};
    std::atomic<void*> lastRefCon{nullptr};
    std::atomic<OSObject*> lastTarget{nullptr};

    static void action(OSObject* target, void* refCon, IOService* nub, int source)
    {
        auto* self = static_cast<Handler*>(refCon);
        self->lastTarget = target;
        self->lastRefCon = refCon;
        self->lastNub = nub;
        self->lastSource = source;
        ++self->calls;
    }
};

TEST(IOServiceInterrupts, CodesFollowXnu)
{
    auto nub = makeNub(2);
    ASSERT_TRUE(nub);
    Handler handler;
    EXPECT_EQ(nub->registerInterrupt(2, nullptr, &Handler::action, &handler), kIOReturnNoInterrupt);
    EXPECT_EQ(nub->registerInterrupt(-1, nullptr, &Handler::action, &handler), kIOReturnNoInterrupt);
    EXPECT_EQ(nub->enableInterrupt(7), kIOReturnNoInterrupt);
    EXPECT_EQ(nub->disableInterrupt(7), kIOReturnNoInterrupt);
    EXPECT_EQ(nub->causeInterrupt(7), kIOReturnNoInterrupt);
    EXPECT_EQ(nub->unregisterInterrupt(7), kIOReturnNoInterrupt);
    int type = -1;
    EXPECT_EQ(nub->getInterruptType(7, &type), kIOReturnNoInterrupt);

    EXPECT_EQ(nub->registerInterrupt(1, nullptr, &Handler::action, &handler), kIOReturnSuccess);
    EXPECT_EQ(nub->registerInterrupt(1, nullptr, &Handler::action, &handler), kIOReturnNoResources);
    EXPECT_EQ(nub->unregisterInterrupt(1), kIOReturnSuccess);
    EXPECT_EQ(nub->registerInterrupt(1, nullptr, &Handler::action, &handler), kIOReturnSuccess);
    EXPECT_EQ(nub->unregisterInterrupt(1), kIOReturnSuccess);

    auto bare = makeNub(0);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->registerInterrupt(0, nullptr, &Handler::action, &handler), kIOReturnNoInterrupt);
}

TEST(IOServiceInterrupts, TypeComesFromTheSpecifier)
{
    auto edge = makeNub(1, kIOInterruptTypeEdge);
    auto level = makeNub(1, kIOInterruptTypeLevel);
    ASSERT_TRUE(edge && level);
    int type = -1;
    EXPECT_EQ(edge->getInterruptType(0, &type), kIOReturnSuccess);
    EXPECT_EQ(type, kIOInterruptTypeEdge);
    EXPECT_EQ(level->getInterruptType(0, &type), kIOReturnSuccess);
    EXPECT_EQ(type, kIOInterruptTypeLevel);
    EXPECT_NE(gIOInterruptSpecifiersKey, nullptr);
}

TEST(IOServiceInterrupts, CauseRunsTheHandlerOnTheInterruptThreadOnceEnabled)
{
    auto nub = makeNub(2);
    ASSERT_TRUE(nub);
    Handler handler;
    OSSharedPtr<OSObject> target(makeOwner(), OSNoRetain);
    ASSERT_EQ(nub->registerInterrupt(1, target.get(), &Handler::action, &handler), kIOReturnSuccess);
    // Registered interrupts start masked: these wait.
    EXPECT_EQ(nub->causeInterrupt(1), kIOReturnSuccess);
    EXPECT_EQ(nub->causeInterrupt(1), kIOReturnSuccess);
    EXPECT_EQ(handler.calls.load(), 0);
    EXPECT_EQ(nub->enableInterrupt(1), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return handler.calls.load() == 2; }));
    EXPECT_EQ(handler.lastNub.load(), nub.get());
    EXPECT_EQ(handler.lastSource.load(), 1);
    EXPECT_EQ(handler.lastRefCon.load(), &handler);
    EXPECT_EQ(handler.lastTarget.load(), target.get());
    EXPECT_EQ(nub->causeInterrupt(1), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return handler.calls.load() == 3; }));
    EXPECT_EQ(nub->unregisterInterrupt(1), kIOReturnSuccess);
}

TEST(IOServiceInterrupts, InterruptsWithoutAHandlerAreDropped)
{
    auto nub = makeNub(1);
    ASSERT_TRUE(nub);
    EXPECT_EQ(nub->causeInterrupt(0), kIOReturnSuccess);
    Handler handler;
    ASSERT_EQ(nub->registerInterrupt(0, nullptr, &Handler::action, &handler), kIOReturnSuccess);
    ASSERT_EQ(nub->enableInterrupt(0), kIOReturnSuccess);
    // A marker interrupt: once it arrives, an earlier one would have too.
    ASSERT_EQ(nub->causeInterrupt(0), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return handler.calls.load() >= 1; }));
    EXPECT_EQ(handler.calls.load(), 1);
    nub->unregisterInterrupt(0);
}

// A handler that blocks until released, to check that unregister/disable wait for it.
struct BlockingHandler {
    std::mutex lock;
    std::condition_variable changed;
    bool entered = false;
    bool release = false;
    std::atomic<int> calls{0};

    static void action(OSObject*, void* refCon, IOService*, int)
    {
        auto* self = static_cast<BlockingHandler*>(refCon);
        std::unique_lock guard(self->lock);
        self->entered = true;
        self->changed.notify_all();
        self->changed.wait(guard, [&] { return self->release; });
        ++self->calls;
    }
};

TEST(IOServiceInterrupts, UnregisterWaitsForARunningHandler)
{
    auto nub = makeNub(1);
    ASSERT_TRUE(nub);
    BlockingHandler handler;
    ASSERT_EQ(nub->registerInterrupt(0, nullptr, &BlockingHandler::action, &handler), kIOReturnSuccess);
    ASSERT_EQ(nub->enableInterrupt(0), kIOReturnSuccess);
    ASSERT_EQ(nub->causeInterrupt(0), kIOReturnSuccess);
    {
        std::unique_lock guard(handler.lock);
        ASSERT_TRUE(handler.changed.wait_for(guard, 30s, [&] { return handler.entered; }));
    }
    std::atomic<bool> unregistered{false};
    std::thread unregistering([&] {
        nub->unregisterInterrupt(0);
        unregistered = true;
    });
    // The handler is still inside: unregister cannot have returned.
    EXPECT_FALSE(unregistered.load());
    {
        std::lock_guard guard(handler.lock);
        handler.release = true;
        handler.changed.notify_all();
    }
    unregistering.join();
    EXPECT_TRUE(unregistered.load());
    EXPECT_EQ(handler.calls.load(), 1);
    // Nothing more is delivered.
    EXPECT_EQ(nub->causeInterrupt(0), kIOReturnSuccess);
    Handler marker;
    auto other = makeNub(1);
    ASSERT_EQ(other->registerInterrupt(0, nullptr, &Handler::action, &marker), kIOReturnSuccess);
    other->enableInterrupt(0);
    other->causeInterrupt(0);  // the interrupt thread runs in order: once this arrives, so would ours
    ASSERT_TRUE(eventually([&] { return marker.calls.load() == 1; }));
    EXPECT_EQ(handler.calls.load(), 1);
    other->unregisterInterrupt(0);
}

// --- IOInterruptEventSource with a provider ------------------------------------------------------

struct Deliveries {
    IOWorkLoop* loop = nullptr;
    std::atomic<long> total{0};
    std::atomic<int> calls{0};
    std::atomic<int> badContext{0};
};

void deliver(OSObject*, IOInterruptEventSource* sender, int count)
{
    auto* d = static_cast<Deliveries*>(sender->getRefcon());
    if (!d->loop->onThread() || !d->loop->inGate()) {
        ++d->badContext;
    }
    d->total += count;
    ++d->calls;
}

class ProviderInterruptTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        owner = OSSharedPtr<OSObject>(makeOwner(), OSNoRetain);
        loop = OSSharedPtr<IOWorkLoop>(IOWorkLoop::workLoop(), OSNoRetain);
        deliveries.loop = loop.get();
    }
    OSSharedPtr<IOInterruptEventSource> make(IOService* provider, int index)
    {
        OSSharedPtr<IOInterruptEventSource> source(
            IOInterruptEventSource::interruptEventSource(owner.get(), &deliver, provider, index), OSNoRetain);
        if (source) {
            source->setRefcon(&deliveries);
        }
        return source;
    }

    OSSharedPtr<OSObject> owner;
    OSSharedPtr<IOWorkLoop> loop;
    Deliveries deliveries;
};

TEST_F(ProviderInterruptTest, CreationRegistersWithTheProvider)
{
    auto nub = makeNub(2);
    ASSERT_TRUE(nub);
    EXPECT_FALSE(make(nub.get(), 2));  // no such interrupt
    auto source = make(nub.get(), 1);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->getIntIndex(), 1);
    EXPECT_EQ(source->getProvider(), nub.get());
    EXPECT_FALSE(source->getAutoDisable());
    EXPECT_FALSE(make(nub.get(), 1));  // already has a handler: kIOReturnNoResources
    Handler handler;
    EXPECT_EQ(nub->registerInterrupt(1, nullptr, &Handler::action, &handler), kIOReturnNoResources);
    // Off a work loop it is unregistered, and registered again when added.
    loop->addEventSource(source.get());
    loop->removeEventSource(source.get());
    EXPECT_EQ(source->getIntIndex(), ~1);
    EXPECT_EQ(nub->registerInterrupt(1, nullptr, &Handler::action, &handler), kIOReturnSuccess);
    EXPECT_EQ(loop->addEventSource(source.get()), kIOReturnSuccess);
    EXPECT_EQ(source->getIntIndex(), ~1);  // the interrupt was taken meanwhile
    loop->removeEventSource(source.get());
    nub->unregisterInterrupt(1);
    loop->addEventSource(source.get());
    EXPECT_EQ(source->getIntIndex(), 1);
    loop->removeEventSource(source.get());
}

TEST_F(ProviderInterruptTest, CauseInterruptReachesTheActionOnTheWorkLoop)
{
    auto nub = makeNub(1);
    ASSERT_TRUE(nub);
    auto source = make(nub.get(), 0);
    ASSERT_TRUE(source);
    ASSERT_EQ(loop->addEventSource(source.get()), kIOReturnSuccess);
    source->enable();
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(nub->causeInterrupt(0), kIOReturnSuccess);
    }
    ASSERT_TRUE(eventually([&] { return deliveries.total.load() == 5; }));
    EXPECT_EQ(deliveries.badContext.load(), 0);
    loop->removeEventSource(source.get());
}

TEST_F(ProviderInterruptTest, DisabledSourceHoldsInterruptsAtTheProvider)
{
    auto nub = makeNub(1);
    ASSERT_TRUE(nub);
    auto source = make(nub.get(), 0);
    ASSERT_TRUE(source);
    loop->addEventSource(source.get());
    source->disable();
    EXPECT_FALSE(source->isEnabled());
    for (int i = 0; i < 3; ++i) {
        nub->causeInterrupt(0);
    }
    EXPECT_EQ(deliveries.total.load(), 0);
    source->enable();
    ASSERT_TRUE(eventually([&] { return deliveries.total.load() == 3; }));
    loop->removeEventSource(source.get());
}

TEST_F(ProviderInterruptTest, LevelTriggeredSourceIsReEnabledAfterEachAction)
{
    auto nub = makeNub(1, kIOInterruptTypeLevel);
    ASSERT_TRUE(nub);
    auto source = make(nub.get(), 0);
    ASSERT_TRUE(source);
    EXPECT_TRUE(source->getAutoDisable());
    loop->addEventSource(source.get());
    source->enable();
    nub->causeInterrupt(0);
    ASSERT_TRUE(eventually([&] { return deliveries.calls.load() == 1; }));
    // The line was masked by the primary handler and unmasked after the action: the next one
    // arrives too.
    nub->causeInterrupt(0);
    ASSERT_TRUE(eventually([&] { return deliveries.calls.load() == 2; }));
    EXPECT_EQ(deliveries.total.load(), 2);
    loop->removeEventSource(source.get());
}

TEST_F(ProviderInterruptTest, ReleasingTheSourceUnregisters)
{
    auto nub = makeNub(1);
    ASSERT_TRUE(nub);
    {
        auto source = make(nub.get(), 0);
        ASSERT_TRUE(source);
    }
    Handler handler;
    EXPECT_EQ(nub->registerInterrupt(0, nullptr, &Handler::action, &handler), kIOReturnSuccess);
    nub->unregisterInterrupt(0);
}

}  // namespace
