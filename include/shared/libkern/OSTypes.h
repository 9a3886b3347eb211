// <libkern/OSTypes.h>: libkern's fixed-width type names, as Apple's SDKs have them.
#pragma once

#include <stdint.h>

typedef unsigned int UInt;
typedef signed int SInt;

// As Apple's LP64 headers: 64-bit types are `long long`, so kexts' "%llu" formats stay right.
typedef unsigned char UInt8;
typedef unsigned short UInt16;
typedef unsigned int UInt32;
typedef unsigned long long UInt64;
typedef signed char SInt8;
typedef signed short SInt16;
typedef signed int SInt32;
typedef signed long long SInt64;

typedef struct UnsignedWide {
    UInt32 lo;
    UInt32 hi;
} UnsignedWide;
// The LP64 kernel sees AbsoluteTime as a scalar; user space keeps the two-word struct.
#if defined(KERNEL) && defined(__LP64__)
#define ABSOLUTETIME_SCALAR_TYPE 1
typedef UInt64 AbsoluteTime;
#else
typedef UnsignedWide AbsoluteTime;
#endif

typedef UInt32 OptionBits;

// As Apple's: kernel C++ (kexts) sees bool; user space sees MacTypes.h's unsigned char, which
// CoreFoundation's Boolean is, so a stored 2 reads back as 2 there.
#if defined(KERNEL) && defined(__cplusplus)
typedef bool Boolean;
#else
typedef unsigned char Boolean;
#endif
