// IOLib, IOLocks, OSAtomic and kern/clock as kexts use them. Timing checks are one-sided
// ("at least"), so they hold on a loaded CI machine and under sanitizers.
#include <IOKit/IOLib.h>
#include <IOKit/IOLocks.h>
#include <kern/clock.h>
#include <libkern/OSAtomic.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <future>
#include <set>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 8;

// AbsoluteTime is UInt64 in Apple's LP64 kernel and the UnsignedWide struct elsewhere.
template <typename Time = AbsoluteTime>
Time toAbsoluteTime(std::uint64_t value)
{
    if constexpr (std::is_integral_v<Time>) {
        return value;
    } else {
        Time time{};
        time.lo = static_cast<UInt32>(value);
        time.hi = static_cast<UInt32>(value >> 32);
        return time;
    }
}

std::uint64_t deadlineIn(std::chrono::nanoseconds interval)
{
    std::uint64_t deadline;
    nanoseconds_to_deadline(static_cast<std::uint64_t>(interval.count()), &deadline);
    return deadline;
}

// Polls `condition` until it holds or `limit` passes; for waiting on other threads' progress.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = 10s)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

// --- Kernel view of the shared types -----------------------------------------------------

TEST(KernelTypes, KernelSeesPointerHandles)
{
    static_assert(std::is_same_v<io_object_t, OSObject *>);
    static_assert(std::is_same_v<io_service_t, OSObject *>);
    static_assert(std::is_pointer_v<mach_port_t>);
    static_assert(std::is_pointer_v<task_t> && std::is_pointer_v<thread_t>);
    static_assert(sizeof(IOByteCount) == 8 && sizeof(IOPhysicalAddress) == 8);
    static_assert(std::is_same_v<boolean_t, int>);
    static_assert(sizeof(io_name_t) == 128 && sizeof(io_string_t) == 512 && sizeof(io_struct_inband_t) == 4096);
    EXPECT_EQ(kIODirectionNone, 0);
    EXPECT_EQ(kIODirectionIn, 1);
    EXPECT_EQ(kIODirectionOut, 2);
    EXPECT_EQ(kIODirectionInOut, 3);
    EXPECT_EQ(kIODirectionOutIn, 3);
    EXPECT_EQ(THREAD_AWAKENED, 0);
    EXPECT_EQ(THREAD_TIMED_OUT, 1);
    EXPECT_EQ(THREAD_UNINT, 0);
    EXPECT_EQ(THREAD_INTERRUPTIBLE, 1);
}

// --- Atomics ------------------------------------------------------------------------------

TEST(OSAtomic, ArithmeticReturnsOldValue)
{
    volatile SInt32 value = 0;
    EXPECT_EQ(OSIncrementAtomic(&value), 0);
    EXPECT_EQ(OSAddAtomic(5, &value), 1);
    EXPECT_EQ(OSDecrementAtomic(&value), 6);
    EXPECT_EQ(value, 5);

    volatile SInt64 wide = 1LL << 40;
    EXPECT_EQ(OSAddAtomic64(2, &wide), 1LL << 40);
    EXPECT_EQ(OSIncrementAtomic64(&wide), (1LL << 40) + 2);
    EXPECT_EQ(OSDecrementAtomic64(&wide), (1LL << 40) + 3);

    volatile SInt16 narrow = 32767; // wraps like the hardware, no UB
    EXPECT_EQ(OSIncrementAtomic16(&narrow), 32767);
    EXPECT_EQ(narrow, -32768);
    volatile SInt8 tiny = 0;
    EXPECT_EQ(OSAddAtomic8(-3, &tiny), 0);
    EXPECT_EQ(tiny, -3);

    // The casting macros let kexts pass unsigned counters, as on macOS.
    volatile UInt32 unsignedCounter = 7;
    EXPECT_EQ(OSIncrementAtomic(&unsignedCounter), 7);
    EXPECT_EQ(unsignedCounter, 8u);
}

TEST(OSAtomic, BitOperationsReturnOldValue)
{
    volatile UInt32 bits = 0xF0;
    EXPECT_EQ(OSBitOrAtomic(0x0F, &bits), 0xF0u);
    EXPECT_EQ(OSBitAndAtomic(0x3C, &bits), 0xFFu);
    EXPECT_EQ(OSBitXorAtomic(0x30, &bits), 0x3Cu);
    EXPECT_EQ(bits, 0x0Cu);
    volatile UInt8 byte = 0x01;
    EXPECT_EQ(OSBitOrAtomic8(0x80, &byte), 0x01);
    EXPECT_EQ(byte, 0x81);
}

TEST(OSAtomic, CompareAndSwap)
{
    volatile UInt32 value = 3;
    EXPECT_TRUE(OSCompareAndSwap(3, 4, &value));
    EXPECT_FALSE(OSCompareAndSwap(3, 5, &value));
    EXPECT_EQ(value, 4u);

    volatile UInt64 wide = 1ULL << 50;
    EXPECT_TRUE(OSCompareAndSwap64(1ULL << 50, 9, &wide));
    EXPECT_FALSE(OSCompareAndSwap64(1ULL << 50, 10, &wide));
    EXPECT_EQ(wide, 9u);

    int a = 0;
    int b = 0;
    void *volatile pointer = &a;
    EXPECT_TRUE(OSCompareAndSwapPtr(&a, &b, &pointer));
    EXPECT_FALSE(OSCompareAndSwapPtr(&a, nullptr, &pointer));
    EXPECT_EQ(pointer, &b);
}

TEST(OSAtomic, TestAndSetUsesMostSignificantBitFirst)
{
    volatile UInt8 bytes[2] = {0, 0};
    EXPECT_FALSE(OSTestAndSet(0, bytes)); // was clear
    EXPECT_EQ(bytes[0], 0x80);
    EXPECT_TRUE(OSTestAndSet(0, bytes)); // already set
    EXPECT_FALSE(OSTestAndSet(9, bytes));
    EXPECT_EQ(bytes[1], 0x40);
    EXPECT_FALSE(OSTestAndClear(0, bytes)); // was set, now cleared
    EXPECT_EQ(bytes[0], 0x00);
    EXPECT_TRUE(OSTestAndClear(0, bytes)); // already clear
}

TEST(OSAtomic, IncrementFromEightThreadsHandsOutEveryOldValueOnce)
{
    constexpr int kPerThread = 20000;
    volatile SInt32 counter = 0;
    std::vector<std::vector<SInt32>> seen(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            seen[t].reserve(kPerThread);
            for (int i = 0; i < kPerThread; ++i) {
                seen[t].push_back(OSIncrementAtomic(&counter));
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(counter, kThreads * kPerThread);
    std::vector<SInt32> all;
    for (const auto &values : seen) {
        all.insert(all.end(), values.begin(), values.end());
    }
    std::sort(all.begin(), all.end());
    for (int i = 0; i < kThreads * kPerThread; ++i) {
        ASSERT_EQ(all[i], i);
    }
}

TEST(OSAtomic, CompareAndSwapLoopsFromEightThreads)
{
    constexpr int kPerThread = 10000;
    volatile UInt64 total = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) {
                UInt64 old;
                do {
                    old = __atomic_load_n(&total, __ATOMIC_RELAXED);
                } while (!OSCompareAndSwap64(old, old + 3, &total));
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(total, 3u * kThreads * kPerThread);
}

// --- IOLock sleep / wakeup ----------------------------------------------------------------

struct SleepersFixture {
    IOLock *lock = IOLockAlloc();
    int event = 0; // its address is the event
    int asleep = 0; // guarded by lock
    std::atomic<int> awake{0};
    std::vector<std::thread> threads;

    void start(int count)
    {
        for (int i = 0; i < count; ++i) {
            threads.emplace_back([this] {
                IOLockLock(lock);
                ++asleep;
                const int result = IOLockSleep(lock, &event, THREAD_UNINT);
                EXPECT_EQ(result, THREAD_AWAKENED);
                --asleep;
                IOLockUnlock(lock);
                awake.fetch_add(1);
            });
        }
        // Once `asleep` reaches count under the lock, every sleeper has released the lock
        // inside IOLockSleep, i.e. is registered on the event.
        EXPECT_TRUE(eventually([&] {
            IOLockLock(lock);
            const bool all = asleep == count;
            IOLockUnlock(lock);
            return all;
        }));
    }

    ~SleepersFixture()
    {
        // Should a test have failed half-way, release the remaining sleepers before joining.
        eventually([&] {
            IOLockWakeup(lock, &event, false);
            return awake.load() == static_cast<int>(threads.size());
        });
        for (auto &thread : threads) {
            thread.join();
        }
        IOLockFree(lock);
    }
};

TEST(IOLock, WakeupOneWakesExactlyOneSleeper)
{
    SleepersFixture sleepers;
    sleepers.start(4);

    IOLockWakeup(sleepers.lock, &sleepers.event, true);
    EXPECT_TRUE(eventually([&] { return sleepers.awake.load() == 1; }));
    std::this_thread::sleep_for(50ms); // give a wrongly woken second thread time to show up
    EXPECT_EQ(sleepers.awake.load(), 1);

    IOLockWakeup(sleepers.lock, &sleepers.event, false);
    EXPECT_TRUE(eventually([&] { return sleepers.awake.load() == 4; }));
}

TEST(IOLock, WakeupAllWakesEverySleeper)
{
    SleepersFixture sleepers;
    sleepers.start(4);
    IOLockLock(sleepers.lock); // waking with the lock held is allowed too
    IOLockWakeup(sleepers.lock, &sleepers.event, false);
    IOLockUnlock(sleepers.lock);
    EXPECT_TRUE(eventually([&] { return sleepers.awake.load() == 4; }));
}

TEST(IOLock, WakeupOnOtherEventWakesNobody)
{
    SleepersFixture sleepers;
    sleepers.start(1);
    int otherEvent = 0;
    IOLockWakeup(sleepers.lock, &otherEvent, false);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(sleepers.awake.load(), 0);
    IOLockWakeup(sleepers.lock, &sleepers.event, false);
    EXPECT_TRUE(eventually([&] { return sleepers.awake.load() == 1; }));
}

// Ping-pong between two threads through one lock and two events: a single lost wakeup would
// leave a side asleep until its (generous) deadline.
TEST(IOLock, NoLostWakeupInPingPong)
{
    constexpr int kRounds = 2000;
    IOLock *lock = IOLockAlloc();
    int turn = 0; // 0: ping's turn, 1: pong's; guarded by lock
    int pingEvent = 0;
    int pongEvent = 0;
    std::atomic<int> timeouts{0};

    auto player = [&](int me, void *myEvent, void *otherEvent) {
        for (int round = 0; round < kRounds; ++round) {
            IOLockLock(lock);
            while (turn != me) {
                if (IOLockSleepDeadline(lock, myEvent, toAbsoluteTime(deadlineIn(10s)), THREAD_UNINT) == THREAD_TIMED_OUT) {
                    timeouts.fetch_add(1);
                }
            }
            turn = 1 - me;
            IOLockWakeup(lock, otherEvent, true);
            IOLockUnlock(lock);
        }
    };
    std::thread ping(player, 0, &pingEvent, &pongEvent);
    std::thread pong(player, 1, &pongEvent, &pingEvent);
    ping.join();
    pong.join();
    EXPECT_EQ(timeouts.load(), 0);
    IOLockFree(lock);
}

TEST(IOLock, SleepDeadlineTimesOutWithLockHeld)
{
    IOLock *lock = IOLockAlloc();
    int event = 0;
    IOLockLock(lock);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(IOLockSleepDeadline(lock, &event, toAbsoluteTime(deadlineIn(20ms)), THREAD_INTERRUPTIBLE), THREAD_TIMED_OUT);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
    bool otherGotIt = true;
    std::thread([&] { otherGotIt = IOLockTryLock(lock); }).join();
    EXPECT_FALSE(otherGotIt);
    IOLockUnlock(lock);
    IOLockFree(lock);
}

TEST(IOLock, WakeupWithoutSleeperIsNotRemembered)
{
    IOLock *lock = IOLockAlloc();
    int event = 0;
    IOLockWakeup(lock, &event, false);
    IOLockLock(lock);
    EXPECT_EQ(IOLockSleepDeadline(lock, &event, toAbsoluteTime(deadlineIn(10ms)), THREAD_UNINT), THREAD_TIMED_OUT);
    IOLockUnlock(lock);
    IOLockFree(lock);
}

TEST(IOLock, TryLock)
{
    IOLock *lock = IOLockAlloc();
    EXPECT_TRUE(IOLockTryLock(lock));
    bool other = true;
    std::thread([&] { other = IOLockTryLock(lock); }).join();
    EXPECT_FALSE(other);
    IOLockUnlock(lock);
    IOLockFree(lock);
}

// --- IORecursiveLock ----------------------------------------------------------------------

bool tryFromOtherThread(IORecursiveLock *lock)
{
    bool acquired = false;
    std::thread([&] {
        acquired = IORecursiveLockTryLock(lock);
        if (acquired) {
            IORecursiveLockUnlock(lock);
        }
    }).join();
    return acquired;
}

TEST(IORecursiveLock, OwnerReentersAndReleasesAfterMatchingUnlocks)
{
    IORecursiveLock *lock = IORecursiveLockAlloc();
    EXPECT_FALSE(IORecursiveLockHaveLock(lock));
    IORecursiveLockLock(lock);
    IORecursiveLockLock(lock);
    EXPECT_TRUE(IORecursiveLockTryLock(lock));
    EXPECT_TRUE(IORecursiveLockHaveLock(lock));
    EXPECT_FALSE(tryFromOtherThread(lock));
    IORecursiveLockUnlock(lock);
    IORecursiveLockUnlock(lock);
    EXPECT_TRUE(IORecursiveLockHaveLock(lock));
    EXPECT_FALSE(tryFromOtherThread(lock));
    IORecursiveLockUnlock(lock);
    EXPECT_FALSE(IORecursiveLockHaveLock(lock));
    EXPECT_TRUE(tryFromOtherThread(lock));
    IORecursiveLockFree(lock);
}

TEST(IORecursiveLock, SleepReleasesEveryLevelAndRestoresDepth)
{
    IORecursiveLock *lock = IORecursiveLockAlloc();
    int event = 0;
    bool ready = false; // guarded by lock
    std::thread waker([&] {
        EXPECT_TRUE(eventually([&] {
            // Succeeds only once the sleeper has released both levels.
            if (!IORecursiveLockTryLock(lock)) {
                return false;
            }
            ready = true;
            IORecursiveLockWakeup(lock, &event, true);
            IORecursiveLockUnlock(lock);
            return true;
        }));
    });
    IORecursiveLockLock(lock);
    IORecursiveLockLock(lock);
    while (!ready) {
        EXPECT_EQ(IORecursiveLockSleep(lock, &event, THREAD_UNINT), THREAD_AWAKENED);
    }
    EXPECT_TRUE(IORecursiveLockHaveLock(lock));
    IORecursiveLockUnlock(lock);
    EXPECT_TRUE(IORecursiveLockHaveLock(lock));
    IORecursiveLockUnlock(lock);
    EXPECT_FALSE(IORecursiveLockHaveLock(lock));
    waker.join();
    IORecursiveLockFree(lock);
}

// --- IORWLock / IOSimpleLock --------------------------------------------------------------

TEST(IORWLock, ReadersHoldTheLockTogether)
{
    constexpr int kReaders = 4;
    IORWLock *lock = IORWLockAlloc();
    std::atomic<int> inside{0};
    std::atomic<int> maxInside{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < kReaders; ++i) {
        readers.emplace_back([&] {
            IORWLockRead(lock);
            const int now = inside.fetch_add(1) + 1;
            int seen = maxInside.load();
            while (now > seen && !maxInside.compare_exchange_weak(seen, now)) {
            }
            // Hold the read lock until every reader is in (or give up after a while).
            eventually([&] { return inside.load() == kReaders; }, 5s);
            IORWLockUnlock(lock);
        });
    }
    for (auto &reader : readers) {
        reader.join();
    }
    EXPECT_EQ(maxInside.load(), kReaders);
    IORWLockFree(lock);
}

TEST(IORWLock, WriterExcludesReadersAndWriters)
{
    IORWLock *lock = IORWLockAlloc();
    IORWLockWrite(lock);
    bool gotRead = true;
    bool gotWrite = true;
    std::thread([&] {
        gotRead = IORWLockTryRead(lock);
        gotWrite = IORWLockTryWrite(lock);
    }).join();
    EXPECT_FALSE(gotRead);
    EXPECT_FALSE(gotWrite);
    IORWLockUnlock(lock);

    IORWLockRead(lock);
    std::thread([&] {
        gotRead = IORWLockTryRead(lock);
        if (gotRead) {
            IORWLockUnlock(lock);
        }
        gotWrite = IORWLockTryWrite(lock);
    }).join();
    EXPECT_TRUE(gotRead);
    EXPECT_FALSE(gotWrite);
    IORWLockUnlock(lock);
    IORWLockFree(lock);
}

TEST(IOSimpleLock, ProtectsACounterAcrossThreads)
{
    IOSimpleLock *lock = IOSimpleLockAlloc();
    long counter = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                IOSimpleLockLock(lock);
                ++counter;
                IOSimpleLockUnlock(lock);
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    EXPECT_EQ(counter, kThreads * 5000L);
    IOSimpleLockFree(lock);
}

TEST(IOSimpleLock, DisableInterruptSavesAndRestoresState)
{
    IOSimpleLock *lock = IOSimpleLockAlloc();
    EXPECT_TRUE(ml_get_interrupts_enabled());
    const IOInterruptState state = IOSimpleLockLockDisableInterrupt(lock);
    EXPECT_TRUE(state);
    EXPECT_FALSE(ml_get_interrupts_enabled());
    EXPECT_FALSE(IOSimpleLockTryLock(lock));
    IOSimpleLockUnlockEnableInterrupt(lock, state);
    EXPECT_TRUE(ml_get_interrupts_enabled());
    EXPECT_TRUE(IOSimpleLockTryLock(lock));
    IOSimpleLockUnlock(lock);
    IOSimpleLockFree(lock);
}

// --- Delays and clocks --------------------------------------------------------------------

TEST(IODelay, SleepsAndDelaysLastAtLeastTheRequest)
{
    auto start = std::chrono::steady_clock::now();
    IOSleep(20);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);

    start = std::chrono::steady_clock::now();
    IODelay(500);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 500us);

    start = std::chrono::steady_clock::now();
    IOPause(2000);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 2000ns);
}

TEST(Clock, AbsoluteTimeIsMonotonicNanoseconds)
{
    mach_timebase_info_data_t timebase{};
    EXPECT_EQ(mach_timebase_info(&timebase), KERN_SUCCESS);
    EXPECT_EQ(timebase.numer, 1u);
    EXPECT_EQ(timebase.denom, 1u);

    std::uint64_t converted = 0;
    absolutetime_to_nanoseconds(123456789, &converted);
    EXPECT_EQ(converted, 123456789u);
    nanoseconds_to_absolutetime(987654321, &converted);
    EXPECT_EQ(converted, 987654321u);

    std::uint64_t first = 0;
    std::uint64_t second = 0;
    clock_get_uptime(&first);
    std::this_thread::sleep_for(2ms);
    clock_get_uptime(&second);
    EXPECT_GE(second - first, 2'000'000u);

    timespec monotonic{};
    clock_gettime(CLOCK_MONOTONIC, &monotonic);
    const std::uint64_t now = mach_absolute_time();
    EXPECT_GE(now, static_cast<std::uint64_t>(monotonic.tv_sec) * 1'000'000'000u);
}

TEST(Clock, IntervalsAndDeadlines)
{
    std::uint64_t interval = 0;
    clock_interval_to_absolutetime_interval(7, kMillisecondScale, &interval);
    EXPECT_EQ(interval, 7'000'000u);

    const std::uint64_t before = mach_absolute_time();
    std::uint64_t deadline = 0;
    clock_interval_to_deadline(10, kMillisecondScale, &deadline);
    const std::uint64_t after = mach_absolute_time();
    EXPECT_GE(deadline, before + 10'000'000u);
    EXPECT_LE(deadline, after + 10'000'000u);

    clock_absolutetime_interval_to_deadline(UINT64_MAX, &deadline);
    EXPECT_EQ(deadline, UINT64_MAX); // saturates rather than wrapping into the past
}

TEST(Clock, SystemAndCalendarTime)
{
    clock_sec_t secs = 0;
    clock_usec_t micros = 0;
    clock_get_system_microtime(&secs, &micros);
    EXPECT_LT(micros, 1'000'000u);
    EXPECT_LE(secs, mach_absolute_time() / 1'000'000'000u);

    clock_nsec_t nanos = 0;
    clock_get_system_nanotime(&secs, &nanos);
    EXPECT_LT(nanos, 1'000'000'000u);

    clock_get_calendar_microtime(&secs, &micros);
    const auto wall = static_cast<clock_sec_t>(std::time(nullptr));
    EXPECT_LE(secs, wall);
    EXPECT_GE(secs + 2, wall);
    EXPECT_LT(micros, 1'000'000u);
}

// --- Threads and memory -------------------------------------------------------------------

struct ThreadProbe {
    std::promise<thread_t> self;
    std::promise<void> exited;
    std::atomic<bool> ranPastExit{false};
};

void probeMain(void *argument)
{
    auto *probe = static_cast<ThreadProbe *>(argument);
    probe->self.set_value(IOThreadSelf());
    probe->exited.set_value();
    IOExitThread();
    probe->ranPastExit = true; // never reached
}

TEST(IOThread, CreateRunsFunctionOnItsOwnThread)
{
    ThreadProbe probe;
    auto self = probe.self.get_future();
    auto exited = probe.exited.get_future();
    const IOThread thread = IOCreateThread(probeMain, &probe);
    ASSERT_NE(thread, nullptr);
    EXPECT_EQ(self.get(), thread);
    EXPECT_NE(thread, current_thread());
    exited.wait();
    std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(probe.ranPastExit.load());
}

TEST(IOThread, CurrentThreadIsStablePerThread)
{
    const thread_t mine = current_thread();
    EXPECT_EQ(current_thread(), mine);
    thread_t other = nullptr;
    std::thread([&] { other = current_thread(); }).join();
    EXPECT_NE(other, mine);
}

TEST(IOMalloc, VariantsZeroAndAlign)
{
    auto *zeroed = static_cast<unsigned char *>(IOMallocZero(256));
    ASSERT_NE(zeroed, nullptr);
    EXPECT_TRUE(std::all_of(zeroed, zeroed + 256, [](unsigned char c) { return c == 0; }));
    IOFree(zeroed, 256);

    void *aligned = IOMallocAligned(100, 64);
    ASSERT_NE(aligned, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 64, 0u);
    IOFreeAligned(aligned, 100);

    void *odd = IOMallocAligned(10, 3); // rounded up to a power of two
    ASSERT_NE(odd, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(odd) % 4, 0u);
    IOFreeAligned(odd, 10);

    void *data = IOMallocData(32);
    ASSERT_NE(data, nullptr);
    std::memset(data, 0xAB, 32);
    IOFreeData(data, 32);

    auto *array = IONew(std::uint32_t, 16);
    ASSERT_NE(array, nullptr);
    IODelete(array, std::uint32_t, 16);
    EXPECT_EQ(IONew(std::uint64_t, SIZE_MAX / 4), nullptr); // size overflow is refused
}

TEST(IOLibMisc, NamedValuesAndAlignment)
{
    const IONamedValue names[] = {{1, "one"}, {2, "two"}, {0, nullptr}};
    EXPECT_STREQ(IOFindNameForValue(2, names), "two");
    EXPECT_STREQ(IOFindNameForValue(7, names), "0x7 (UNDEFINED)");
    int value = 0;
    EXPECT_EQ(IOFindValueForName("one", names, &value), kIOReturnSuccess);
    EXPECT_EQ(value, 1);
    EXPECT_EQ(IOFindValueForName("three", names, &value), kIOReturnBadArgument);

    EXPECT_EQ(IOSizeToAlignment(4096), 12u);
    EXPECT_EQ(IOSizeToAlignment(4097), 12u);
    EXPECT_EQ(IOAlignmentToSize(12), 4096u);
    EXPECT_EQ(min(3, 7L), 3L);
    EXPECT_EQ(max(3u, 7u), 7u);
    EXPECT_EQ(std::min(3, 7), 3); // the C++ forms of min/max leave std:: alone
}

} // namespace

// Kext code written for macOS passes AbsoluteTime* / UInt64* (unsigned long long) where the
// clock functions take uint64_t* — one type there, two on Linux.
TEST(ClockCompat, AbsoluteTimeAndUInt64PointersAreAccepted)
{
    AbsoluteTime now = 0;
    clock_get_uptime(&now);
    EXPECT_GT(now, 0u);
    AbsoluteTime deadline = 0;
    clock_interval_to_deadline(1, kMillisecondScale, &deadline);
    EXPECT_GT(deadline, now);
    UInt64 nanoseconds = 0;
    absolutetime_to_nanoseconds(deadline - now, &nanoseconds);
    EXPECT_GE(nanoseconds, 1000000u);
    uint64_t plain = 0;
    nanoseconds_to_absolutetime(nanoseconds, &plain);  // the uint64_t* form still works
    EXPECT_EQ(plain, deadline - now);
}
