// IOTimerEventSource: firing once, on the work loop with the gate closed; cancellation that
// holds even against a deadline that is passing right now; xnu's enable/disable rules.
#include "test_io_workloop_support.h"

#include <IOKit/IOTimerEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

namespace {

using namespace workloop_test;

// What a timer's action saw; reached through the source's refcon.
struct Firings {
    IOWorkLoop *loop = nullptr;
    std::atomic<int> count{0};
    std::atomic<bool> onThread{false};
    std::atomic<bool> inGate{false};
    std::atomic<long long> lastNanos{0}; // steady_clock time of the last firing
    // For the cancellation race: true from just before arming until cancelTimeout returns.
    std::atomic<bool> armed{false};
    std::atomic<int> firedAfterCancel{0};
};

void recordFiring(OSObject *, IOTimerEventSource *sender)
{
    auto *f = static_cast<Firings *>(sender->getRefcon());
    f->onThread = f->loop->onThread();
    f->inGate = f->loop->inGate();
    f->lastNanos = std::chrono::steady_clock::now().time_since_epoch().count();
    if (!f->armed) {
        ++f->firedAfterCancel;
    }
    ++f->count;
}

struct TimerTest : ::testing::Test {
    void SetUp() override
    {
        baseline = workLoopInstances();
        owner = makeOwner();
        loop = IOWorkLoop::workLoop();
        firings.loop = loop;
        timer = IOTimerEventSource::timerEventSource(owner, &recordFiring);
        ASSERT_NE(timer, nullptr);
        timer->setRefcon(&firings);
        ASSERT_EQ(loop->addEventSource(timer), kIOReturnSuccess);
    }
    void TearDown() override
    {
        if (timer) {
            loop->removeEventSource(timer);
            timer->release();
        }
        loop->release();
        owner->release();
        EXPECT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
    }

    unsigned baseline = 0;
    OSObject *owner = nullptr;
    IOWorkLoop *loop = nullptr;
    IOTimerEventSource *timer = nullptr;
    Firings firings;
};

long long nowNanos()
{
    return std::chrono::steady_clock::now().time_since_epoch().count();
}

TEST_F(TimerTest, FiresOnceAfterTheDelayOnTheWorkLoop)
{
    firings.armed = true;
    const long long start = nowNanos();
    ASSERT_EQ(timer->setTimeoutMS(50), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }));
    EXPECT_GE(firings.lastNanos - start, 50'000'000);
    EXPECT_TRUE(firings.onThread);
    EXPECT_TRUE(firings.inGate);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(firings.count, 1); // one-shot
}

TEST_F(TimerTest, EveryUnitArms)
{
    firings.armed = true;
    EXPECT_EQ(timer->setTimeoutUS(1000), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }));
    EXPECT_EQ(timer->setTimeoutTicks(1), kIOReturnSuccess); // 10 ms
    ASSERT_TRUE(eventually([&] { return firings.count == 2; }));
    EXPECT_EQ(timer->setTimeout(2, kMillisecondScale), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 3; }));
    uint64_t interval;
    nanoseconds_to_absolutetime(1'000'000, &interval);
    EXPECT_EQ(timer->setTimeout(interval), kIOReturnSuccess); // a uint64_t compiles, as on macOS
    ASSERT_TRUE(eventually([&] { return firings.count == 4; }));
    EXPECT_EQ(timer->setTimeout(kIOTimeOptionsWithLeeway, AbsoluteTime{interval}, AbsoluteTime{0}), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 5; }));
    uint64_t deadline;
    clock_interval_to_deadline(1, kMillisecondScale, &deadline);
    EXPECT_EQ(timer->wakeAtTime(deadline), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 6; }));
    // wakeAtTimeMS is absolute: "1 ms after boot" has long passed, so it fires at once.
    EXPECT_EQ(timer->wakeAtTimeMS(1), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 7; }));
}

TEST_F(TimerTest, ArmingAgainReplacesTheDeadline)
{
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(60'000), kIOReturnSuccess);
    ASSERT_EQ(timer->setTimeoutMS(10), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }, 5s));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(firings.count, 1);
}

TEST_F(TimerTest, CancelTimeoutPreventsTheCallout)
{
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(30), kIOReturnSuccess);
    timer->cancelTimeout();
    firings.armed = false;
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(firings.count, 0);
    timer->cancelTimeout(); // nothing armed: harmless
}

TEST_F(TimerTest, CancelTimeoutRacingTheDeadline)
{
    // Deadlines of 0-1 ms, cancelled 0-1 ms later: some fire first, some are cancelled while
    // their deadline is passing. Whatever the interleaving, no action may start after
    // cancelTimeout has returned.
    std::mt19937 random(12345);
    std::uniform_int_distribution<UInt32> microseconds(0, 1000);
    int firedBeforeCancel = 0;
    for (int i = 0; i < 1000; i++) {
        const int before = firings.count;
        firings.armed = true;
        ASSERT_EQ(timer->setTimeoutUS(microseconds(random)), kIOReturnSuccess);
        const auto wait = std::chrono::microseconds(microseconds(random));
        const auto until = std::chrono::steady_clock::now() + wait;
        while (std::chrono::steady_clock::now() < until) {
            std::this_thread::yield();
        }
        timer->cancelTimeout();
        firings.armed = false;
        firedBeforeCancel += firings.count - before;
        ASSERT_EQ(firings.firedAfterCancel, 0) << "iteration " << i;
    }
    std::this_thread::sleep_for(50ms); // a stale callout would show up now
    EXPECT_EQ(firings.firedAfterCancel, 0);
    EXPECT_LE(firedBeforeCancel, 1000);
    std::cout << "[          ] " << firedBeforeCancel << " of 1000 armings fired before their cancel\n";
}

TEST_F(TimerTest, CancelFromTheActionItself)
{
    IOTimerEventSource *selfCancelling = IOTimerEventSource::timerEventSource(owner, [](OSObject *, IOTimerEventSource *sender) {
        auto *f = static_cast<Firings *>(sender->getRefcon());
        sender->cancelTimeout(); // gate already held by this thread: no deadlock
        ++f->count;
    });
    Firings mine;
    mine.loop = loop;
    selfCancelling->setRefcon(&mine);
    loop->addEventSource(selfCancelling);
    selfCancelling->setTimeoutMS(1);
    ASSERT_TRUE(eventually([&] { return mine.count == 1; }));
    loop->removeEventSource(selfCancelling);
    selfCancelling->release();
}

TEST_F(TimerTest, DisableCancelsAndEnableRearmsTheSameDeadline)
{
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(30), kIOReturnSuccess);
    timer->disable();
    EXPECT_FALSE(timer->isEnabled());
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(firings.count, 0);
    EXPECT_EQ(timer->setTimeoutMS(1), kIOReturnSuccess); // disabled: only recorded
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(firings.count, 0);
    timer->enable(); // as xnu, re-arms the recorded deadline (passed: fires at once)
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }));
}

TEST_F(TimerTest, EnableAfterFiringRearmsTheOldDeadline)
{
    // An xnu quirk kept on purpose: a fired deadline stays recorded, so disable + enable runs
    // the action again. cancelTimeout forgets it.
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(1), kIOReturnSuccess);
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }));
    timer->disable();
    timer->enable();
    ASSERT_TRUE(eventually([&] { return firings.count == 2; }));
    timer->cancelTimeout();
    timer->disable();
    timer->enable();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(firings.count, 2);
}

TEST_F(TimerTest, NoActionMeansNoResources)
{
    IOTimerEventSource *silent = IOTimerEventSource::timerEventSource(owner);
    ASSERT_NE(silent, nullptr);
    loop->addEventSource(silent);
    EXPECT_EQ(silent->setTimeoutMS(1), kIOReturnNoResources);
    EXPECT_EQ(silent->wakeAtTimeMS(1), kIOReturnNoResources);
    silent->disable();
    silent->enable(); // as xnu: re-arming fails, so the enable does not stick
    EXPECT_FALSE(silent->isEnabled());
    loop->removeEventSource(silent);
    silent->release();
    EXPECT_EQ(IOTimerEventSource::timerEventSource(nullptr, &recordFiring), nullptr);
}

TEST_F(TimerTest, ArmedBeforeBeingAddedFiresOnceAdded)
{
    IOTimerEventSource *early = IOTimerEventSource::timerEventSource(owner, &recordFiring);
    Firings mine;
    mine.loop = loop;
    mine.armed = true;
    early->setRefcon(&mine);
    ASSERT_EQ(early->setTimeoutMS(1), kIOReturnSuccess); // recorded only: no work loop yet
    std::this_thread::sleep_for(30ms);
    EXPECT_EQ(mine.count, 0);
    loop->addEventSource(early);
    ASSERT_TRUE(eventually([&] { return mine.count == 1; }));
    loop->removeEventSource(early);
    early->release();
}

TEST_F(TimerTest, RemoveEventSourceWhileArmed)
{
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(20), kIOReturnSuccess);
    EXPECT_EQ(loop->removeEventSource(timer), kIOReturnSuccess);
    firings.armed = false;
    EXPECT_FALSE(timer->isEnabled());
    timer->release(); // freed while its deadline is still ahead
    timer = nullptr;
    std::this_thread::sleep_for(80ms);
    EXPECT_EQ(firings.count, 0);
}

TEST_F(TimerTest, WorkLoopReleasedWhileTimerArmed)
{
    firings.armed = true;
    ASSERT_EQ(timer->setTimeoutMS(20), kIOReturnSuccess);
    IOWorkLoop *other = IOWorkLoop::workLoop();
    loop->removeEventSource(timer);
    EXPECT_FALSE(timer->isEnabled()); // removal disabled it, as xnu
    firings.loop = other;
    other->addEventSource(timer);
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(firings.count, 0); // added, but still disabled
    timer->enable(); // re-arms the deadline it kept (passed by now: fires at once)
    ASSERT_TRUE(eventually([&] { return firings.count == 1; }));
    EXPECT_TRUE(firings.inGate);
    EXPECT_TRUE(firings.onThread);
    timer->setTimeoutMS(20);
    other->release(); // the loop goes with the timer armed: its teardown disarms it
    firings.armed = false;
    std::this_thread::sleep_for(80ms);
    EXPECT_EQ(firings.count, 1);
    EXPECT_EQ(timer->getWorkLoop(), nullptr);
}

} // namespace
