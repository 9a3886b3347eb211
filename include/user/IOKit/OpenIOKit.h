// <IOKit/OpenIOKit.h>: OpenIOKit extensions to IOKitLib (not Apple API). Programs written for
// macOS never need this header; tools and poll/epoll users may.
#pragma once

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>

#ifdef __cplusplus
extern "C" {
#endif

// The environment variable naming iokitd's socket, and the path used without it.
#define kOpenIOKitSocketEnvironment "OPENIOKIT_SOCKET"
#define kOpenIOKitDefaultSocketPath "/run/openiokit/iokitd.sock"

// The socket IOKitLib connects to ($OPENIOKIT_SOCKET, else kOpenIOKitDefaultSocketPath), so a
// tool can say "cannot reach iokitd at PATH". Calls made while iokitd is unreachable return
// MACH_SEND_INVALID_DEST, as a Mach call to a dead port does.
const char *OpenIOKitDaemonSocketPath(void);

// A descriptor that becomes readable when messages wait on `notify` (for poll/epoll users
// without a CFRunLoop). Owned by the port; do not close or read it.
int IONotificationPortGetFileDescriptor(IONotificationPortRef notify);
// Runs the callbacks of every message waiting on `notify`, without blocking. Returns how many
// messages were dispatched. Use with IONotificationPortGetFileDescriptor.
uint32_t IONotificationPortDispatchPending(IONotificationPortRef notify);

// The sentence iokitd sent with the calling thread's last failed kext request (KextManager*),
// or NULL. Caller releases.
CFStringRef OpenIOKitCopyLastErrorMessage(void) CF_RETURNS_RETAINED;

// Live instance counts by class name (CFNumber), what ioclasscount shows. Caller releases.
CFDictionaryRef OpenIOKitCopyClassInstanceCounts(void) CF_RETURNS_RETAINED;

// Simulated system sleep and wake (what `pmset sleepnow` / `pmset wake` do; macOS programs use
// IOPMSleepSystem, which needs a real root domain). Sleep: root-domain interest clients get
// kIOMessageSystemWillSleep, then every driver in the power tree is lowered, children first.
// Wake: kIOMessageSystemWillPowerOn, drivers raised parents first, kIOMessageSystemHasPoweredOn.
// Both return once every power change has completed; asking for the state the system is
// already in does nothing and succeeds. Root only: kIOReturnNotPrivileged otherwise.
IOReturn OpenIOKitSystemSleep(void);
IOReturn OpenIOKitSystemWake(void);

#ifdef __cplusplus
}
#endif
