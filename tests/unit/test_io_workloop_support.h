// Shared helpers of the work-loop tests (test_io_workloop*.cpp). Timing checks are one-sided
// ("at least", or "within a generous limit"), so they hold on a loaded machine and under the
// sanitizers.
#pragma once

#include <IOKit/IOWorkLoop.h>
#include <libkern/c++/OSString.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace workloop_test {

using namespace std::chrono_literals;

// The limit for anything that "must happen": long enough never to flake.
constexpr std::chrono::milliseconds kPatience = 10s;

// Polls `condition` until it holds or `limit` passes; returns whether it held.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = kPatience)
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

// Event sources need an owner; any object will do. The caller releases it.
inline OSObject *makeOwner()
{
    return OSString::withCString("owner");
}

inline long currentTid()
{
    return static_cast<long>(syscall(SYS_gettid));
}

// Whether the kernel thread `tid` of this process still exists (joined threads are gone).
inline bool threadExists(long tid)
{
    return access(("/proc/self/task/" + std::to_string(tid)).c_str(), F_OK) == 0;
}

inline unsigned workLoopInstances()
{
    return IOWorkLoop::metaClass->getInstanceCount();
}

} // namespace workloop_test
