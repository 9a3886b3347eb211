// IORWLock on a POSIX rwlock: unlike std::shared_mutex it has a single unlock for both modes,
// which is IORWLockUnlock's contract, and it can prefer writers as xnu's lck_rw does.
#include <IOKit/IOLocks.h>

#include <pthread.h>

#include <memory>

struct _IORWLock {
    _IORWLock()
    {
        pthread_rwlockattr_t attributes;
        pthread_rwlockattr_init(&attributes);
        pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&rwlock, &attributes);
        pthread_rwlockattr_destroy(&attributes);
    }
    ~_IORWLock() { pthread_rwlock_destroy(&rwlock); }
    _IORWLock(const _IORWLock &) = delete;
    _IORWLock &operator=(const _IORWLock &) = delete;

    pthread_rwlock_t rwlock;
};

extern "C" {

IORWLock *IORWLockAlloc(void)
{
    return std::make_unique<IORWLock>().release(); // owned by the kext until IORWLockFree
}

void IORWLockFree(IORWLock *lock)
{
    std::unique_ptr<IORWLock> owned(lock);
}

void IORWLockRead(IORWLock *lock)
{
    pthread_rwlock_rdlock(&lock->rwlock);
}

void IORWLockWrite(IORWLock *lock)
{
    pthread_rwlock_wrlock(&lock->rwlock);
}

boolean_t IORWLockTryRead(IORWLock *lock)
{
    return pthread_rwlock_tryrdlock(&lock->rwlock) == 0;
}

boolean_t IORWLockTryWrite(IORWLock *lock)
{
    return pthread_rwlock_trywrlock(&lock->rwlock) == 0;
}

void IORWLockUnlock(IORWLock *lock)
{
    pthread_rwlock_unlock(&lock->rwlock);
}

} // extern "C"
