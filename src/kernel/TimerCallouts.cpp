#include "TimerCallouts.h"

#include "common/NoDestructor.h"

#include <mach/mach_time.h>

#include <chrono>
#include <thread>

namespace openiokit {

TimerCallouts &TimerCallouts::shared()
{
    // Never destroyed: its thread runs for the life of the process, as kernel timers do.
    static NoDestructor<TimerCallouts> callouts;
    return *callouts;
}

void TimerCallouts::enter(const void *key, std::uint64_t deadline, Function function, void *param, std::uint64_t token)
{
    std::lock_guard guard(mutex_);
    removeLocked(key);
    armed_[key] = Callout{deadline, function, param, token};
    const auto position = byDeadline_.emplace(deadline, key);
    if (!threadStarted_) {
        std::thread([this] { run(); }).detach();
        threadStarted_ = true;
    }
    if (position == byDeadline_.begin()) {
        changed_.notify_one();
    }
}

bool TimerCallouts::cancel(const void *key)
{
    std::lock_guard guard(mutex_);
    const bool wasArmed = armed_.contains(key);
    removeLocked(key);
    return wasArmed;
}

void TimerCallouts::removeLocked(const void *key)
{
    const auto found = armed_.find(key);
    if (found == armed_.end()) {
        return;
    }
    auto [first, last] = byDeadline_.equal_range(found->second.deadline);
    for (auto it = first; it != last; ++it) {
        if (it->second == key) {
            byDeadline_.erase(it);
            break;
        }
    }
    armed_.erase(found);
}

void TimerCallouts::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        if (byDeadline_.empty()) {
            changed_.wait(lock);
            continue;
        }
        const auto [deadline, key] = *byDeadline_.begin();
        // Absolute time is CLOCK_MONOTONIC nanoseconds, the clock steady_clock waits on.
        const std::uint64_t now = mach_absolute_time();
        if (deadline > now) {
            changed_.wait_for(lock, std::chrono::nanoseconds(deadline - now));
            continue;
        }
        const Callout due = armed_.at(key);
        removeLocked(key);
        due.function(due.param, due.token); // under the lock: see cancel()
    }
}

} // namespace openiokit
