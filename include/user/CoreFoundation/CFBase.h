// <CoreFoundation/CFBase.h>: CF's base types, the allocator names, CFRange, the polymorphic
// functions (CFRetain, CFRelease, CFEqual, CFHash, CFCopyDescription, CFShow ...) and the
// annotation macros macOS headers use. OpenIOKit's CoreFoundation is the subset IOKit clients
// need (docs/corefoundation.md); names, signatures and the Create/Copy rule are Apple's.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

// UInt8 ... SInt64 and Boolean come from the header both SDKs share, so a client including
// IOKit and CoreFoundation sees one definition of each.
#include <libkern/OSTypes.h>

#ifdef __cplusplus
#define CF_EXTERN_C_BEGIN extern "C" {
#define CF_EXTERN_C_END }
#define CF_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define CF_EXTERN_C_BEGIN
#define CF_EXTERN_C_END
#define CF_EXPORT extern __attribute__((visibility("default")))
#endif

#define CF_INLINE static __inline__ __attribute__((always_inline))

// Annotations that only mean something to clang's static analyser or Swift: accepted, no effect.
#define CF_RETURNS_RETAINED
#define CF_RETURNS_NOT_RETAINED
#define CF_RELEASES_ARGUMENT
#define CF_CONSUMED
#define CF_NOESCAPE
#define CF_IMPLICIT_BRIDGING_ENABLED
#define CF_IMPLICIT_BRIDGING_DISABLED
#define CF_ASSUME_NONNULL_BEGIN
#define CF_ASSUME_NONNULL_END
#define CF_NO_TAIL_CALL
#define CF_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define CF_FORMAT_FUNCTION(F, A)
#define CF_FORMAT_ARGUMENT(A)
#define CF_SWIFT_NAME(...)
#define CF_SWIFT_UNAVAILABLE(...)
#define CF_REFINED_FOR_SWIFT
#define CF_BRIDGED_TYPE(T)
#define CF_BRIDGED_MUTABLE_TYPE(T)
#define CF_RELATED_TYPE(T, C, I)
#define CF_AVAILABLE(...)
#define CF_AVAILABLE_MAC(...)
#define CF_AVAILABLE_IOS(...)
#define CF_DEPRECATED(...)
#define CF_DEPRECATED_MAC(...)
#define CF_ENUM_AVAILABLE(...)
#define CF_ENUM_DEPRECATED(...)
#ifndef API_AVAILABLE
#define API_AVAILABLE(...)
#endif
#ifndef API_DEPRECATED
#define API_DEPRECATED(...)
#endif
#ifndef API_UNAVAILABLE
#define API_UNAVAILABLE(...)
#endif
// gcc has no nullability qualifiers; macOS client code spells them, so they must vanish.
#if !defined(__clang__)
#ifndef _Nullable
#define _Nullable
#endif
#ifndef _Nonnull
#define _Nonnull
#endif
#ifndef _Null_unspecified
#define _Null_unspecified
#endif
#ifndef __nullable
#define __nullable
#endif
#ifndef __nonnull
#define __nonnull
#endif
#endif

// CF_ENUM / CF_OPTIONS: `typedef CF_ENUM(CFIndex, Name) { ... };` declares Name as the integer
// type and the constants as an anonymous enum. Apple uses fixed-underlying-type enums where the
// compiler has them; this form is valid C99 and C++ alike and has the same size and values.
#define CF_ENUM(_type, _name) _type _name; enum
#define CF_OPTIONS(_type, _name) _type _name; enum
#define CF_CLOSED_ENUM(_type, _name) _type _name; enum

CF_EXTERN_C_BEGIN

typedef unsigned long CFTypeID;
typedef unsigned long CFOptionFlags;
typedef unsigned long CFHashCode;
typedef signed long CFIndex;

typedef UInt16 UniChar;
typedef UInt32 UTF32Char;
typedef UInt16 UTF16Char;
typedef UInt8 UTF8Char;
typedef SInt32 OSStatus;
typedef float Float32;
typedef double Float64;

// Every CF object is a CFTypeRef; the specific Ref types are opaque pointers to it.
typedef const void *CFTypeRef;

typedef const struct __CFString *CFStringRef;
typedef struct __CFString *CFMutableStringRef;

// A property list is any of CFString, CFNumber, CFBoolean, CFDate, CFData, CFArray, CFDictionary.
typedef CFTypeRef CFPropertyListRef;

typedef CF_ENUM(CFIndex, CFComparisonResult){
    kCFCompareLessThan = -1L,
    kCFCompareEqualTo = 0,
    kCFCompareGreaterThan = 1,
};

typedef CFComparisonResult (*CFComparatorFunction)(const void *val1, const void *val2, void *context);

static const CFIndex kCFNotFound = -1;

typedef struct {
    CFIndex location;
    CFIndex length;
} CFRange;

CF_INLINE CFRange CFRangeMake(CFIndex loc, CFIndex len)
{
    CFRange range;
    range.location = loc;
    range.length = len;
    return range;
}

// Allocators: the named allocators are accepted everywhere; all memory comes from malloc.
// kCFAllocatorNull, as a deallocator (CFDataCreateWithBytesNoCopy ...), means "do not free".
typedef const struct __CFAllocator *CFAllocatorRef;

CF_EXPORT const CFAllocatorRef kCFAllocatorDefault; // NULL, as on macOS
CF_EXPORT const CFAllocatorRef kCFAllocatorSystemDefault;
CF_EXPORT const CFAllocatorRef kCFAllocatorMalloc;
CF_EXPORT const CFAllocatorRef kCFAllocatorMallocZone;
CF_EXPORT const CFAllocatorRef kCFAllocatorNull;
CF_EXPORT const CFAllocatorRef kCFAllocatorUseContext;

CF_EXPORT CFTypeID CFAllocatorGetTypeID(void);
CF_EXPORT CFAllocatorRef CFAllocatorGetDefault(void);
CF_EXPORT void *CFAllocatorAllocate(CFAllocatorRef allocator, CFIndex size, CFOptionFlags hint);
CF_EXPORT void *CFAllocatorReallocate(CFAllocatorRef allocator, void *ptr, CFIndex newsize, CFOptionFlags hint);
CF_EXPORT void CFAllocatorDeallocate(CFAllocatorRef allocator, void *ptr);

// Polymorphic functions. Reference counts are atomic; an object is destroyed when CFRelease
// drops its count to zero. macOS crashes on CFRetain/CFRelease(NULL) or on an argument of the
// wrong type; here every function logs one line to stderr naming the call and does nothing.
CF_EXPORT CFTypeID CFGetTypeID(CFTypeRef cf);
CF_EXPORT CFStringRef CFCopyTypeIDDescription(CFTypeID type_id);
CF_EXPORT CFTypeRef CFRetain(CFTypeRef cf);
CF_EXPORT void CFRelease(CFTypeRef cf);
CF_EXPORT CFTypeRef CFAutorelease(CFTypeRef arg); // no pool: returns arg unchanged (see docs)
CF_EXPORT CFTypeRef CFMakeCollectable(CFTypeRef cf);
CF_EXPORT CFIndex CFGetRetainCount(CFTypeRef cf);
CF_EXPORT Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2);
CF_EXPORT CFHashCode CFHash(CFTypeRef cf);
CF_EXPORT CFStringRef CFCopyDescription(CFTypeRef cf);
CF_EXPORT CFAllocatorRef CFGetAllocator(CFTypeRef cf);

// CFShow writes CFCopyDescription (or a string's own text) and a newline to stderr.
CF_EXPORT void CFShow(CFTypeRef obj);

// CFNull: the singleton kCFNull stands for "no value" inside collections.
typedef const struct __CFNull *CFNullRef;
CF_EXPORT CFTypeID CFNullGetTypeID(void);
CF_EXPORT const CFNullRef kCFNull;

CF_EXTERN_C_END
