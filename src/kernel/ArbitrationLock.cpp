// Arbitration locks and their deadlock detection; see ArbitrationLock.h.
#include "ArbitrationLock.h"

#include <IOKit/IOLib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "common/NoDestructor.h"

namespace openiokit {

// A thread blocked in lock(): what it wants and whether it may be aborted.
struct ArbitrationWaiter {
    ArbitrationLock* wanted = nullptr;
    bool successRequired = true;
    bool aborted = false;
    std::condition_variable wakeup;
};

struct ArbitrationGraph {
    std::mutex mutex;
    // Waiting threads by id: the edges from a lock's owner to the lock it waits for.
    std::unordered_map<std::thread::id, ArbitrationWaiter*> waiting;

    // The waiters on the path from `lock`'s owner back to `self`, if waiting for `lock` would
    // close a cycle; empty otherwise.
    std::vector<ArbitrationWaiter*> cycleThrough(const ArbitrationLock* lock, std::thread::id self)
    {
        std::vector<ArbitrationWaiter*> path;
        for (std::thread::id holder = lock->owner_; holder != self;) {
            const auto it = waiting.find(holder);
            if (it == waiting.end()) {
                return {};  // the chain ends at a running thread: no deadlock
            }
            path.push_back(it->second);
            holder = it->second->wanted->owner_;
            if (path.size() > waiting.size()) {
                return {};  // a cycle not through us (cannot form: each is broken when made)
            }
        }
        return path;
    }
};

static ArbitrationGraph& graph()
{
    static NoDestructor<ArbitrationGraph> instance;
    return *instance;
}

bool ArbitrationLock::lock(bool isSuccessRequired)
{
    ArbitrationGraph& g = graph();
    const std::thread::id self = std::this_thread::get_id();
    std::unique_lock guard(g.mutex);
    if (depth_ > 0 && owner_ == self) {
        ++depth_;
        return true;
    }
    if (depth_ > 0) {
        const std::vector<ArbitrationWaiter*> cycle = g.cycleThrough(this, self);
        if (!cycle.empty()) {
            if (!isSuccessRequired) {
                return false;  // we are the abortable waiter: back out
            }
            const auto victim = std::ranges::find_if(
                cycle, [](const ArbitrationWaiter* w) { return !w->successRequired; });
            if (victim == cycle.end()) {
                IOLog("IOService: arbitration deadlock that no waiter allows to abort\n");
                std::abort();  // xnu panics here
            }
            (*victim)->aborted = true;
            (*victim)->wakeup.notify_one();
        }
        ArbitrationWaiter waiter;
        waiter.wanted = this;
        waiter.successRequired = isSuccessRequired;
        g.waiting.emplace(self, &waiter);
        waiters_.push_back(&waiter);
        waiter.wakeup.wait(guard, [&] { return depth_ == 0 || waiter.aborted; });
        g.waiting.erase(self);
        std::erase(waiters_, &waiter);
        if (waiter.aborted) {
            return false;
        }
    }
    owner_ = self;
    depth_ = 1;
    return true;
}

void ArbitrationLock::unlock()
{
    ArbitrationGraph& g = graph();
    std::lock_guard guard(g.mutex);
    if (depth_ == 0 || owner_ != std::this_thread::get_id()) {
        IOLog("IOService: unlockForArbitration by a thread that does not hold the lock\n");
        std::abort();
    }
    if (--depth_ == 0) {
        owner_ = std::thread::id();
        for (ArbitrationWaiter* waiter : waiters_) {
            waiter->wakeup.notify_one();
        }
    }
}

}  // namespace openiokit
