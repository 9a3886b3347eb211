// xnu's wait-on-event mechanism (assert_wait + thread_block / thread_wakeup_prim), which
// IOLockSleep, IORecursiveLockSleep and IOLockWakeup are built on. Events are plain addresses
// shared by all locks, as in xnu: a wakeup on `event` reaches every sleeper on that address.
#pragma once

#include <kern/kern_types.h>
#include <libkern/OSTypes.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace openiokit {

class EventWaitTable {
public:
    static EventWaitTable &shared();

    // Registers the calling thread as a sleeper on `event`, then runs `releaseLock` (which drops
    // the caller's IOLock) while that registration is visible. Hence a thread that takes the
    // caller's lock afterwards and calls wakeup() always finds this sleeper: no lost wakeups.
    // Blocks until woken (THREAD_AWAKENED) or until absolute time `deadline` passes
    // (THREAD_TIMED_OUT); deadline 0 means forever, as in xnu. Does not retake the caller's lock.
    wait_result_t sleep(const void *event, std::uint64_t deadline, const std::function<void()> &releaseLock);

    // Wakes the longest-waiting sleeper on `event` (oneThread) or all of them; returns how many.
    std::size_t wakeup(const void *event, bool oneThread);

private:
    struct Sleeper {
        std::condition_variable wake;
        bool woken = false; // guarded by mutex_
    };

    void removeLocked(const void *event, Sleeper *sleeper);

    std::mutex mutex_;
    // Sleepers live on their own stacks; an entry is removed before its sleeper returns.
    std::unordered_map<const void *, std::deque<Sleeper *>> sleepers_;
};

// The deadline an AbsoluteTime carries. Apple's kernel makes AbsoluteTime a UInt64 on LP64;
// the older struct form is accepted too, so IOLockSleepDeadline works with either definition.
constexpr std::uint64_t absoluteTimeValue(std::uint64_t time)
{
    return time;
}

constexpr std::uint64_t absoluteTimeValue(const UnsignedWide &time)
{
    return (static_cast<std::uint64_t>(time.hi) << 32) | time.lo;
}

} // namespace openiokit
