// <libkern/OSByteOrder.h>: byte swapping and endian-explicit loads/stores. Visible to kexts and
// (as on macOS, via /usr/include/libkern) to user code. Built on the compiler's bswap builtins,
// which fold to constants, so the OSSwapConst* forms need no separate implementation.
#pragma once

#include <stdint.h>

enum {
    OSUnknownByteOrder,
    OSLittleEndian,
    OSBigEndian
};

#define OSSwapConstInt16(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define OSSwapConstInt32(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define OSSwapConstInt64(x) ((uint64_t)__builtin_bswap64((uint64_t)(x)))

#define OSSwapInt16(x) OSSwapConstInt16(x)
#define OSSwapInt32(x) OSSwapConstInt32(x)
#define OSSwapInt64(x) OSSwapConstInt64(x)

static inline int32_t OSHostByteOrder(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return OSLittleEndian;
#elif __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return OSBigEndian;
#else
    return OSUnknownByteOrder;
#endif
}

// Unaligned host-order loads/stores at base + byteOffset. memcpy-free so the header stays
// C-compatible; __builtin_memcpy compiles to a single (unaligned) move.
#define OS_BYTE_ORDER_ACCESSORS_(bits)                                                         \
    static inline uint##bits##_t _OSReadInt##bits(const volatile void *base, uintptr_t byteOffset) \
    {                                                                                          \
        uint##bits##_t value;                                                                  \
        __builtin_memcpy(&value, (const char *)(uintptr_t)base + byteOffset, sizeof value);    \
        return value;                                                                          \
    }                                                                                          \
    static inline void _OSWriteInt##bits(volatile void *base, uintptr_t byteOffset, uint##bits##_t data) \
    {                                                                                          \
        __builtin_memcpy((char *)(uintptr_t)base + byteOffset, &data, sizeof data);            \
    }
OS_BYTE_ORDER_ACCESSORS_(16)
OS_BYTE_ORDER_ACCESSORS_(32)
OS_BYTE_ORDER_ACCESSORS_(64)
#undef OS_BYTE_ORDER_ACCESSORS_

// Byte-swapped loads and stores.
#define OSReadSwapInt16(base, byteOffset) OSSwapInt16(_OSReadInt16((base), (byteOffset)))
#define OSReadSwapInt32(base, byteOffset) OSSwapInt32(_OSReadInt32((base), (byteOffset)))
#define OSReadSwapInt64(base, byteOffset) OSSwapInt64(_OSReadInt64((base), (byteOffset)))
#define OSWriteSwapInt16(base, byteOffset, data) _OSWriteInt16((base), (byteOffset), OSSwapInt16(data))
#define OSWriteSwapInt32(base, byteOffset, data) _OSWriteInt32((base), (byteOffset), OSSwapInt32(data))
#define OSWriteSwapInt64(base, byteOffset, data) _OSWriteInt64((base), (byteOffset), OSSwapInt64(data))

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define OSSwapHostToLittleInt16(x) ((uint16_t)(x))
#define OSSwapHostToLittleInt32(x) ((uint32_t)(x))
#define OSSwapHostToLittleInt64(x) ((uint64_t)(x))
#define OSSwapHostToBigInt16(x) OSSwapInt16(x)
#define OSSwapHostToBigInt32(x) OSSwapInt32(x)
#define OSSwapHostToBigInt64(x) OSSwapInt64(x)

#define OSReadLittleInt16(base, byteOffset) _OSReadInt16((base), (byteOffset))
#define OSReadLittleInt32(base, byteOffset) _OSReadInt32((base), (byteOffset))
#define OSReadLittleInt64(base, byteOffset) _OSReadInt64((base), (byteOffset))
#define OSReadBigInt16(base, byteOffset) OSReadSwapInt16((base), (byteOffset))
#define OSReadBigInt32(base, byteOffset) OSReadSwapInt32((base), (byteOffset))
#define OSReadBigInt64(base, byteOffset) OSReadSwapInt64((base), (byteOffset))

#define OSWriteLittleInt16(base, byteOffset, data) _OSWriteInt16((base), (byteOffset), (data))
#define OSWriteLittleInt32(base, byteOffset, data) _OSWriteInt32((base), (byteOffset), (data))
#define OSWriteLittleInt64(base, byteOffset, data) _OSWriteInt64((base), (byteOffset), (data))
#define OSWriteBigInt16(base, byteOffset, data) OSWriteSwapInt16((base), (byteOffset), (data))
#define OSWriteBigInt32(base, byteOffset, data) OSWriteSwapInt32((base), (byteOffset), (data))
#define OSWriteBigInt64(base, byteOffset, data) OSWriteSwapInt64((base), (byteOffset), (data))
#else
#define OSSwapHostToLittleInt16(x) OSSwapInt16(x)
#define OSSwapHostToLittleInt32(x) OSSwapInt32(x)
#define OSSwapHostToLittleInt64(x) OSSwapInt64(x)
#define OSSwapHostToBigInt16(x) ((uint16_t)(x))
#define OSSwapHostToBigInt32(x) ((uint32_t)(x))
#define OSSwapHostToBigInt64(x) ((uint64_t)(x))

#define OSReadLittleInt16(base, byteOffset) OSReadSwapInt16((base), (byteOffset))
#define OSReadLittleInt32(base, byteOffset) OSReadSwapInt32((base), (byteOffset))
#define OSReadLittleInt64(base, byteOffset) OSReadSwapInt64((base), (byteOffset))
#define OSReadBigInt16(base, byteOffset) _OSReadInt16((base), (byteOffset))
#define OSReadBigInt32(base, byteOffset) _OSReadInt32((base), (byteOffset))
#define OSReadBigInt64(base, byteOffset) _OSReadInt64((base), (byteOffset))

#define OSWriteLittleInt16(base, byteOffset, data) OSWriteSwapInt16((base), (byteOffset), (data))
#define OSWriteLittleInt32(base, byteOffset, data) OSWriteSwapInt32((base), (byteOffset), (data))
#define OSWriteLittleInt64(base, byteOffset, data) OSWriteSwapInt64((base), (byteOffset), (data))
#define OSWriteBigInt16(base, byteOffset, data) _OSWriteInt16((base), (byteOffset), (data))
#define OSWriteBigInt32(base, byteOffset, data) _OSWriteInt32((base), (byteOffset), (data))
#define OSWriteBigInt64(base, byteOffset, data) _OSWriteInt64((base), (byteOffset), (data))
#endif

// Converting back is the same swap (or identity).
#define OSSwapLittleToHostInt16(x) OSSwapHostToLittleInt16(x)
#define OSSwapLittleToHostInt32(x) OSSwapHostToLittleInt32(x)
#define OSSwapLittleToHostInt64(x) OSSwapHostToLittleInt64(x)
#define OSSwapBigToHostInt16(x) OSSwapHostToBigInt16(x)
#define OSSwapBigToHostInt32(x) OSSwapHostToBigInt32(x)
#define OSSwapBigToHostInt64(x) OSSwapHostToBigInt64(x)

#define OSSwapHostToLittleConstInt16(x) OSSwapHostToLittleInt16(x)
#define OSSwapHostToLittleConstInt32(x) OSSwapHostToLittleInt32(x)
#define OSSwapHostToLittleConstInt64(x) OSSwapHostToLittleInt64(x)
#define OSSwapHostToBigConstInt16(x) OSSwapHostToBigInt16(x)
#define OSSwapHostToBigConstInt32(x) OSSwapHostToBigInt32(x)
#define OSSwapHostToBigConstInt64(x) OSSwapHostToBigInt64(x)
#define OSSwapLittleToHostConstInt16(x) OSSwapHostToLittleInt16(x)
#define OSSwapLittleToHostConstInt32(x) OSSwapHostToLittleInt32(x)
#define OSSwapLittleToHostConstInt64(x) OSSwapHostToLittleInt64(x)
#define OSSwapBigToHostConstInt16(x) OSSwapHostToBigInt16(x)
#define OSSwapBigToHostConstInt32(x) OSSwapHostToBigInt32(x)
#define OSSwapBigToHostConstInt64(x) OSSwapHostToBigInt64(x)
