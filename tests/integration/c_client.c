/* c_client.c: an IOKit client written only against Apple's documented IOKitLib and
 * CoreFoundation API, as it would be on macOS (compiled as C). It finds the test driver, reads a
 * property, opens a connection, makes scalar, struct and async calls (the completion arrives
 * through a notification port on the CFRunLoop), watches the driver with an interest
 * notification, and closes. Exit status 0 on success; otherwise the number of the failed step. */
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>
#include <IOKit/IOMessage.h>
#include <mach/mach.h>
#include <stdio.h>
#include <string.h>

#include "IPCTestProtocol.h"

static int asyncDone = 0;
static uint64_t asyncValue = 0;
static int interestSeen = 0;

static void asyncCallback(void *refcon, IOReturn result, void **args, uint32_t numArgs)
{
    (void)refcon;
    if (result == kIOReturnSuccess && numArgs == 2) {
        asyncValue = (uint64_t)(uintptr_t)args[0];
    }
    asyncDone = 1;
    CFRunLoopStop(CFRunLoopGetCurrent());
}

static void interestCallback(void *refcon, io_service_t service, uint32_t messageType, void *argument)
{
    (void)refcon;
    (void)service;
    if (messageType == kIPCTestMessageType && (uintptr_t)argument == 7) {
        interestSeen = 1;
        CFRunLoopStop(CFRunLoopGetCurrent());
    }
}

#define CHECK(step, condition)                                          \
    do {                                                                \
        if (!(condition)) {                                             \
            fprintf(stderr, "c_client: step %d failed: %s\n", step, #condition); \
            return step;                                                \
        }                                                               \
    } while (0)

int main(void)
{
    io_service_t service = IO_OBJECT_NULL;
    for (int i = 0; i < 3000 && !service; i++) {
        service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass));
        if (!service) {
            mach_timespec_t wait = {0, 10 * 1000 * 1000};
            IOKitWaitQuiet(kIOMainPortDefault, &wait);
        }
    }
    CHECK(1, service != IO_OBJECT_NULL);

    CFStringRef className = IORegistryEntryCreateCFProperty(service, CFSTR("IOClass"), kCFAllocatorDefault, 0);
    CHECK(2, className != NULL && CFGetTypeID(className) == CFStringGetTypeID());
    CHECK(3, CFStringCompare(className, CFSTR(kIPCTestDriverClass), 0) == kCFCompareEqualTo);
    CFRelease(className);

    io_connect_t connect = IO_OBJECT_NULL;
    CHECK(4, IOServiceOpen(service, mach_task_self(), 0, &connect) == kIOReturnSuccess);

    uint64_t in = 1, out = 0;
    uint32_t outCount = 1;
    CHECK(5, IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &outCount) == kIOReturnSuccess);
    CHECK(6, out == 2);

    char buffer[32];
    size_t size = sizeof(buffer);
    CHECK(7, IOConnectCallStructMethod(connect, kIPCTestStructEcho, "abc", 4, buffer, &size) == kIOReturnSuccess);
    CHECK(8, size == 4 && strcmp(buffer, "abc") == 0);

    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    CHECK(9, port != NULL);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), IONotificationPortGetRunLoopSource(port), kCFRunLoopDefaultMode);

    uint64_t reference[kOSAsyncRef64Count] = {0};
    reference[kIOAsyncCalloutFuncIndex] = (uint64_t)(uintptr_t)asyncCallback;
    reference[kIOAsyncCalloutRefconIndex] = 0;
    in = 5;
    CHECK(10, IOConnectCallAsyncScalarMethod(connect, kIPCTestAsync, IONotificationPortGetMachPort(port), reference,
                                             kOSAsyncRef64Count, &in, 1, NULL, NULL) == kIOReturnSuccess);
    for (int i = 0; i < 300 && !asyncDone; i++) {
        CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.1, true);
    }
    CHECK(11, asyncDone && asyncValue == 105);

    io_object_t interest = IO_OBJECT_NULL;
    CHECK(12, IOServiceAddInterestNotification(port, service, kIOGeneralInterest, interestCallback, NULL, &interest) ==
                  kIOReturnSuccess);
    in = 7;
    CHECK(13, IOConnectCallScalarMethod(connect, kIPCTestMessage, &in, 1, NULL, NULL) == kIOReturnSuccess);
    for (int i = 0; i < 300 && !interestSeen; i++) {
        CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.1, true);
    }
    CHECK(14, interestSeen);

    IOObjectRelease(interest);
    CHECK(15, IOServiceClose(connect) == kIOReturnSuccess);
    IONotificationPortDestroy(port);
    IOObjectRelease(service);
    printf("c_client: ok\n");
    return 0;
}
