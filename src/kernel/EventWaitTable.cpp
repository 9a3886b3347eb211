#include "EventWaitTable.h"

#include "common/NoDestructor.h"

#include <mach/mach_time.h>

#include <algorithm>
#include <chrono>

namespace openiokit {

EventWaitTable &EventWaitTable::shared()
{
    // Never destroyed: detached kext threads may still be asleep when the process exits.
    static NoDestructor<EventWaitTable> table;
    return *table;
}

wait_result_t EventWaitTable::sleep(const void *event, std::uint64_t deadline, const std::function<void()> &releaseLock)
{
    std::unique_lock guard(mutex_);
    Sleeper self;
    sleepers_[event].push_back(&self);
    releaseLock();

    const auto woken = [&self] { return self.woken; };
    if (deadline == 0) {
        self.wake.wait(guard, woken);
    } else {
        // Absolute time is CLOCK_MONOTONIC, like steady_clock, but convert relative to be safe.
        const std::uint64_t now = mach_absolute_time();
        const auto remaining = std::chrono::nanoseconds(deadline > now ? deadline - now : 0);
        self.wake.wait_until(guard, std::chrono::steady_clock::now() + remaining, woken);
    }
    if (!self.woken) {
        removeLocked(event, &self);
        return THREAD_TIMED_OUT;
    }
    return THREAD_AWAKENED;
}

std::size_t EventWaitTable::wakeup(const void *event, bool oneThread)
{
    std::lock_guard guard(mutex_);
    const auto found = sleepers_.find(event);
    if (found == sleepers_.end()) {
        return 0;
    }
    auto &queue = found->second;
    std::size_t count = 0;
    while (!queue.empty() && (count == 0 || !oneThread)) {
        Sleeper *sleeper = queue.front();
        queue.pop_front();
        sleeper->woken = true;
        // Notify while holding the mutex: once it is released the sleeper may return and
        // destroy its condition variable.
        sleeper->wake.notify_one();
        ++count;
    }
    if (queue.empty()) {
        sleepers_.erase(found);
    }
    return count;
}

void EventWaitTable::removeLocked(const void *event, Sleeper *sleeper)
{
    const auto found = sleepers_.find(event);
    if (found == sleepers_.end()) {
        return;
    }
    auto &queue = found->second;
    queue.erase(std::remove(queue.begin(), queue.end(), sleeper), queue.end());
    if (queue.empty()) {
        sleepers_.erase(found);
    }
}

} // namespace openiokit
