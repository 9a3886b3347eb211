/*
 * <osxkernel/DriverInterface.h>: the interface between the com.osxkernel.driver kext
 * (com_osxkernel_driver / com_osxkernel_driverClient) and its client daemons. Plain C, no
 * kernel types: the kext and user space both include it. docs/seed-answer.md explains the
 * driver's lifecycle (why kextunload is refused while clients are connected, and how the
 * driver leaves by itself when the last one goes).
 *
 * Find the driver with IOServiceMatching(kOSXKernelDriverClassName), open it with
 * IOServiceOpen(service, mach_task_self(), kOSXKernelDriverConnectType, &connect).
 */
#pragma once

#include <stdint.h>

#define kOSXKernelDriverBundleIdentifier "com.osxkernel.driver"
#define kOSXKernelDriverClassName "com_osxkernel_driver"
#define kOSXKernelDriverClientClassName "com_osxkernel_driverClient"

/* The property an IOSimDevice must carry (value true) for the driver to match it. */
#define kOSXKernelDeviceMatchKey "osxkernel-device"

/* The only connect type; any other is refused with kIOReturnBadArgument. */
#define kOSXKernelDriverConnectType 0

/* Largest echo payload, and the most "wait for event" requests one client may have pending. */
#define kOSXKernelEchoMaxSize 1024
#define kOSXKernelMaxPendingWaits 16

enum OSXKernelDriverSelector {
    /* Add to the counter every client shares. scalar in [1]: delta; scalar out [1]: new value. */
    kOSXKernelMethodIncrement = 0,
    /* Read the shared counter. scalar out [1]: value. */
    kOSXKernelMethodReadCounter = 1,
    /* Echo: struct in (1 ... kOSXKernelEchoMaxSize bytes) is returned as struct out (same size). */
    kOSXKernelMethodEcho = 2,
    /*
     * Async (IOConnectCallAsyncScalarMethod): completes when the device raises its interrupt.
     * No scalars. Completion: result kIOReturnSuccess with args [2] = (interrupts delivered in
     * this batch, total interrupts seen by the driver); kIOReturnAborted when the client
     * closes, its process dies or the driver terminates before an interrupt came.
     * Errors at call time: kIOReturnBadArgument (not an async call), kIOReturnNoResources
     * (kOSXKernelMaxPendingWaits already pending), kIOReturnNotAttached (driver terminating).
     */
    kOSXKernelMethodWaitForEvent = 3,

    kOSXKernelMethodCount
};

/*
 * The shared status page, mapped read-only with IOConnectMapMemory64(connect,
 * kOSXKernelMemoryTypeStatus, ...). The driver updates it under its work-loop gate; readers see
 * each field atomically (naturally aligned 64-bit words) but not the set as one snapshot:
 * `generation` is bumped after every update.
 */
#define kOSXKernelMemoryTypeStatus 0
#define kOSXKernelStatusVersion 1

typedef struct OSXKernelStatusPage {
    uint32_t version;        /* kOSXKernelStatusVersion */
    uint32_t clientCount;    /* user clients currently open */
    uint64_t counter;        /* the shared counter */
    uint64_t interrupts;     /* device interrupts seen */
    uint64_t eventsCompleted;/* wait-for-event requests completed successfully */
    uint64_t generation;     /* bumped after each update */
} OSXKernelStatusPage;
