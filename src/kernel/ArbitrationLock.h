// The arbitration lock of one IOService (iokit-semantics.md §2.11): recursive per thread, with
// xnu's global deadlock detection. Threads that wait for an arbitration lock form a graph
// (waiter -> lock it wants -> that lock's owner -> ...); when a new wait would close a cycle,
// a waiter in the cycle that passed isSuccessRequired=false is woken with failure so the others
// can proceed. A cycle in which every waiter requires success is a kernel bug: xnu panics, and
// so do we (abort with a message).
#pragma once

#include <thread>
#include <vector>

namespace openiokit {

class ArbitrationLock {
public:
    ArbitrationLock() = default;
    ArbitrationLock(const ArbitrationLock&) = delete;
    ArbitrationLock& operator=(const ArbitrationLock&) = delete;

    // True once the calling thread holds the lock; false only if !isSuccessRequired and the
    // wait was aborted to break a deadlock cycle.
    bool lock(bool isSuccessRequired);
    void unlock();

private:
    friend struct ArbitrationGraph;
    // All fields are guarded by the global graph mutex (one lock for the whole graph, as xnu's
    // gArbitrationLockQueueLock), so that cycle detection sees a consistent picture.
    std::thread::id owner_;
    unsigned depth_ = 0;
    std::vector<struct ArbitrationWaiter*> waiters_;
};

}  // namespace openiokit
