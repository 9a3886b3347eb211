// IOCommandGate: gated actions, xnu's return codes, disabled gates, commandSleep/Wakeup.
#include "test_io_workloop_support.h"

#include <IOKit/IOCommandGate.h>
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

// A work loop that counts the threads asleep in its gate (a subclass, as kexts may write), so
// tests can tell when callers are stalled rather than guess with a delay.
class CountingWorkLoop : public IOWorkLoop {
    OSDeclareDefaultStructors(CountingWorkLoop);

public:
    static CountingWorkLoop *create()
    {
        auto *me = new CountingWorkLoop;
        if (!me->init()) {
            me->release();
            return nullptr;
        }
        return me;
    }

    // Threads asleep in sleepGate; each counts itself with the gate closed and is registered
    // as asleep before the gate opens, so a count read under the gate is exact.
    int sleepersNow()
    {
        int count = 0;
        runAction([](OSObject *self, void *out, void *, void *, void *) -> IOReturn {
            *static_cast<int *>(out) = static_cast<CountingWorkLoop *>(self)->sleepers_;
            return kIOReturnSuccess;
        }, this, &count);
        return count;
    }

protected:
    int sleepGate(void *event, UInt32 type) override
    {
        ++sleepers_;
        const int result = IOWorkLoop::sleepGate(event, type);
        --sleepers_;
        return result;
    }

private:
    int sleepers_ = 0; // guarded by the gate
};
OSDefineMetaClassAndStructors(CountingWorkLoop, IOWorkLoop);

namespace {

using namespace workloop_test;

struct CommandGateTest : ::testing::Test {
    void SetUp() override
    {
        baseline = workLoopInstances();
        owner = makeOwner();
        loop = CountingWorkLoop::create();
        gate = IOCommandGate::commandGate(owner);
        ASSERT_NE(loop, nullptr);
        ASSERT_NE(gate, nullptr);
        ASSERT_EQ(loop->addEventSource(gate), kIOReturnSuccess);
    }
    void TearDown() override
    {
        loop->removeEventSource(gate);
        gate->release();
        loop->release();
        owner->release();
        EXPECT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
    }

    unsigned baseline = 0;
    OSObject *owner = nullptr;
    CountingWorkLoop *loop = nullptr;
    IOCommandGate *gate = nullptr;
};

IOReturn succeed(OSObject *, void *, void *, void *, void *)
{
    return kIOReturnSuccess;
}

IOReturn incrementUnguarded(OSObject *, void *counter, void *, void *, void *)
{
    auto *value = static_cast<long *>(counter);
    const long seen = *value;
    std::this_thread::yield();
    *value = seen + 1;
    return kIOReturnSuccess;
}

// Runs `action(arg)` with the gate closed on a new thread, which keeps the gate until `release`
// becomes true. Returns once the thread holds the gate.
std::thread holdGate(IOCommandGate *gate, std::atomic<bool> &release)
{
    std::promise<void> holding;
    auto held = holding.get_future();
    struct Hold {
        std::promise<void> *holding;
        std::atomic<bool> *release;
    };
    std::thread holder([gate, &release, promise = std::move(holding)]() mutable {
        Hold hold{&promise, &release};
        gate->runAction(
            [](OSObject *, void *arg, void *, void *, void *) -> IOReturn {
                auto *h = static_cast<Hold *>(arg);
                h->holding->set_value();
                while (!h->release->load()) {
                    std::this_thread::sleep_for(1ms);
                }
                return kIOReturnSuccess;
            },
            &hold);
    });
    held.wait();
    return holder;
}

// --- Actions and return codes ---------------------------------------------------------------

TEST_F(CommandGateTest, RunActionPassesOwnerAndArguments)
{
    struct Seen {
        IOWorkLoop *loop;
        OSObject *owner = nullptr;
        void *args[4] = {};
        bool inGate = false;
    } seen{loop};
    const IOReturn result = gate->runAction(
        [](OSObject *owner, void *a0, void *a1, void *a2, void *a3) -> IOReturn {
            auto *s = static_cast<Seen *>(a0);
            s->owner = owner;
            s->args[0] = a0, s->args[1] = a1, s->args[2] = a2, s->args[3] = a3;
            s->inGate = s->loop->inGate();
            return kIOReturnOverrun;
        },
        &seen, (void *)1, (void *)2, (void *)3);
    EXPECT_EQ(result, kIOReturnOverrun);
    EXPECT_EQ(seen.owner, owner);
    EXPECT_EQ(seen.args[2], (void *)2);
    EXPECT_TRUE(seen.inGate);
    EXPECT_FALSE(loop->inGate());
}

TEST_F(CommandGateTest, RunActionExcludesOtherActions)
{
    constexpr int kThreads = 8;
    constexpr int kPerThread = 1000;
    long counter = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; i++) {
                ASSERT_EQ(gate->runAction(&incrementUnguarded, &counter), kIOReturnSuccess);
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(counter, long{kThreads} * kPerThread);
}

TEST_F(CommandGateTest, RunActionNests)
{
    struct Nest {
        IOCommandGate *gate;
        int depth = 0;
    } nest{gate};
    IOCommandGate::Action recurse = [](OSObject *, void *arg, void *self, void *, void *) -> IOReturn {
        auto *n = static_cast<Nest *>(arg);
        if (++n->depth < 4) {
            return n->gate->runAction(reinterpret_cast<IOCommandGate::Action>(self), arg, self);
        }
        return kIOReturnSuccess;
    };
    EXPECT_EQ(gate->runAction(recurse, &nest, reinterpret_cast<void *>(recurse)), kIOReturnSuccess);
    EXPECT_EQ(nest.depth, 4);
    EXPECT_FALSE(loop->inGate());
}

TEST_F(CommandGateTest, RunCommandUsesTheGatesAction)
{
    // xnu-11417 runCommand is runAction(action): no action is kIOReturnBadArgument.
    EXPECT_EQ(gate->runCommand(), kIOReturnBadArgument);
    EXPECT_EQ(gate->attemptCommand(), kIOReturnBadArgument);
    IOCommandGate *withAction = IOCommandGate::commandGate(owner, [](OSObject *, void *a0, void *, void *, void *) -> IOReturn {
        ++*static_cast<int *>(a0);
        return kIOReturnSuccess;
    });
    loop->addEventSource(withAction);
    int calls = 0;
    EXPECT_EQ(withAction->runCommand(&calls), kIOReturnSuccess);
    EXPECT_EQ(withAction->attemptCommand(&calls), kIOReturnSuccess);
    EXPECT_EQ(calls, 2);
    loop->removeEventSource(withAction);
    withAction->release();
}

TEST_F(CommandGateTest, ReturnCodesWithoutAWorkLoopOrAction)
{
    IOCommandGate *loose = IOCommandGate::commandGate(owner);
    EXPECT_EQ(loose->runAction(&succeed), kIOReturnNotReady);
    EXPECT_EQ(loose->attemptAction(&succeed), kIOReturnNotReady);
    EXPECT_EQ(loose->runAction(nullptr), kIOReturnBadArgument); // checked first
    EXPECT_EQ(loose->commandSleep(&loose), kIOReturnNotPermitted);
    loose->commandWakeup(&loose); // harmless
    loose->release();
    EXPECT_EQ(IOCommandGate::commandGate(nullptr), nullptr); // an owner is required
}

TEST_F(CommandGateTest, AttemptActionCannotLockWhileAnotherThreadHoldsTheGate)
{
    std::atomic<bool> release{false};
    std::thread holder = holdGate(gate, release);
    EXPECT_EQ(gate->attemptAction(&succeed), kIOReturnCannotLock);
    release = true;
    holder.join();
    EXPECT_EQ(gate->attemptAction(&succeed), kIOReturnSuccess);
}

TEST_F(CommandGateTest, CommandSleepWithoutTheGateIsNotPermitted)
{
    int event = 0;
    EXPECT_EQ(gate->commandSleep(&event), kIOReturnNotPermitted);
    uint64_t deadline;
    nanoseconds_to_deadline(1'000'000, &deadline);
    EXPECT_EQ(gate->commandSleep(&event, AbsoluteTime{deadline}, THREAD_UNINT), kIOReturnNotPermitted);
}

// --- Disabled gates ----------------------------------------------------------------------------

TEST_F(CommandGateTest, DisabledGateStallsCallersUntilEnabled)
{
    gate->runAction([](OSObject *, void *g, void *, void *, void *) -> IOReturn {
        static_cast<IOCommandGate *>(g)->disable(); // with the gate closed, as xnu requires
        return kIOReturnSuccess;
    }, gate);
    EXPECT_FALSE(gate->isEnabled());
    EXPECT_EQ(gate->attemptAction(&succeed), kIOReturnNotPermitted);

    std::atomic<int> ran{0};
    auto stalled = std::async(std::launch::async, [&] {
        return gate->runAction([](OSObject *, void *r, void *, void *, void *) -> IOReturn {
            ++*static_cast<std::atomic<int> *>(r);
            return kIOReturnSuccess;
        }, &ran);
    });
    ASSERT_TRUE(eventually([&] { return loop->sleepersNow() == 1; })); // stalled in the gate
    EXPECT_EQ(ran, 0);
    gate->enable();
    ASSERT_EQ(stalled.wait_for(kPatience), std::future_status::ready);
    EXPECT_EQ(stalled.get(), kIOReturnSuccess);
    EXPECT_EQ(ran, 1);
}

TEST_F(CommandGateTest, DisabledGateStillRunsOnTheWorkLoopThread)
{
    gate->runAction([](OSObject *, void *g, void *, void *, void *) -> IOReturn {
        static_cast<IOCommandGate *>(g)->disable();
        return kIOReturnSuccess;
    }, gate);

    // An interrupt source's action runs on the work loop's thread: the disabled gate lets it in.
    struct Probe {
        IOCommandGate *gate;
        std::atomic<IOReturn> runResult{kIOReturnError};
        std::atomic<IOReturn> attemptResult{kIOReturnError};
        std::atomic<bool> done{false};
    } probe{gate};
    IOInterruptEventSource *trigger = IOInterruptEventSource::interruptEventSource(
        owner, [](OSObject *, IOInterruptEventSource *sender, int) {
            auto *p = static_cast<Probe *>(sender->getRefcon());
            p->runResult = p->gate->runAction(&succeed);
            p->attemptResult = p->gate->attemptAction(&succeed);
            p->done = true;
        });
    trigger->setRefcon(&probe);
    loop->addEventSource(trigger);
    trigger->interruptOccurred(nullptr, nullptr, 0);
    ASSERT_TRUE(eventually([&] { return probe.done.load(); }));
    EXPECT_EQ(probe.runResult, kIOReturnSuccess);
    EXPECT_EQ(probe.attemptResult, kIOReturnSuccess);
    loop->removeEventSource(trigger);
    trigger->release();
    gate->enable();
}

TEST_F(CommandGateTest, RemovingADisabledGateAbortsStalledCallers)
{
    gate->runAction([](OSObject *, void *g, void *, void *, void *) -> IOReturn {
        static_cast<IOCommandGate *>(g)->disable();
        return kIOReturnSuccess;
    }, gate);
    std::atomic<int> ran{0};
    std::vector<std::future<IOReturn>> stalled;
    for (int i = 0; i < 3; i++) {
        stalled.push_back(std::async(std::launch::async, [&] {
            return gate->runAction([](OSObject *, void *r, void *, void *, void *) -> IOReturn {
                ++*static_cast<std::atomic<int> *>(r);
                return kIOReturnSuccess;
            }, &ran);
        }));
    }
    ASSERT_TRUE(eventually([&] { return loop->sleepersNow() == 3; })); // all stalled
    EXPECT_EQ(loop->removeEventSource(gate), kIOReturnSuccess);
    for (auto &caller : stalled) {
        ASSERT_EQ(caller.wait_for(kPatience), std::future_status::ready);
        EXPECT_EQ(caller.get(), kIOReturnAborted); // xnu: a disabled gate removed from its loop
    }
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(gate->getWorkLoop(), nullptr);
    EXPECT_EQ(gate->runAction(&succeed), kIOReturnNotReady);
    gate->enable(); // not on a work loop: does nothing, as xnu
    EXPECT_FALSE(gate->isEnabled());
}

// --- commandSleep / commandWakeup --------------------------------------------------------------

struct Sleepers {
    IOCommandGate *gate;
    int event = 0;
    int asleep = 0;            // guarded by the gate
    std::atomic<int> woken{0};
    std::atomic<IOReturn> lastResult{kIOReturnError};
};

IOReturn sleepUntilWoken(OSObject *, void *arg, void *, void *, void *)
{
    auto *s = static_cast<Sleepers *>(arg);
    ++s->asleep;
    s->lastResult = s->gate->commandSleep(&s->event, THREAD_UNINT);
    --s->asleep;
    ++s->woken;
    return kIOReturnSuccess;
}

IOReturn countAsleep(OSObject *, void *arg, void *result, void *, void *)
{
    *static_cast<int *>(result) = static_cast<Sleepers *>(arg)->asleep;
    return kIOReturnSuccess;
}

int asleepNow(Sleepers &sleepers)
{
    int count = 0;
    sleepers.gate->runAction(&countAsleep, &sleepers, &count);
    return count;
}

TEST_F(CommandGateTest, CommandWakeupOneThenAll)
{
    Sleepers sleepers{gate};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; i++) {
        threads.emplace_back([&] { gate->runAction(&sleepUntilWoken, &sleepers); });
    }
    // Once we hold the gate and see three counted, all three are asleep (each counted itself
    // with the gate closed and sleeps before opening it).
    ASSERT_TRUE(eventually([&] { return asleepNow(sleepers) == 3; }));

    gate->commandWakeup(&sleepers.event, /* oneThread */ true);
    ASSERT_TRUE(eventually([&] { return sleepers.woken == 1; }));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(sleepers.woken, 1); // exactly one
    EXPECT_EQ(asleepNow(sleepers), 2);
    EXPECT_EQ(sleepers.lastResult, kIOReturnSuccess); // THREAD_AWAKENED

    gate->commandWakeup(&sleepers.event); // all
    ASSERT_TRUE(eventually([&] { return sleepers.woken == 3; }));
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(asleepNow(sleepers), 0);
}

TEST_F(CommandGateTest, CommandSleepWithDeadlineTimesOut)
{
    struct Timed {
        IOCommandGate *gate;
        IOReturn result = kIOReturnError;
        bool stillInGate = false;
    } timed{gate};
    const auto start = std::chrono::steady_clock::now();
    gate->runAction([](OSObject *, void *arg, void *, void *, void *) -> IOReturn {
        auto *t = static_cast<Timed *>(arg);
        uint64_t deadline;
        nanoseconds_to_deadline(20'000'000, &deadline);
        t->result = t->gate->commandSleep(&t->result, AbsoluteTime{deadline}, THREAD_UNINT);
        t->stillInGate = t->gate->getWorkLoop()->inGate();
        return kIOReturnSuccess;
    }, &timed);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
    EXPECT_EQ(timed.result, IOReturn(THREAD_TIMED_OUT));
    EXPECT_TRUE(timed.stillInGate);
}

TEST_F(CommandGateTest, CommandSleepLetsOthersInAndKeepsTheNestingDepth)
{
    struct Nested {
        IOCommandGate *gate;
        int event = 0;
        std::atomic<bool> asleep{false};
        bool inGateAfterInner = false;
    } nested{gate};
    std::thread sleeper([&] {
        gate->runAction([](OSObject *, void *arg, void *, void *, void *) -> IOReturn {
            auto *n = static_cast<Nested *>(arg);
            n->gate->runAction([](OSObject *, void *arg, void *, void *, void *) -> IOReturn {
                auto *n = static_cast<Nested *>(arg);
                n->asleep = true;
                return n->gate->commandSleep(&n->event, THREAD_UNINT);
            }, n);
            n->inGateAfterInner = n->gate->getWorkLoop()->inGate(); // outer level still held
            return kIOReturnSuccess;
        }, &nested);
    });
    ASSERT_TRUE(eventually([&] { return nested.asleep.load(); }));
    // The sleeper holds the gate twice, yet we get in: commandSleep released every level.
    EXPECT_EQ(gate->runAction([](OSObject *, void *arg, void *, void *, void *) -> IOReturn {
        auto *n = static_cast<Nested *>(arg);
        n->gate->commandWakeup(&n->event);
        return kIOReturnSuccess;
    }, &nested), kIOReturnSuccess);
    sleeper.join();
    EXPECT_TRUE(nested.inGateAfterInner);
}

TEST_F(CommandGateTest, RemovalWaitsForAnActionAsleepInTheGate)
{
    Sleepers sleepers{gate};
    std::thread thread([&] { gate->runAction(&sleepUntilWoken, &sleepers); });
    ASSERT_TRUE(eventually([&] { return asleepNow(sleepers) == 1; }));
    EXPECT_EQ(loop->removeEventSource(gate), kIOReturnSuccess);
    EXPECT_EQ(gate->getWorkLoop(), loop); // deferred while the action is running, as xnu
    gate->commandWakeup(&sleepers.event);
    thread.join();
    EXPECT_EQ(gate->getWorkLoop(), nullptr); // completed by the action's return
}

} // namespace
