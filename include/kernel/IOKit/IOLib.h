// <IOKit/IOLib.h>: the kext runtime: logging, allocation, delays, threads. Like Apple's, it
// pulls in the libc string/printf functions a kext expects from the kernel (memcpy, bzero,
// snprintf ...): on Linux those are glibc's. Note that a kext's plain printf() is libc's too and
// goes to stdout, not to the kernel log; use IOLog or os_log.
#pragma once

#ifndef KERNEL
#error IOLib.h is for kernel use only
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <IOKit/IOLocks.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <kern/clock.h>
#include <kern/thread.h>
#include <libkern/OSAtomic.h>
#include <mach/mach_types.h>

#ifdef __cplusplus
// Apple's IOLib.h defines min()/max() as macros; macros would break the C++ standard library in
// every translation unit that includes this header first, so C++ gets equivalent functions.
template <typename A, typename B>
constexpr auto min(A a, B b) // by value: the usual arithmetic conversions, like the macro
{
    return a < b ? a : b;
}
template <typename A, typename B>
constexpr auto max(A a, B b)
{
    return a > b ? a : b;
}
#else
#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef thread_t IOThread;
typedef void (*IOThreadFunc)(void *argument);

// Allocation. Pass IOFree the size that was allocated, as on macOS.
void *IOMalloc(vm_size_t size) __attribute__((alloc_size(1)));
void *IOMallocZero(vm_size_t size) __attribute__((alloc_size(1)));
void IOFree(void *address, vm_size_t size);
void *IOMallocData(vm_size_t size) __attribute__((alloc_size(1)));
void *IOMallocZeroData(vm_size_t size) __attribute__((alloc_size(1)));
void IOFreeData(void *address, vm_size_t size);
// alignment is rounded up to a power of two (and to at least pointer size).
void *IOMallocAligned(vm_size_t size, vm_offset_t alignment) __attribute__((alloc_size(1)));
void IOFreeAligned(void *address, vm_size_t size);
void *IOMallocPageable(vm_size_t size, vm_size_t alignment) __attribute__((alloc_size(1)));
void *IOMallocPageableZero(vm_size_t size, vm_size_t alignment) __attribute__((alloc_size(1)));
void IOFreePageable(void *address, vm_size_t size);

#define IONew(type, count)                                                                     \
    ({                                                                                         \
        size_t __size;                                                                         \
        (__builtin_mul_overflow(sizeof(type), (count), &__size) ? ((type *)NULL)               \
                                                                : ((type *)IOMalloc(__size))); \
    })
#define IONewZero(type, count)                                                                     \
    ({                                                                                             \
        size_t __size;                                                                             \
        (__builtin_mul_overflow(sizeof(type), (count), &__size) ? ((type *)NULL)                   \
                                                                : ((type *)IOMallocZero(__size))); \
    })
#define IODelete(ptr, type, count)                                     \
    ({                                                                 \
        size_t __size;                                                 \
        if (!__builtin_mul_overflow(sizeof(type), (count), &__size)) { \
            IOFree(ptr, __size);                                       \
        }                                                              \
    })
#define IOSafeDeleteNULL(ptr, type, count)  \
    do {                                    \
        if (NULL != (ptr)) {                \
            IODelete((ptr), type, count);   \
            (ptr) = NULL;                   \
        }                                   \
    } while (0)

// Threads: real pthreads, detached. The IOThread returned identifies the new thread (it equals
// IOThreadSelf() inside it) and must not be used after the thread ends.
#define IOThreadSelf() (current_thread())
IOThread IOCreateThread(IOThreadFunc function, void *argument);
void IOExitThread(void) __attribute__((noreturn));

// Delays. IOSleep blocks; IODelay and IOPause busy-wait, as on macOS (keep them short).
void IOSleep(unsigned milliseconds);
void IOSleepWithLeeway(unsigned intervalMilliseconds, unsigned leewayMilliseconds);
void IODelay(unsigned microseconds);
void IOPause(unsigned nanoseconds);

// Logging to the kernel log, attributed to the calling kext (see openiokit/KernelLog.h).
void IOLog(const char *format, ...) __attribute__((format(printf, 1, 2)));
void IOLogv(const char *format, va_list ap) __attribute__((format(printf, 1, 0)));
// No serial console here: kprintf lines go to the kernel log as well.
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

const char *IOFindNameForValue(int value, const IONamedValue *namedValueArray);
IOReturn IOFindValueForName(const char *string, const IONamedValue *regValueArray, int *value);

IOAlignment IOSizeToAlignment(unsigned int size);
unsigned int IOAlignmentToSize(IOAlignment align);

static inline IOFixed IOFixedMultiply(IOFixed a, IOFixed b)
{
    return (IOFixed)((((SInt64)a) * ((SInt64)b)) >> 16);
}

static inline IOFixed IOFixedDivide(IOFixed a, IOFixed b)
{
    return (IOFixed)((((SInt64)a) * 65536) / ((SInt64)b));
}

#define IORound(value, multiple) ((((value) + (multiple) - 1) / (multiple)) * (multiple))
#define IOTrunc(value, multiple) (((value) / (multiple)) * (multiple));

#ifdef __cplusplus
}
#endif
