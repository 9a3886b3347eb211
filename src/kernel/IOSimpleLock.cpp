// IOSimpleLock: a test-and-test-and-set spin lock. In user space the holder can be preempted,
// so waiters yield the CPU instead of spinning hard.
#include <IOKit/IOLocks.h>

#include <atomic>
#include <memory>
#include <thread>

struct _IOSimpleLock {
    std::atomic<bool> locked{false};
};

extern "C" {

IOSimpleLock *IOSimpleLockAlloc(void)
{
    return std::make_unique<IOSimpleLock>().release(); // owned by the kext until ...Free
}

void IOSimpleLockFree(IOSimpleLock *lock)
{
    std::unique_ptr<IOSimpleLock> owned(lock);
}

void IOSimpleLockInit(IOSimpleLock *lock)
{
    lock->locked.store(false, std::memory_order_release);
}

void IOSimpleLockDestroy(IOSimpleLock *lock)
{
}

void IOSimpleLockLock(IOSimpleLock *lock)
{
    while (lock->locked.exchange(true, std::memory_order_acquire)) {
        while (lock->locked.load(std::memory_order_relaxed)) {
            std::this_thread::yield();
        }
    }
}

boolean_t IOSimpleLockTryLock(IOSimpleLock *lock)
{
    return !lock->locked.exchange(true, std::memory_order_acquire);
}

void IOSimpleLockUnlock(IOSimpleLock *lock)
{
    lock->locked.store(false, std::memory_order_release);
}

} // extern "C"
