// <IOKit/IOTypes.h>: IOKit's scalar types, address ranges, cache/mapping options and the
// io_object_t handle family. As on macOS, the same header serves both sides: with KERNEL
// defined (the kernel SDK's compile definition) io_object_t is `OSObject *`, otherwise it is a
// mach_port_t name. Only LP64 targets are supported, so Apple's 32-bit branches are gone, except
// that x86_64 user space keeps Apple's 32-bit IOByteCount/IOPhysicalAddress.
#pragma once

#ifndef IOKIT
#define IOKIT 1
#endif

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h> // PRIIOByteCount
#include <stdint.h>

#include <IOKit/IOReturn.h>
#include <libkern/OSTypes.h>
#include <mach/mach_types.h>
#include <mach/vm_types.h>

typedef UInt32 IOOptionBits;
typedef SInt32 IOFixed;
typedef UInt32 IOVersion;
typedef UInt32 IOItemCount;
typedef UInt32 IOCacheMode;

typedef UInt32 IOByteCount32;
typedef UInt64 IOByteCount64;

typedef UInt32 IOPhysicalAddress32;
typedef UInt64 IOPhysicalAddress64;
typedef UInt32 IOPhysicalLength32;
typedef UInt64 IOPhysicalLength64;

typedef mach_vm_address_t IOVirtualAddress;

#if defined(__x86_64__) && !defined(KERNEL)
typedef IOByteCount32 IOByteCount;
#define PRIIOByteCount PRIu32
typedef IOPhysicalAddress32 IOPhysicalAddress;
typedef IOPhysicalLength32 IOPhysicalLength;
#define IOPhysical32(hi, lo) (lo)
#define IOPhysSize 32
#else
typedef IOByteCount64 IOByteCount;
#define PRIIOByteCount PRIu64
typedef IOPhysicalAddress64 IOPhysicalAddress;
typedef IOPhysicalLength64 IOPhysicalLength;
#define IOPhysical32(hi, lo) ((UInt64)(lo) + ((UInt64)(hi) << 32))
#define IOPhysSize 64
#endif

typedef IOVirtualAddress IOLogicalAddress;

typedef struct {
    IOPhysicalAddress address;
    IOByteCount length;
} IOPhysicalRange;

typedef struct {
    IOVirtualAddress address;
    IOByteCount length;
} IOVirtualRange;

typedef IOVirtualRange IOAddressRange;

// Maps a #defined or enum'd constant to a text description (IOFindNameForValue).
typedef struct {
    int value;
    const char *name;
} IONamedValue;

// Memory alignment, as a power of two.
typedef unsigned int IOAlignment;

#ifndef __IOKIT_PORTS_DEFINED__
#define __IOKIT_PORTS_DEFINED__
#ifdef KERNEL
#ifdef __cplusplus
class OSObject;
typedef OSObject *io_object_t;
#else
typedef struct OSObject *io_object_t;
#endif
#else
typedef mach_port_t io_object_t;
#endif
#endif

#include <device/device_types.h>

typedef io_object_t io_connect_t;
typedef io_object_t io_enumerator_t;
typedef io_object_t io_iterator_t;
typedef io_object_t io_registry_entry_t;
typedef io_object_t io_service_t;
typedef io_object_t uext_object_t;

#define IO_OBJECT_NULL ((io_object_t)0)

// IOConnectMapMemory memory types.
enum {
    kIODefaultMemoryType = 0
};

// Cache modes.
enum {
    kIODefaultCache = 0,
    kIOInhibitCache = 1,
    kIOWriteThruCache = 2,
    kIOCopybackCache = 3,
    kIOWriteCombineCache = 4,
    kIOCopybackInnerCache = 5,
    kIOPostedWrite = 6,
    kIORealTimeCache = 7,
    kIOPostedReordered = 8,
    kIOPostedCombinedReordered = 9,
};

// IOMemoryDescriptor / IOMemoryMap mapping options.
enum {
    kIOMapAnywhere = 0x00000001,

    kIOMapCacheMask = 0x00000f00,
    kIOMapCacheShift = 8,
    kIOMapDefaultCache = kIODefaultCache << kIOMapCacheShift,
    kIOMapInhibitCache = kIOInhibitCache << kIOMapCacheShift,
    kIOMapWriteThruCache = kIOWriteThruCache << kIOMapCacheShift,
    kIOMapCopybackCache = kIOCopybackCache << kIOMapCacheShift,
    kIOMapWriteCombineCache = kIOWriteCombineCache << kIOMapCacheShift,
    kIOMapCopybackInnerCache = kIOCopybackInnerCache << kIOMapCacheShift,
    kIOMapPostedWrite = kIOPostedWrite << kIOMapCacheShift,
    kIOMapRealTimeCache = kIORealTimeCache << kIOMapCacheShift,
    kIOMapPostedReordered = kIOPostedReordered << kIOMapCacheShift,
    kIOMapPostedCombinedReordered = kIOPostedCombinedReordered << kIOMapCacheShift,

    kIOMapUserOptionsMask = 0x00000fff,

    kIOMapReadOnly = 0x00001000,

    kIOMapStatic = 0x01000000,
    kIOMapReference = 0x02000000,
    kIOMapUnique = 0x04000000,
    kIOMapPrefault = 0x10000000,
    kIOMapOverwrite = 0x20000000
};

// Scale factors for APIs that take an interval plus a unit (IOTimerEventSource, clock_*).
enum {
    kNanosecondScale = 1,
    kMicrosecondScale = 1000,
    kMillisecondScale = 1000 * 1000,
    kSecondScale = 1000 * 1000 * 1000,
    kTickScale = (kSecondScale / 100)
};

enum {
    kIOConnectMethodVarOutputSize = -3
};

#ifdef KERNEL
// Transfer directions. Apple declares these in <IOKit/IOMemoryDescriptor.h>; they live here so
// that header (which includes this one) and kexts that only include IOLib.h agree on one
// definition. Values equal the VM_PROT_* bits as in xnu.
enum {
    kIODirectionNone = 0x0,
    kIODirectionIn = 0x1,  // user land 'read'
    kIODirectionOut = 0x2, // user land 'write'
    kIODirectionOutIn = kIODirectionOut | kIODirectionIn,
    kIODirectionInOut = kIODirectionIn | kIODirectionOut,

    // Valid for IOMemoryDescriptor::prepare() only.
    kIODirectionPrepareToPhys32 = 0x00000004,
    kIODirectionPrepareNoFault = 0x00000008,
    kIODirectionPrepareReserved1 = 0x00000010,
    kIODirectionPrepareNonCoherent = 0x00000020,

    // Valid for IOMemoryDescriptor::complete() only.
    kIODirectionCompleteWithError = 0x00000040,
    kIODirectionCompleteWithDataValid = 0x00000080,
};
typedef IOOptionBits IODirection;
#else
typedef unsigned int IODeviceNumber;
#endif

enum {
    kIOMaxBusStall40usec = 40000,
    kIOMaxBusStall30usec = 30000,
    kIOMaxBusStall25usec = 25000,
    kIOMaxBusStall20usec = 20000,
    kIOMaxBusStall10usec = 10000,
    kIOMaxBusStall5usec = 5000,
    kIOMaxBusStallNone = 0,
};
