// Timed callouts for IOTimerEventSource: the part of xnu's thread_call_enter_delayed that a
// timer needs. One process-wide thread sleeps until the earliest deadline and runs the callouts
// that are due.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

namespace openiokit {

class TimerCallouts {
public:
    using Function = void (*)(void *param, std::uint64_t token);

    static TimerCallouts &shared();

    // Arms the callout named `key`: once absolute time `deadline` has passed, the callout thread
    // calls function(param, token), once. Replaces an earlier arming of the same key.
    void enter(const void *key, std::uint64_t deadline, Function function, void *param, std::uint64_t token);

    // Disarms `key`; returns whether it was armed. Callouts run with this table locked, so when
    // cancel() returns, the callout of `key` is neither pending nor running: its `param` may be
    // freed. Hence a callout function must be brief and must not call enter() or cancel().
    bool cancel(const void *key);

private:
    struct Callout {
        std::uint64_t deadline;
        Function function;
        void *param;
        std::uint64_t token;
    };

    [[noreturn]] void run();
    void removeLocked(const void *key);

    std::mutex mutex_;
    std::condition_variable changed_; // the earliest deadline moved
    std::unordered_map<const void *, Callout> armed_;
    std::multimap<std::uint64_t, const void *> byDeadline_; // the keys of armed_, soonest first
    bool threadStarted_ = false;
};

} // namespace openiokit
