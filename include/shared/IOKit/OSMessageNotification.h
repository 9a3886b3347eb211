// <IOKit/OSMessageNotification.h>: the layout of the notification messages the kernel sends to
// a client's ports — async completions (IOConnectCallAsync*), matching and interest
// notifications — and the async reference array both sides fill in. Shared by the kernel and
// the client SDK so the two cannot disagree on a byte (iokit-semantics.md §3.6, §5.4).
#pragma once

#include <IOKit/IOReturn.h>
#include <device/device_types.h>
#include <mach/vm_types.h>

// Notification types (OSNotificationHeader.type); the low 12 bits name the type, the top two
// bits carry the argument-size adjustment of interest messages.
enum {
    kFirstIOKitNotificationType = 100,
    kIOServicePublishNotificationType = 100,
    kIOServiceMatchedNotificationType = 101,
    kIOServiceTerminatedNotificationType = 102,
    kIOAsyncCompletionNotificationType = 150,
    kIOServiceMessageNotificationType = 160,
    kLastIOKitNotificationType = 199,

    kIOKitNoticationTypeMask = 0x00000FFF,
    kIOKitNoticationTypeSizeAdjShift = 30,
    kIOKitNoticationMsgSizeMask = 3,
};

// Mach message ids of those messages, and the most arguments an async completion carries.
enum {
    kOSNotificationMessageID = 53,
    kOSAsyncCompleteMessageID = 57,
    kMaxAsyncArgs = 16,
};

// Slots of an async reference. Slot 0 is the kernel's: the wake port and flag bits.
enum {
    kIOAsyncReservedIndex = 0,
    kIOAsyncReservedCount,

    kIOAsyncCalloutFuncIndex = kIOAsyncReservedCount,
    kIOAsyncCalloutRefconIndex,
    kIOAsyncCalloutCount,

    kIOMatchingCalloutFuncIndex = kIOAsyncReservedCount,
    kIOMatchingCalloutRefconIndex,
    kIOMatchingCalloutCount,

    kIOInterestCalloutFuncIndex = kIOAsyncReservedCount,
    kIOInterestCalloutRefconIndex,
    kIOInterestCalloutServiceIndex,
    kIOInterestCalloutCount,
};

enum {
    kOSAsyncRef64Count = 8,
    kOSAsyncRef64Size = kOSAsyncRef64Count * ((int)sizeof(io_user_reference_t)),
};
typedef io_user_reference_t OSAsyncReference64[kOSAsyncRef64Count];

// Apple's `size` field is a mach_msg_size_t, which is natural_t. As in Apple's header, C++
// gets zero-length arrays (a GNU extension) where C99 gets flexible array members, so the
// headers can be embedded in larger structures.
#if defined(__cplusplus) || !defined(__STDC_VERSION__) || __STDC_VERSION__ < 199901L
#define OPENIOKIT_VARIABLE_ARRAY 0
#else
#define OPENIOKIT_VARIABLE_ARRAY
#endif

struct OSNotificationHeader64 {
    natural_t size;  // bytes of content after this header
    natural_t type;
    OSAsyncReference64 reference;
    unsigned char content[OPENIOKIT_VARIABLE_ARRAY];
};

struct IOServiceInterestContent64 {
    natural_t messageType;
    io_user_reference_t messageArgument[1];
};

// The 32-bit forms, still used when a task is not marked 64-bit in the reference.
enum {
    kOSAsyncRefCount = 8,
    kOSAsyncRefSize = 32,
};
typedef natural_t OSAsyncReference[kOSAsyncRefCount];

struct OSNotificationHeader {
    natural_t size;
    natural_t type;
    OSAsyncReference reference;
    unsigned char content[OPENIOKIT_VARIABLE_ARRAY];
};

struct IOServiceInterestContent {
    natural_t messageType;
    void* messageArgument[1];
};

struct IOAsyncCompletionContent {
    IOReturn result;
    void* args[OPENIOKIT_VARIABLE_ARRAY] __attribute__((packed));
};
