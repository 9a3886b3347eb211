// IOWorkLoop: its thread, the gate, event-source bookkeeping and teardown.
#include "test_io_workloop_support.h"

#include <IOKit/IOCommandGate.h>
#include <IOKit/IOEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

// An event source whose checkForWork runs a test-supplied function, with the protected gate API
// opened up for the tests.
class WorkLoopTestSource : public IOEventSource {
    OSDeclareDefaultStructors(WorkLoopTestSource);

public:
    static WorkLoopTestSource *create(OSObject *owner)
    {
        auto *me = new WorkLoopTestSource;
        if (!me->init(owner)) {
            me->release();
            return nullptr;
        }
        return me;
    }

    std::function<bool()> onCheck; // set before the source is added
    std::atomic<int> checks{0};

    using IOEventSource::closeGate;
    using IOEventSource::openGate;
    using IOEventSource::signalWorkAvailable;
    using IOEventSource::sleepGate;
    using IOEventSource::tryCloseGate;
    using IOEventSource::wakeupGate;

protected:
    bool checkForWork() override
    {
        ++checks;
        return onCheck ? onCheck() : false;
    }
};
OSDefineMetaClassAndStructors(WorkLoopTestSource, IOEventSource);

namespace {

using namespace workloop_test;

// Thread-local destructors run as a thread exits, before pthread_join can return: a flag set
// by one proves that a thread has ended (not merely been told to).
struct ThreadExitProbe {
    std::atomic<bool> *exited = nullptr;
    ~ThreadExitProbe()
    {
        if (exited) {
            exited->store(true);
        }
    }
};
thread_local ThreadExitProbe tExitProbe;

struct WorkLoopTest : ::testing::Test {
    void SetUp() override
    {
        baseline = workLoopInstances();
        owner = makeOwner();
        loop = IOWorkLoop::workLoop();
        ASSERT_NE(loop, nullptr);
    }
    void TearDown() override
    {
        if (loop) {
            loop->release();
        }
        owner->release();
        EXPECT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
    }

    unsigned baseline = 0;
    OSObject *owner = nullptr;
    IOWorkLoop *loop = nullptr;
};

IOReturn incrementUnguarded(OSObject *, void *counter, void *, void *, void *)
{
    // Deliberately not atomic: only the gate keeps the count exact.
    auto *value = static_cast<long *>(counter);
    const long seen = *value;
    std::this_thread::yield();
    *value = seen + 1;
    return kIOReturnSuccess;
}

TEST_F(WorkLoopTest, HasItsOwnThread)
{
    ASSERT_NE(loop->getThread(), nullptr);
    EXPECT_NE(loop->getThread(), IOThreadSelf());
    EXPECT_FALSE(loop->onThread());
    EXPECT_FALSE(loop->inGate());
}

TEST_F(WorkLoopTest, RunActionHoldsTheGateOnTheCallersThread)
{
    struct Seen {
        IOWorkLoop *loop;
        bool inGate = false;
        bool onThread = true;
        OSObject *target = nullptr;
        void *args[4] = {};
    } seen{loop};
    const IOReturn result = loop->runAction(
        [](OSObject *target, void *a0, void *a1, void *a2, void *a3) -> IOReturn {
            auto *s = static_cast<Seen *>(a0);
            s->inGate = s->loop->inGate();
            s->onThread = s->loop->onThread();
            s->target = target;
            s->args[0] = a0, s->args[1] = a1, s->args[2] = a2, s->args[3] = a3;
            return kIOReturnIOError;
        },
        owner, &seen, (void *)1, (void *)2, (void *)3);
    EXPECT_EQ(result, kIOReturnIOError); // the action's own result
    EXPECT_TRUE(seen.inGate);
    EXPECT_FALSE(seen.onThread);
    EXPECT_EQ(seen.target, owner);
    EXPECT_EQ(seen.args[1], (void *)1);
    EXPECT_EQ(seen.args[3], (void *)3);
    EXPECT_FALSE(loop->inGate());
    EXPECT_EQ(loop->runAction(nullptr, owner), kIOReturnBadArgument);
}

TEST_F(WorkLoopTest, RunActionExcludesOtherActions)
{
    constexpr int kThreads = 8;
    constexpr int kPerThread = 1000;
    long counter = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; i++) {
                loop->runAction(&incrementUnguarded, owner, &counter);
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(counter, long{kThreads} * kPerThread);
}

TEST_F(WorkLoopTest, RunActionNestsOnTheSameThread)
{
    struct Nest {
        IOWorkLoop *loop;
        int depth = 0;
        int deepest = 0;
    } nest{loop};
    IOWorkLoop::Action recurse = [](OSObject *target, void *arg, void *self, void *, void *) -> IOReturn {
        auto *n = static_cast<Nest *>(arg);
        n->deepest = std::max(n->deepest, ++n->depth);
        IOReturn result = kIOReturnSuccess;
        if (n->depth < 3) {
            result = n->loop->runAction(reinterpret_cast<IOWorkLoop::Action>(self), target, arg, self);
        }
        EXPECT_TRUE(n->loop->inGate());
        --n->depth;
        return result;
    };
    EXPECT_EQ(loop->runAction(recurse, owner, &nest, reinterpret_cast<void *>(recurse)), kIOReturnSuccess);
    EXPECT_EQ(nest.deepest, 3);
    EXPECT_FALSE(loop->inGate());
}

TEST_F(WorkLoopTest, EventSourcesRunOnTheThreadWithTheGateClosed)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    ASSERT_NE(source, nullptr);
    std::atomic<bool> onThread{false}, inGate{false}, sourceOnThread{false};
    std::atomic<int> passes{0};
    source->onCheck = [&] {
        onThread = loop->onThread();
        inGate = loop->inGate();
        sourceOnThread = source->onThread();
        ++passes;
        return false;
    };
    ASSERT_EQ(loop->addEventSource(source), kIOReturnSuccess);
    EXPECT_EQ(source->getWorkLoop(), loop);
    const int before = passes;
    source->signalWorkAvailable();
    ASSERT_TRUE(eventually([&] { return passes > before; }));
    EXPECT_TRUE(onThread);
    EXPECT_TRUE(inGate);
    EXPECT_TRUE(sourceOnThread);
    EXPECT_FALSE(source->onThread()); // not from here
    EXPECT_EQ(loop->removeEventSource(source), kIOReturnSuccess);
    source->release();
}

TEST_F(WorkLoopTest, MoreWorkMakesAnotherPass)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    std::atomic<int> remaining{5};
    source->onCheck = [&] { return remaining > 0 && --remaining > 0; };
    loop->addEventSource(source);
    source->signalWorkAvailable(); // one signal; the source asks for four more passes itself
    EXPECT_TRUE(eventually([&] { return remaining == 0; }));
    loop->removeEventSource(source);
    source->release();
}

TEST_F(WorkLoopTest, RunEventSourcesWorksOnTheCallersThread)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    bool ranHere = false;
    const long me = currentTid();
    source->onCheck = [&] {
        if (currentTid() == me) {
            ranHere = loop->inGate();
        }
        return false;
    };
    loop->addEventSource(source);
    EXPECT_TRUE(loop->runEventSources());
    EXPECT_TRUE(ranHere);
    loop->removeEventSource(source);
    source->release();
}

TEST_F(WorkLoopTest, AddAndRemoveFollowXnu)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    ASSERT_EQ(source->getRetainCount(), 1);
    EXPECT_EQ(loop->addEventSource(source), kIOReturnSuccess);
    EXPECT_EQ(source->getRetainCount(), 2); // the loop retains its sources
    EXPECT_EQ(loop->addEventSource(source), kIOReturnSuccess); // already there: a no-op
    EXPECT_EQ(source->getRetainCount(), 2);

    IOWorkLoop *other = IOWorkLoop::workLoop();
    EXPECT_EQ(other->addEventSource(source), kIOReturnSuccess); // on a loop already: ignored
    EXPECT_EQ(source->getWorkLoop(), loop);
    EXPECT_EQ(other->removeEventSource(source), kIOReturnBadArgument); // not on this one
    other->release();

    EXPECT_EQ(loop->removeEventSource(source), kIOReturnSuccess);
    EXPECT_EQ(source->getWorkLoop(), nullptr);
    EXPECT_EQ(source->getRetainCount(), 1);
    EXPECT_FALSE(source->isEnabled()); // removal disables
    EXPECT_EQ(loop->removeEventSource(source), kIOReturnSuccess); // on no loop: a no-op
    EXPECT_EQ(loop->addEventSource(nullptr), kIOReturnBadArgument);
    source->release();
}

TEST_F(WorkLoopTest, SourceMayRemoveItselfDuringItsCheck)
{
    WorkLoopTestSource *first = WorkLoopTestSource::create(owner);
    WorkLoopTestSource *second = WorkLoopTestSource::create(owner);
    std::atomic<bool> removed{false};
    first->onCheck = [&] {
        if (!removed) {
            removed = true;
            loop->removeEventSource(first); // drops the loop's reference: first is now freed
        }
        return false;
    };
    loop->addEventSource(first);
    loop->addEventSource(second);
    first->release(); // the loop holds the only reference
    const int before = second->checks;
    second->signalWorkAvailable();
    ASSERT_TRUE(eventually([&] { return removed && second->checks > before; }));
    loop->removeEventSource(second);
    second->release();
}

TEST_F(WorkLoopTest, EnableAndDisableAll)
{
    WorkLoopTestSource *a = WorkLoopTestSource::create(owner);
    WorkLoopTestSource *b = WorkLoopTestSource::create(owner);
    loop->addEventSource(a);
    loop->addEventSource(b);
    loop->disableAllEventSources();
    EXPECT_FALSE(a->isEnabled());
    EXPECT_FALSE(b->isEnabled());
    loop->enableAllEventSources();
    EXPECT_TRUE(a->isEnabled());
    EXPECT_TRUE(b->isEnabled());
    loop->removeEventSource(a);
    loop->removeEventSource(b);
    a->release();
    b->release();
}

TEST_F(WorkLoopTest, SleepGateReleasesEveryLevelAndRestoresThem)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    loop->addEventSource(source);
    int event = 0;
    std::atomic<bool> otherGotGate{false};

    source->closeGate();
    source->closeGate();
    source->closeGate();
    std::thread other([&] {
        loop->runAction(
            [](OSObject *, void *flag, void *src, void *ev, void *) -> IOReturn {
                static_cast<std::atomic<bool> *>(flag)->store(true);
                static_cast<WorkLoopTestSource *>(src)->wakeupGate(ev, true);
                return kIOReturnSuccess;
            },
            owner, &otherGotGate, source, &event);
    });
    // The other thread can only get the gate once we sleep, and the sleep is registered before
    // the gate opens, so its wakeup reaches us. The deadline only bounds a failure.
    uint64_t deadline;
    nanoseconds_to_deadline(10'000'000'000, &deadline);
    EXPECT_EQ(source->sleepGate(&event, AbsoluteTime{deadline}, THREAD_UNINT), THREAD_AWAKENED);
    other.join();
    EXPECT_TRUE(otherGotGate);
    EXPECT_TRUE(loop->inGate());
    source->openGate();
    source->openGate();
    EXPECT_TRUE(loop->inGate()); // the depth of three survived the sleep
    source->openGate();
    EXPECT_FALSE(loop->inGate());

    loop->removeEventSource(source);
    source->release();
}

TEST_F(WorkLoopTest, SleepGateTimesOut)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    loop->addEventSource(source);
    int event = 0;
    uint64_t deadline;
    nanoseconds_to_deadline(20'000'000, &deadline);
    source->closeGate();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(source->sleepGate(&event, AbsoluteTime{deadline}, THREAD_UNINT), THREAD_TIMED_OUT);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
    EXPECT_TRUE(loop->inGate());
    source->openGate();
    loop->removeEventSource(source);
    source->release();
}

TEST_F(WorkLoopTest, TryCloseGateFailsWhileAnotherThreadHoldsIt)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    loop->addEventSource(source);
    std::atomic<bool> holding{false}, release{false};
    std::thread holder([&] {
        source->closeGate();
        holding = true;
        while (!release) {
            std::this_thread::sleep_for(1ms);
        }
        source->openGate();
    });
    ASSERT_TRUE(eventually([&] { return holding.load(); }));
    EXPECT_FALSE(source->tryCloseGate());
    release = true;
    holder.join();
    EXPECT_TRUE(source->tryCloseGate());
    EXPECT_TRUE(source->tryCloseGate()); // recursive
    source->openGate();
    source->openGate();
    loop->removeEventSource(source);
    source->release();
}

// --- Teardown --------------------------------------------------------------------------------

TEST_F(WorkLoopTest, ReleaseJoinsTheThread)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    std::atomic<long> tid{0};
    std::atomic<bool> exited{false};
    source->onCheck = [&] {
        tExitProbe.exited = &exited;
        tid = currentTid();
        return false;
    };
    loop->addEventSource(source);
    source->signalWorkAvailable();
    ASSERT_TRUE(eventually([&] { return tid != 0; }));
    ASSERT_TRUE(threadExists(tid));

    loop->release(); // the last reference: stops and joins the thread, frees the chain
    loop = nullptr;
    EXPECT_TRUE(exited); // already ended: joined, not merely told to stop
    EXPECT_EQ(workLoopInstances(), baseline);
    EXPECT_TRUE(eventually([&] { return !threadExists(tid); }));
    EXPECT_EQ(source->getWorkLoop(), nullptr);
    EXPECT_EQ(source->getRetainCount(), 1); // the chain's reference was dropped
    source->release();
}

TEST_F(WorkLoopTest, LastReleaseOnTheLoopsOwnThread)
{
    WorkLoopTestSource *source = WorkLoopTestSource::create(owner);
    std::atomic<long> tid{0};
    std::atomic<bool> released{false};
    IOWorkLoop *doomed = loop;
    loop = nullptr; // the source's check drops the test's reference
    source->onCheck = [&] {
        if (!released.exchange(true)) {
            tid = currentTid();
            doomed->release(); // cannot join itself: the thread frees the loop as it ends
        }
        return false;
    };
    doomed->addEventSource(source);
    source->signalWorkAvailable();
    ASSERT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
    EXPECT_TRUE(eventually([&] { return !threadExists(tid); }));
    EXPECT_EQ(source->getWorkLoop(), nullptr);
    EXPECT_EQ(source->getRetainCount(), 1);
    source->release();
}

TEST_F(WorkLoopTest, LastReleaseWhileHoldingTheGate)
{
    IOWorkLoop *doomed = loop;
    loop = nullptr;
    // The action holds the gate as it drops the last reference; free() cannot wait for the
    // thread (it needs the gate to end), so the thread ends and frees once runAction opens it.
    EXPECT_EQ(doomed->runAction(
                  [](OSObject *target, void *, void *, void *, void *) -> IOReturn {
                      target->release(); // returns at once: it cannot wait for the thread
                      // Give the thread time to end; it must still not free the gate we hold.
                      std::this_thread::sleep_for(20ms);
                      return kIOReturnSuccess;
                  },
                  doomed),
              kIOReturnSuccess);
    EXPECT_TRUE(eventually([&] { return workLoopInstances() == baseline; }));
}

TEST_F(WorkLoopTest, ManyLoopsComeAndGo)
{
    for (int i = 0; i < 200; i++) {
        IOWorkLoop *transient = IOWorkLoop::workLoop();
        ASSERT_NE(transient, nullptr);
        transient->release();
    }
    EXPECT_EQ(workLoopInstances(), baseline + 1); // only the fixture's loop is left
}

} // namespace
