// <libkern/OSTypes.h>: libkern's fixed-width type names, as Kernel.framework has them.
#pragma once

#include <stdint.h>

typedef unsigned int UInt;
typedef signed int SInt;

typedef uint8_t UInt8;
typedef uint16_t UInt16;
typedef uint32_t UInt32;
typedef uint64_t UInt64;
typedef int8_t SInt8;
typedef int16_t SInt16;
typedef int32_t SInt32;
typedef int64_t SInt64;

typedef struct UnsignedWide {
    UInt32 lo;
    UInt32 hi;
} UnsignedWide;
typedef UnsignedWide AbsoluteTime;

typedef UInt32 OptionBits;

#ifndef __cplusplus
#include <stdbool.h>
#endif
typedef bool Boolean;
