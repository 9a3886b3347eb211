// Open, call, close through IOKitLib against iokitd and the test kext; matching and registry.
#include "IntegrationSupport.h"

#include <cstring>

using namespace integration;

TEST(OpenCallClose, ScalarAndStructCallsRoundTrip)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    ASSERT_NE(connect, IO_OBJECT_NULL);

    uint64_t in = 41;
    uint64_t out = 0;
    uint32_t outCount = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &outCount), kIOReturnSuccess);
    EXPECT_EQ(out, 42u);
    EXPECT_EQ(outCount, 1u);

    const char message[] = "hello through the socket";
    char echoed[64] = {};
    size_t echoedSize = sizeof(echoed);
    EXPECT_EQ(IOConnectCallStructMethod(connect, kIPCTestStructEcho, message, sizeof(message), echoed, &echoedSize),
              kIOReturnSuccess);
    EXPECT_EQ(echoedSize, sizeof(message));
    EXPECT_STREQ(echoed, message);

    const Stats before = stats(connect);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    // The close ran clientClose, which terminated the client: the name is gone.
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &outCount), MACH_SEND_INVALID_DEST);

    io_connect_t second = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&second), kIOReturnSuccess);
    EXPECT_EQ(stats(second).closes, before.closes + 1);
    EXPECT_EQ(IOServiceClose(second), kIOReturnSuccess);
}

TEST(OpenCallClose, MatchingRegistryAndProperties)
{
    Daemon daemon;
    io_iterator_t iterator = IO_OBJECT_NULL;
    const io_service_t found = findDriver();
    ASSERT_NE(found, IO_OBJECT_NULL);
    IOObjectRelease(found);
    ASSERT_EQ(IOServiceGetMatchingServices(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass), &iterator),
              kIOReturnSuccess);
    io_service_t service = IOIteratorNext(iterator);
    ASSERT_NE(service, IO_OBJECT_NULL);
    EXPECT_EQ(IOIteratorNext(iterator), IO_OBJECT_NULL);
    EXPECT_TRUE(IOIteratorIsValid(iterator));
    EXPECT_EQ(IOObjectRelease(iterator), kIOReturnSuccess);

    io_name_t name;
    ASSERT_EQ(IOObjectGetClass(service, name), kIOReturnSuccess);
    EXPECT_STREQ(name, kIPCTestDriverClass);
    EXPECT_TRUE(IOObjectConformsTo(service, "IOService"));
    EXPECT_FALSE(IOObjectConformsTo(service, "IOUserClient"));
    ASSERT_EQ(IORegistryEntryGetName(service, name), kIOReturnSuccess);
    EXPECT_STREQ(name, kIPCTestDriverClass);

    io_string_t path;
    ASSERT_EQ(IORegistryEntryGetPath(service, kIOServicePlane, path), kIOReturnSuccess);
    EXPECT_NE(std::strstr(path, "IOResources/IPCTestDriver"), nullptr) << path;

    uint64_t id = 0;
    ASSERT_EQ(IORegistryEntryGetRegistryEntryID(service, &id), kIOReturnSuccess);
    io_service_t byID = IOServiceGetMatchingService(kIOMainPortDefault, IORegistryEntryIDMatching(id));
    // One object, one name (as a Mach port name).
    EXPECT_EQ(byID, service);
    EXPECT_TRUE(IOObjectIsEqualTo(byID, service));
    IOObjectRelease(byID);

    CFTypeRef userClientClass = IORegistryEntryCreateCFProperty(service, CFSTR("IOUserClientClass"), kCFAllocatorDefault, 0);
    ASSERT_NE(userClientClass, nullptr);
    ASSERT_EQ(CFGetTypeID(userClientClass), CFStringGetTypeID());
    char text[128];
    ASSERT_TRUE(CFStringGetCString(static_cast<CFStringRef>(userClientClass), text, sizeof(text), kCFStringEncodingUTF8));
    EXPECT_STREQ(text, "IPCTestUserClient");
    CFRelease(userClientClass);

    CFMutableDictionaryRef properties = nullptr;
    ASSERT_EQ(IORegistryEntryCreateCFProperties(service, &properties, kCFAllocatorDefault, 0), kIOReturnSuccess);
    EXPECT_TRUE(CFDictionaryContainsKey(properties, CFSTR("IOClass")));
    CFRelease(properties);

    io_registry_entry_t parent = IO_OBJECT_NULL;
    ASSERT_EQ(IORegistryEntryGetParentEntry(service, kIOServicePlane, &parent), kIOReturnSuccess);
    ASSERT_EQ(IORegistryEntryGetName(parent, name), kIOReturnSuccess);
    EXPECT_STREQ(name, "IOResources");
    IOObjectRelease(parent);

    // Releasing the last reference frees the name; a second release finds nothing.
    EXPECT_EQ(IOObjectRelease(service), kIOReturnSuccess);
    EXPECT_EQ(IOObjectRelease(service), MACH_SEND_INVALID_DEST);
}

TEST(OpenCallClose, ConnectGetServiceAndBusyState)
{
    Daemon daemon;
    io_service_t service = findDriver();
    ASSERT_NE(service, IO_OBJECT_NULL);
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceOpen(service, mach_task_self(), 0, &connect), kIOReturnSuccess);
    io_service_t provider = IO_OBJECT_NULL;
    ASSERT_EQ(IOConnectGetService(connect, &provider), kIOReturnSuccess);
    EXPECT_EQ(provider, service);
    IOObjectRelease(provider);
    io_name_t className;
    ASSERT_EQ(IOObjectGetClass(connect, className), kIOReturnSuccess);
    EXPECT_STREQ(className, "IPCTestUserClient");

    mach_timespec_t wait = {30, 0};
    EXPECT_EQ(IOKitWaitQuiet(kIOMainPortDefault, &wait), kIOReturnSuccess);
    uint32_t busy = 99;
    EXPECT_EQ(IOKitGetBusyState(kIOMainPortDefault, &busy), kIOReturnSuccess);
    EXPECT_EQ(busy, 0u);
    EXPECT_EQ(IOServiceWaitQuiet(service, &wait), kIOReturnSuccess);

    // IOServiceOpen wants the caller's own task.
    io_connect_t other = IO_OBJECT_NULL;
    EXPECT_EQ(IOServiceOpen(service, 0x999, 0, &other), kIOReturnBadArgument);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    IOObjectRelease(service);
}

TEST(OpenCallClose, DaemonMissingIsInvalidDest)
{
    TempDir dir;
    setenv(kOpenIOKitSocketEnvironment, (dir.path() + "/nobody.sock").c_str(), 1);
    EXPECT_EQ(IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("IOService")), IO_OBJECT_NULL);
    io_iterator_t iterator;
    EXPECT_EQ(IOServiceGetMatchingServices(kIOMainPortDefault, IOServiceMatching("IOService"), &iterator),
              MACH_SEND_INVALID_DEST);
    EXPECT_STREQ(OpenIOKitDaemonSocketPath(), (dir.path() + "/nobody.sock").c_str());
}
