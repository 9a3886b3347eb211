// <kern/kern_types.h>: wait events and wait results, as IOLockSleep/IOLockWakeup and
// IOCommandGate::commandSleep use them.
#pragma once

#include <stdint.h>

typedef void *event_t; // a wait event: any address both sides agree on
typedef uint64_t event64_t;
#define NO_EVENT ((event_t)0)
#define NO_EVENT64 ((event64_t)0)

// Wait results.
typedef int wait_result_t;
#define THREAD_WAITING -1     // thread is waiting
#define THREAD_AWAKENED 0     // normal wakeup
#define THREAD_TIMED_OUT 1    // timeout expired
#define THREAD_INTERRUPTED 2  // aborted/interrupted
#define THREAD_RESTART 3      // restart operation entirely
#define THREAD_NOT_WAITING 10 // thread didn't need to wait

// Interruptibility of a wait (interType of IOLockSleep). OpenIOKit never aborts waits, so every
// wait behaves as THREAD_UNINT; the values are accepted for source compatibility.
typedef int wait_interrupt_t;
#define THREAD_UNINT 0x00000000
#define THREAD_INTERRUPTIBLE 0x00000001
#define THREAD_ABORTSAFE 0x00000002
#define THREAD_WAIT_NOREPORT_KERNEL 0x80000000
#define THREAD_WAIT_NOREPORT_USER 0x40000000
#define THREAD_WAIT_NOREPORT (THREAD_WAIT_NOREPORT_KERNEL | THREAD_WAIT_NOREPORT_USER)
