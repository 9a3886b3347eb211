// <libkern/OSAtomic.h>: libkern's atomic operations. Every arithmetic/bit operation returns the
// value *before* the operation; compare-and-swap returns whether it swapped; test-and-set/clear
// return whether the bit already had the requested value. All are sequentially consistent
// (xnu uses relaxed ordering for some; stronger never breaks a kext).
#pragma once

#include <string.h>

#include <libkern/OSTypes.h>

#ifdef __cplusplus
extern "C" {
#endif

// Apple's wrappers cast the address argument so kexts may pass e.g. a UInt32* to
// OSAddAtomic; the size must still match.
#define __SAFE_CAST_PTR(type, var) ((type)(var))

Boolean OSCompareAndSwap64(UInt64 oldValue, UInt64 newValue, volatile UInt64 *address);
#define OSCompareAndSwap64(a, b, c) (OSCompareAndSwap64(a, b, __SAFE_CAST_PTR(volatile UInt64 *, c)))

SInt64 OSAddAtomic64(SInt64 theAmount, volatile SInt64 *address);
#define OSAddAtomic64(a, b) (OSAddAtomic64(a, __SAFE_CAST_PTR(volatile SInt64 *, b)))

static inline SInt64 OSIncrementAtomic64(volatile SInt64 *address)
{
    return OSAddAtomic64(1LL, address);
}

static inline SInt64 OSDecrementAtomic64(volatile SInt64 *address)
{
    return OSAddAtomic64(-1LL, address);
}

Boolean OSCompareAndSwap(UInt32 oldValue, UInt32 newValue, volatile UInt32 *address);
#define OSCompareAndSwap(a, b, c) (OSCompareAndSwap(a, b, __SAFE_CAST_PTR(volatile UInt32 *, c)))

Boolean OSCompareAndSwapPtr(void *oldValue, void *newValue, void *volatile *address);
#define OSCompareAndSwapPtr(a, b, c) (OSCompareAndSwapPtr(a, b, __SAFE_CAST_PTR(void *volatile *, c)))

SInt32 OSAddAtomic(SInt32 amount, volatile SInt32 *address);
#define OSAddAtomic(a, b) (OSAddAtomic(a, __SAFE_CAST_PTR(volatile SInt32 *, b)))
SInt16 OSAddAtomic16(SInt32 amount, volatile SInt16 *address);
SInt8 OSAddAtomic8(SInt32 amount, volatile SInt8 *address);

SInt32 OSIncrementAtomic(volatile SInt32 *address);
#define OSIncrementAtomic(a) (OSIncrementAtomic(__SAFE_CAST_PTR(volatile SInt32 *, a)))
SInt16 OSIncrementAtomic16(volatile SInt16 *address);
SInt8 OSIncrementAtomic8(volatile SInt8 *address);

SInt32 OSDecrementAtomic(volatile SInt32 *address);
#define OSDecrementAtomic(a) (OSDecrementAtomic(__SAFE_CAST_PTR(volatile SInt32 *, a)))
SInt16 OSDecrementAtomic16(volatile SInt16 *address);
SInt8 OSDecrementAtomic8(volatile SInt8 *address);

UInt32 OSBitAndAtomic(UInt32 mask, volatile UInt32 *address);
#define OSBitAndAtomic(a, b) (OSBitAndAtomic(a, __SAFE_CAST_PTR(volatile UInt32 *, b)))
UInt16 OSBitAndAtomic16(UInt32 mask, volatile UInt16 *address);
UInt8 OSBitAndAtomic8(UInt32 mask, volatile UInt8 *address);

UInt32 OSBitOrAtomic(UInt32 mask, volatile UInt32 *address);
#define OSBitOrAtomic(a, b) (OSBitOrAtomic(a, __SAFE_CAST_PTR(volatile UInt32 *, b)))
UInt16 OSBitOrAtomic16(UInt32 mask, volatile UInt16 *address);
UInt8 OSBitOrAtomic8(UInt32 mask, volatile UInt8 *address);

UInt32 OSBitXorAtomic(UInt32 mask, volatile UInt32 *address);
#define OSBitXorAtomic(a, b) (OSBitXorAtomic(a, __SAFE_CAST_PTR(volatile UInt32 *, b)))
UInt16 OSBitXorAtomic16(UInt32 mask, volatile UInt16 *address);
UInt8 OSBitXorAtomic8(UInt32 mask, volatile UInt8 *address);

// Bit 0 is the most significant bit of startAddress[0]; bit 8 the MSB of startAddress[1].
// OSTestAndSet returns true if the bit was already set; OSTestAndClear true if already clear.
Boolean OSTestAndSet(UInt32 bit, volatile UInt8 *startAddress);
Boolean OSTestAndClear(UInt32 bit, volatile UInt8 *startAddress);

// There is no device I/O to order in a user-space host; a full fence keeps the contract.
static inline void OSSynchronizeIO(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void OSMemoryBarrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#ifdef __cplusplus
}
#endif
