// IORecursiveLock: a mutex its owner may take repeatedly; sleeping releases every level.
#include "EventWaitTable.h"

#include <IOKit/IOLocks.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

struct _IORecursiveLock {
    std::mutex mutex;
    // Written only by the thread holding `mutex`; read by any thread to ask "do I own it?",
    // which a non-owner can answer correctly from any value it may observe.
    std::atomic<std::thread::id> owner{};
    UInt32 depth = 0; // guarded by mutex
};

namespace {

bool ownedByCaller(const IORecursiveLock *lock)
{
    return lock->owner.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

void becomeOwner(IORecursiveLock *lock, UInt32 depth)
{
    lock->owner.store(std::this_thread::get_id(), std::memory_order_relaxed);
    lock->depth = depth;
}

int sleepOn(IORecursiveLock *lock, void *event, std::uint64_t deadline)
{
    const UInt32 depth = lock->depth;
    const wait_result_t result = openiokit::EventWaitTable::shared().sleep(event, deadline, [lock] {
        lock->depth = 0;
        lock->owner.store(std::thread::id(), std::memory_order_relaxed);
        lock->mutex.unlock();
    });
    lock->mutex.lock();
    becomeOwner(lock, depth);
    return result;
}

} // namespace

extern "C" {

IORecursiveLock *IORecursiveLockAlloc(void)
{
    return std::make_unique<IORecursiveLock>().release(); // owned by the kext until ...Free
}

void IORecursiveLockFree(IORecursiveLock *lock)
{
    std::unique_ptr<IORecursiveLock> owned(lock);
}

void IORecursiveLockLock(IORecursiveLock *lock)
{
    if (ownedByCaller(lock)) {
        ++lock->depth;
        return;
    }
    lock->mutex.lock();
    becomeOwner(lock, 1);
}

boolean_t IORecursiveLockTryLock(IORecursiveLock *lock)
{
    if (ownedByCaller(lock)) {
        ++lock->depth;
        return true;
    }
    if (!lock->mutex.try_lock()) {
        return false;
    }
    becomeOwner(lock, 1);
    return true;
}

void IORecursiveLockUnlock(IORecursiveLock *lock)
{
    if (--lock->depth == 0) {
        lock->owner.store(std::thread::id(), std::memory_order_relaxed);
        lock->mutex.unlock();
    }
}

boolean_t IORecursiveLockHaveLock(const IORecursiveLock *lock)
{
    return ownedByCaller(lock);
}

int IORecursiveLockSleep(IORecursiveLock *lock, void *event, UInt32 interType)
{
    return sleepOn(lock, event, 0);
}

int IORecursiveLockSleepDeadline(IORecursiveLock *lock, void *event, AbsoluteTime deadline, UInt32 interType)
{
    return sleepOn(lock, event, openiokit::absoluteTimeValue(deadline));
}

void IORecursiveLockWakeup(IORecursiveLock *lock, void *event, bool oneThread)
{
    openiokit::EventWaitTable::shared().wakeup(event, oneThread);
}

} // extern "C"
