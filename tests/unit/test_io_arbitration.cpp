// lockForArbitration (iokit-semantics.md §2.11): recursive per thread, and xnu's deadlock
// detection: when two threads each hold one service's arbitration lock and wait for the
// other's, the waiter that passed isSuccessRequired=false gets false, whichever waited first.
#include <IOKit/IOService.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace {

using namespace std::chrono_literals;

struct ArbitrationLocks : testing::Test {
    void SetUp() override
    {
        for (auto*& service : services) {
            service = OSTypeAlloc(IOService);
            ASSERT_TRUE(service->init());
        }
    }
    void TearDown() override
    {
        for (auto* service : services) {
            service->release();
        }
    }
    IOService* services[3] = {};
};

// Holds `first`, signals, waits until `go`, then tries `second` (with `required`); returns the
// result of that second lock and releases everything it got.
bool holdThenWant(IOService* first, IOService* second, bool required, std::promise<void>& holding,
                  std::shared_future<void> go)
{
    EXPECT_TRUE(first->lockForArbitration());
    holding.set_value();
    go.wait();
    const bool got = second->lockForArbitration(required);
    if (got) {
        second->unlockForArbitration();
    }
    first->unlockForArbitration();
    return got;
}

TEST_F(ArbitrationLocks, RecursiveOnOneThread)
{
    EXPECT_TRUE(services[0]->lockForArbitration());
    EXPECT_TRUE(services[0]->lockForArbitration(false));
    services[0]->unlockForArbitration();
    // Still held once: another thread must wait until the final unlock.
    std::atomic<bool> acquired{false};
    std::thread other([&] {
        services[0]->lockForArbitration();
        acquired = true;
        services[0]->unlockForArbitration();
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(acquired.load());
    services[0]->unlockForArbitration();
    other.join();
    EXPECT_TRUE(acquired.load());
}

// Both orders of the two waits: the delay only makes each order likely; the expected outcome
// holds whichever order really happens.
TEST_F(ArbitrationLocks, CycleAbortsTheWaiterThatAllowsIt)
{
    for (int abortableWaitsFirst = 0; abortableWaitsFirst < 2; ++abortableWaitsFirst) {
        std::promise<void> holdingA, holdingB, goA, goB;
        std::shared_future<void> startA = goA.get_future().share();
        std::shared_future<void> startB = goB.get_future().share();
        // A: holds 0, wants 1 and requires success. B: holds 1, wants 0, may be aborted.
        auto a = std::async(std::launch::async, holdThenWant, services[0], services[1], true,
                            std::ref(holdingA), startA);
        auto b = std::async(std::launch::async, holdThenWant, services[1], services[0], false,
                            std::ref(holdingB), startB);
        holdingA.get_future().wait();
        holdingB.get_future().wait();
        if (abortableWaitsFirst) {
            goB.set_value();
            std::this_thread::sleep_for(50ms);
            goA.set_value();
        } else {
            goA.set_value();
            std::this_thread::sleep_for(50ms);
            goB.set_value();
        }
        ASSERT_EQ(b.wait_for(30s), std::future_status::ready) << "deadlock not broken";
        ASSERT_EQ(a.wait_for(30s), std::future_status::ready);
        EXPECT_FALSE(b.get()) << "the waiter that passed isSuccessRequired=false is aborted";
        EXPECT_TRUE(a.get()) << "the waiter that requires success gets the lock";
    }
}

TEST_F(ArbitrationLocks, ThreeServiceCycleIsBroken)
{
    std::promise<void> holding[3];
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    // 0 -> 1 -> 2 -> 0; only the last waiter may be aborted.
    std::future<bool> results[3];
    for (int i = 0; i < 3; ++i) {
        results[i] = std::async(std::launch::async, holdThenWant, services[i],
                                services[(i + 1) % 3], i != 2, std::ref(holding[i]), start);
    }
    for (auto& h : holding) {
        h.get_future().wait();
    }
    go.set_value();
    for (auto& r : results) {
        ASSERT_EQ(r.wait_for(30s), std::future_status::ready) << "deadlock not broken";
    }
    EXPECT_TRUE(results[0].get());
    EXPECT_TRUE(results[1].get());
    EXPECT_FALSE(results[2].get());
}

TEST_F(ArbitrationLocks, PlainContentionIsNotADeadlock)
{
    // Many threads taking two locks in the same order never abort, even with success optional.
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                if (!services[0]->lockForArbitration(false)) {
                    ++failures;
                    continue;
                }
                if (services[1]->lockForArbitration(false)) {
                    services[1]->unlockForArbitration();
                } else {
                    ++failures;
                }
                services[0]->unlockForArbitration();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
