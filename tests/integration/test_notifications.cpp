// Async completions, interest and matching notifications, delivered on a notification port
// through the CFRunLoop and through the descriptor extension; what user space sees after
// termination (§3.7).
#include "IntegrationSupport.h"

#include <IOKit/IOMessage.h>

#include <poll.h>
#include <vector>

using namespace integration;

namespace {

struct Recorder {
    std::vector<uint64_t> asyncArgs;
    IOReturn asyncResult = kIOReturnError;
    int asyncCalls = 0;
    std::vector<std::pair<uint32_t, uintptr_t>> messages;
    int matchingCalls = 0;
    std::vector<uint64_t> nubIDs;
};

void onAsync(void* refcon, IOReturn result, void** args, uint32_t numArgs)
{
    auto* r = static_cast<Recorder*>(refcon);
    r->asyncCalls++;
    r->asyncResult = result;
    for (uint32_t i = 0; i < numArgs; i++) {
        r->asyncArgs.push_back(reinterpret_cast<uintptr_t>(args[i]));
    }
}

void onInterest(void* refcon, io_service_t, uint32_t messageType, void* argument)
{
    static_cast<Recorder*>(refcon)->messages.emplace_back(messageType, reinterpret_cast<uintptr_t>(argument));
}

uint64_t nubID(io_service_t nub)
{
    CFTypeRef value = IORegistryEntryCreateCFProperty(nub, CFSTR("NubID"), kCFAllocatorDefault, 0);
    uint64_t id = 0;
    if (value && CFGetTypeID(value) == CFNumberGetTypeID()) {
        CFNumberGetValue(static_cast<CFNumberRef>(value), kCFNumberSInt64Type, &id);
    }
    if (value) {
        CFRelease(value);
    }
    return id;
}

void onMatched(void* refcon, io_iterator_t iterator)
{
    auto* r = static_cast<Recorder*>(refcon);
    r->matchingCalls++;
    while (io_service_t nub = IOIteratorNext(iterator)) {  // drains, which re-arms
        r->nubIDs.push_back(nubID(nub));
        IOObjectRelease(nub);
    }
}

bool runUntil(const std::function<bool()>& done)
{
    return eventually([&] {
        CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true);
        return done();
    });
}

}  // namespace

TEST(Notifications, AsyncCompletionArrivesOnTheRunLoop)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    ASSERT_NE(port, nullptr);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), IONotificationPortGetRunLoopSource(port), kCFRunLoopDefaultMode);

    Recorder recorder;
    uint64_t reference[kOSAsyncRef64Count] = {};
    reference[kIOAsyncCalloutFuncIndex] = reinterpret_cast<uintptr_t>(&onAsync);
    reference[kIOAsyncCalloutRefconIndex] = reinterpret_cast<uintptr_t>(&recorder);
    uint64_t in = 23;
    ASSERT_EQ(IOConnectCallAsyncScalarMethod(connect, kIPCTestAsync, IONotificationPortGetMachPort(port), reference,
                                             kOSAsyncRef64Count, &in, 1, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_TRUE(runUntil([&] { return recorder.asyncCalls == 1; }));
    EXPECT_EQ(recorder.asyncResult, kIOReturnSuccess);
    EXPECT_EQ(recorder.asyncArgs, (std::vector<uint64_t>{123, 7}));

    // An async call without a wake port is refused by IOKitLib, as Apple's.
    EXPECT_EQ(IOConnectCallAsyncScalarMethod(connect, kIPCTestAsync, MACH_PORT_NULL, reference, kOSAsyncRef64Count,
                                             &in, 1, nullptr, nullptr),
              kIOReturnBadArgument);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    IONotificationPortDestroy(port);
}

TEST(Notifications, InterestMessagesThroughTheDescriptorExtension)
{
    Daemon daemon;
    io_service_t service = findDriver();
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceOpen(service, mach_task_self(), 0, &connect), kIOReturnSuccess);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    Recorder recorder;
    io_object_t notification = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceAddInterestNotification(port, service, kIOGeneralInterest, onInterest, &recorder, &notification),
              kIOReturnSuccess);
    uint64_t in = 77;
    ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestMessage, &in, 1, nullptr, nullptr), kIOReturnSuccess);
    const int fd = IONotificationPortGetFileDescriptor(port);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(eventually([&] {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            IONotificationPortDispatchPending(port);
        }
        return !recorder.messages.empty();
    }));
    ASSERT_EQ(recorder.messages.size(), 1u);
    EXPECT_EQ(recorder.messages[0].first, kIPCTestMessageType);
    EXPECT_EQ(recorder.messages[0].second, 77u);

    // Releasing the notification unregisters it.
    EXPECT_EQ(IOObjectRelease(notification), kIOReturnSuccess);
    ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestMessage, &in, 1, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_EQ(IONotificationPortDispatchPending(port), 0u);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    IONotificationPortDestroy(port);
    IOObjectRelease(service);
}

TEST(Notifications, MatchingNotificationIsArmedByDrainingTheIterator)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), IONotificationPortGetRunLoopSource(port), kCFRunLoopDefaultMode);
    Recorder recorder;

    uint64_t id = 1;
    ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestPublishNub, &id, 1, nullptr, nullptr), kIOReturnSuccess);
    mach_timespec_t wait = {30, 0};
    ASSERT_EQ(IOKitWaitQuiet(kIOMainPortDefault, &wait), kIOReturnSuccess);

    io_iterator_t iterator = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceAddMatchingNotification(port, kIOMatchedNotification, IOServiceMatching(kIPCTestNubClass),
                                               onMatched, &recorder, &iterator),
              kIOReturnSuccess);
    onMatched(&recorder, iterator);  // the existing nub, and this drain arms the notification
    EXPECT_EQ(recorder.nubIDs, (std::vector<uint64_t>{1}));

    id = 2;
    ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestPublishNub, &id, 1, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_TRUE(runUntil([&] { return recorder.nubIDs.size() == 2; }));
    EXPECT_EQ(recorder.nubIDs.back(), 2u);
    EXPECT_EQ(recorder.matchingCalls, 2);

    EXPECT_EQ(IOObjectRelease(iterator), kIOReturnSuccess);
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestTerminateNubs, nullptr, 0, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    IONotificationPortDestroy(port);
}

TEST(Notifications, TerminationIsSeenAsUserSpaceSeesItOnMacOS)
{
    Daemon daemon;
    io_service_t service = findDriver();
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceOpen(service, mach_task_self(), 0, &connect), kIOReturnSuccess);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), IONotificationPortGetRunLoopSource(port), kCFRunLoopDefaultMode);
    Recorder recorder;
    io_object_t notification = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceAddInterestNotification(port, service, kIOGeneralInterest, onInterest, &recorder, &notification),
              kIOReturnSuccess);

    char className[] = kIPCTestDriverClass;
    ASSERT_EQ(IOCatalogueTerminate(kIOMainPortDefault, kIOCatalogServiceTerminate, className), kIOReturnSuccess);
    EXPECT_TRUE(runUntil([&] {
        for (auto& m : recorder.messages) {
            if (m.first == kIOMessageServiceIsTerminated) {
                return true;
            }
        }
        return false;
    }));
    // The connection and the service handle are dead names now (§3.7).
    uint64_t in = 1, out = 0;
    uint32_t count = 1;
    EXPECT_TRUE(eventually([&] {
        return IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &count) == MACH_SEND_INVALID_DEST;
    }));
    EXPECT_EQ(IOServiceClose(connect), MACH_SEND_INVALID_DEST);
    io_connect_t again = IO_OBJECT_NULL;
    EXPECT_EQ(IOServiceOpen(service, mach_task_self(), 0, &again), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(IOObjectRelease(service), kIOReturnSuccess);  // a dead name can still be released
    IOObjectRelease(notification);
    IONotificationPortDestroy(port);
}
