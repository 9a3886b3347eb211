// libkern atomics on the compiler's __atomic builtins (sequentially consistent). The function
// names are parenthesised so that OSAtomic.h's same-named casting macros do not expand here.
#include <libkern/OSAtomic.h>

#include <type_traits>

namespace {

constexpr int kOrder = __ATOMIC_SEQ_CST;

template <typename T>
bool compareAndSwap(T expected, T desired, volatile T *address)
{
    return __atomic_compare_exchange_n(address, &expected, desired, false, kOrder, kOrder);
}

// Adds with wrap-around, as the hardware instruction does (no signed-overflow UB).
template <typename T>
T fetchAdd(SInt64 amount, volatile T *address)
{
    using Unsigned = std::make_unsigned_t<T>;
    return static_cast<T>(__atomic_fetch_add(reinterpret_cast<volatile Unsigned *>(address),
                                             static_cast<Unsigned>(amount), kOrder));
}

// Returns true if the bit already had the wanted value; otherwise sets it so and returns false.
Boolean testAndChange(UInt32 bit, bool wantSet, volatile UInt8 *startAddress)
{
    volatile UInt8 *byte = startAddress + bit / 8;
    const UInt8 mask = static_cast<UInt8>(0x80u >> (bit % 8));
    const UInt8 previous = wantSet ? __atomic_fetch_or(byte, mask, kOrder)
                                   : __atomic_fetch_and(byte, static_cast<UInt8>(~mask), kOrder);
    return ((previous & mask) != 0) == wantSet;
}

} // namespace

extern "C" {

Boolean(OSCompareAndSwap64)(UInt64 oldValue, UInt64 newValue, volatile UInt64 *address)
{
    return compareAndSwap(oldValue, newValue, address);
}

Boolean(OSCompareAndSwap)(UInt32 oldValue, UInt32 newValue, volatile UInt32 *address)
{
    return compareAndSwap(oldValue, newValue, address);
}

Boolean(OSCompareAndSwapPtr)(void *oldValue, void *newValue, void *volatile *address)
{
    return compareAndSwap(oldValue, newValue, address);
}

SInt64(OSAddAtomic64)(SInt64 theAmount, volatile SInt64 *address)
{
    return fetchAdd(theAmount, address);
}

SInt32(OSAddAtomic)(SInt32 amount, volatile SInt32 *address)
{
    return fetchAdd(amount, address);
}

SInt16 OSAddAtomic16(SInt32 amount, volatile SInt16 *address)
{
    return fetchAdd(amount, address);
}

SInt8 OSAddAtomic8(SInt32 amount, volatile SInt8 *address)
{
    return fetchAdd(amount, address);
}

SInt32(OSIncrementAtomic)(volatile SInt32 *address)
{
    return fetchAdd(1, address);
}

SInt16 OSIncrementAtomic16(volatile SInt16 *address)
{
    return fetchAdd(1, address);
}

SInt8 OSIncrementAtomic8(volatile SInt8 *address)
{
    return fetchAdd(1, address);
}

SInt32(OSDecrementAtomic)(volatile SInt32 *address)
{
    return fetchAdd(-1, address);
}

SInt16 OSDecrementAtomic16(volatile SInt16 *address)
{
    return fetchAdd(-1, address);
}

SInt8 OSDecrementAtomic8(volatile SInt8 *address)
{
    return fetchAdd(-1, address);
}

UInt32(OSBitAndAtomic)(UInt32 mask, volatile UInt32 *address)
{
    return __atomic_fetch_and(address, mask, kOrder);
}

UInt16 OSBitAndAtomic16(UInt32 mask, volatile UInt16 *address)
{
    return __atomic_fetch_and(address, static_cast<UInt16>(mask), kOrder);
}

UInt8 OSBitAndAtomic8(UInt32 mask, volatile UInt8 *address)
{
    return __atomic_fetch_and(address, static_cast<UInt8>(mask), kOrder);
}

UInt32(OSBitOrAtomic)(UInt32 mask, volatile UInt32 *address)
{
    return __atomic_fetch_or(address, mask, kOrder);
}

UInt16 OSBitOrAtomic16(UInt32 mask, volatile UInt16 *address)
{
    return __atomic_fetch_or(address, static_cast<UInt16>(mask), kOrder);
}

UInt8 OSBitOrAtomic8(UInt32 mask, volatile UInt8 *address)
{
    return __atomic_fetch_or(address, static_cast<UInt8>(mask), kOrder);
}

UInt32(OSBitXorAtomic)(UInt32 mask, volatile UInt32 *address)
{
    return __atomic_fetch_xor(address, mask, kOrder);
}

UInt16 OSBitXorAtomic16(UInt32 mask, volatile UInt16 *address)
{
    return __atomic_fetch_xor(address, static_cast<UInt16>(mask), kOrder);
}

UInt8 OSBitXorAtomic8(UInt32 mask, volatile UInt8 *address)
{
    return __atomic_fetch_xor(address, static_cast<UInt8>(mask), kOrder);
}

Boolean OSTestAndSet(UInt32 bit, volatile UInt8 *startAddress)
{
    return testAndChange(bit, true, startAddress);
}

Boolean OSTestAndClear(UInt32 bit, volatile UInt8 *startAddress)
{
    return testAndChange(bit, false, startAddress);
}

} // extern "C"
