// IOLock: a mutex that can also sleep on / wake an event (IOLockSleep, IOLockWakeup).
#include "EventWaitTable.h"

#include <IOKit/IOLocks.h>

#include <memory>
#include <mutex>

struct _IOLock {
    std::mutex mutex;
};

namespace {

int sleepOn(IOLock *lock, void *event, std::uint64_t deadline)
{
    const wait_result_t result =
        openiokit::EventWaitTable::shared().sleep(event, deadline, [lock] { lock->mutex.unlock(); });
    lock->mutex.lock();
    return result;
}

} // namespace

extern "C" {

IOLock *IOLockAlloc(void)
{
    return std::make_unique<IOLock>().release(); // owned by the kext until IOLockFree
}

void IOLockFree(IOLock *lock)
{
    std::unique_ptr<IOLock> owned(lock);
}

void IOLockLock(IOLock *lock)
{
    lock->mutex.lock();
}

boolean_t IOLockTryLock(IOLock *lock)
{
    return lock->mutex.try_lock();
}

void IOLockUnlock(IOLock *lock)
{
    lock->mutex.unlock();
}

int IOLockSleep(IOLock *lock, void *event, UInt32 interType)
{
    return sleepOn(lock, event, 0);
}

int IOLockSleepDeadline(IOLock *lock, void *event, AbsoluteTime deadline, UInt32 interType)
{
    return sleepOn(lock, event, openiokit::absoluteTimeValue(deadline));
}

void IOLockWakeup(IOLock *lock, void *event, bool oneThread)
{
    openiokit::EventWaitTable::shared().wakeup(event, oneThread);
}

} // extern "C"
