// <IOKit/IOLocks.h>: IOKit's lock primitives for kexts. All lock types are opaque; allocate
// with the *Alloc functions. IOLockSleep/IORecursiveLockSleep release the lock and wait for an
// IOLockWakeup on the same event pointer, as xnu's do (events are global, not per lock).
#pragma once

#ifndef KERNEL
#error IOLocks.h is for kernel use only
#endif

#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <kern/kern_types.h>
#include <machine/machine_routines.h>

#ifdef __cplusplus
extern "C" {
#endif

// Mutex.
typedef struct _IOLock IOLock;

IOLock *IOLockAlloc(void);
void IOLockFree(IOLock *lock);
void IOLockLock(IOLock *lock);
boolean_t IOLockTryLock(IOLock *lock);
void IOLockUnlock(IOLock *lock);
// Both return THREAD_AWAKENED or (deadline passed) THREAD_TIMED_OUT; the lock is held again on
// return. A wakeup issued after the sleeper dropped the lock is never lost.
int IOLockSleep(IOLock *lock, void *event, UInt32 interType);
int IOLockSleepDeadline(IOLock *lock, void *event, AbsoluteTime deadline, UInt32 interType);
// Wakes one (oneThread) or all threads sleeping on `event`; the caller may or may not hold
// `lock`. Wakeups with no sleeper are not remembered.
void IOLockWakeup(IOLock *lock, void *event, bool oneThread);

// Recursive mutex: the owner may lock it again; it is released after as many unlocks.
typedef struct _IORecursiveLock IORecursiveLock;

IORecursiveLock *IORecursiveLockAlloc(void);
void IORecursiveLockFree(IORecursiveLock *lock);
void IORecursiveLockLock(IORecursiveLock *lock);
boolean_t IORecursiveLockTryLock(IORecursiveLock *lock);
void IORecursiveLockUnlock(IORecursiveLock *lock);
boolean_t IORecursiveLockHaveLock(const IORecursiveLock *lock);
// Releases every level of the lock while asleep and restores the depth afterwards.
int IORecursiveLockSleep(IORecursiveLock *lock, void *event, UInt32 interType);
int IORecursiveLockSleepDeadline(IORecursiveLock *lock, void *event, AbsoluteTime deadline, UInt32 interType);
void IORecursiveLockWakeup(IORecursiveLock *lock, void *event, bool oneThread);

// Reader/writer lock; one IORWLockUnlock for either mode. Waiting writers block new readers.
typedef struct _IORWLock IORWLock;

IORWLock *IORWLockAlloc(void);
void IORWLockFree(IORWLock *lock);
void IORWLockRead(IORWLock *lock);
void IORWLockWrite(IORWLock *lock);
// Apple's header declares these `void`, which leaves a caller unable to tell whether it got the
// lock; returning boolean_t is source compatible and usable.
boolean_t IORWLockTryRead(IORWLock *lock);
boolean_t IORWLockTryWrite(IORWLock *lock);
void IORWLockUnlock(IORWLock *lock);

// Spin lock: for very short critical sections; never sleep while holding one.
typedef struct _IOSimpleLock IOSimpleLock;

IOSimpleLock *IOSimpleLockAlloc(void);
void IOSimpleLockFree(IOSimpleLock *lock);
void IOSimpleLockInit(IOSimpleLock *lock);
void IOSimpleLockDestroy(IOSimpleLock *lock);
void IOSimpleLockLock(IOSimpleLock *lock);
boolean_t IOSimpleLockTryLock(IOSimpleLock *lock);
void IOSimpleLockUnlock(IOSimpleLock *lock);

typedef boolean_t IOInterruptState;

static inline IOInterruptState IOSimpleLockLockDisableInterrupt(IOSimpleLock *lock)
{
    IOInterruptState state = ml_set_interrupts_enabled(false);
    IOSimpleLockLock(lock);
    return state;
}

static inline void IOSimpleLockUnlockEnableInterrupt(IOSimpleLock *lock, IOInterruptState state)
{
    IOSimpleLockUnlock(lock);
    ml_set_interrupts_enabled(state);
}

#ifdef __cplusplus
}
#endif
