// Out-of-line structures (> 4096 bytes: descriptors in the driver), IOServiceMatchPropertyTable
// through the kernel's passiveMatch, and IOObjectGetUserRetainCount as a name's user references.
#include "IntegrationSupport.h"

#include <vector>

using namespace integration;

namespace {

std::vector<uint8_t> pattern(size_t length)
{
    std::vector<uint8_t> bytes(length);
    for (size_t i = 0; i < length; i++) {
        bytes[i] = static_cast<uint8_t>(i * 7 + i / 251);
    }
    return bytes;
}

bool inverted(const std::vector<uint8_t>& in, const uint8_t* out, size_t length)
{
    if (length != in.size()) {
        return false;
    }
    for (size_t i = 0; i < length; i++) {
        if (out[i] != static_cast<uint8_t>(~in[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace

TEST(OutOfLineStructures, LargeInputAndOutputReachTheDriverAsDescriptors)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);

    // (input size, output buffer size, where the driver should see them: 1 = input descriptor,
    // 2 = output descriptor). 4096 is the largest inline structure, as io_struct_inband_t.
    struct Case {
        size_t in, out;
        uint64_t where;
    };
    const Case cases[] = {
        {100, 100, 0}, {4096, 4096, 0}, {4097, 4097, 3}, {100, 8192, 2}, {70000, 4096 * 20, 3}, {1u << 20, 1u << 20, 3},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(testing::Message() << "in " << c.in << " out " << c.out);
        const std::vector<uint8_t> input = pattern(c.in);
        std::vector<uint8_t> output(c.out, 0);
        uint64_t where = 99;
        uint32_t whereCount = 1;
        size_t outputSize = output.size();
        ASSERT_EQ(IOConnectCallMethod(connect, kIPCTestStructInvert, nullptr, 0, input.data(), input.size(), &where,
                                      &whereCount, output.data(), &outputSize),
                  kIOReturnSuccess);
        EXPECT_EQ(where, c.where);
        EXPECT_EQ(outputSize, c.in);
        EXPECT_TRUE(inverted(input, output.data(), outputSize));
    }

    // A large input that does not fit the caller's output: the driver's error, nothing copied.
    const std::vector<uint8_t> input = pattern(10000);
    std::vector<uint8_t> small(5000);
    size_t smallSize = small.size();
    uint64_t where = 0;
    uint32_t whereCount = 1;
    EXPECT_EQ(IOConnectCallMethod(connect, kIPCTestStructInvert, nullptr, 0, input.data(), input.size(), &where,
                                  &whereCount, small.data(), &smallSize),
              kIOReturnMessageTooLarge);

    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

TEST(OutOfLineStructures, DispatchChecksTheDescriptorLength)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);

    const std::vector<uint8_t> exact = pattern(kIPCTestFixedLargeSize);
    EXPECT_EQ(IOConnectCallStructMethod(connect, kIPCTestFixedLarge, exact.data(), exact.size(), nullptr, nullptr),
              kIOReturnSuccess);
    const std::vector<uint8_t> shorter = pattern(kIPCTestFixedLargeSize - 1);
    EXPECT_EQ(IOConnectCallStructMethod(connect, kIPCTestFixedLarge, shorter.data(), shorter.size(), nullptr, nullptr),
              kIOReturnBadArgument);
    const std::vector<uint8_t> longer = pattern(kIPCTestFixedLargeSize + 1);
    EXPECT_EQ(IOConnectCallStructMethod(connect, kIPCTestFixedLarge, longer.data(), longer.size(), nullptr, nullptr),
              kIOReturnBadArgument);

    // Above the documented cap (16 MiB): refused before anything is sent; the connection works on.
    std::vector<uint8_t> huge((16u << 20) + 1);
    EXPECT_EQ(IOConnectCallStructMethod(connect, kIPCTestStructInvert, huge.data(), huge.size(), nullptr, nullptr),
              kIOReturnMessageTooLarge);
    uint64_t in = 1, out = 0;
    uint32_t outCount = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &outCount), kIOReturnSuccess);
    EXPECT_EQ(out, 2u);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

TEST(ServiceMatchPropertyTable, UsesTheKernelsPassiveMatch)
{
    Daemon daemon;
    const io_service_t service = findDriver();
    ASSERT_NE(service, IO_OBJECT_NULL);

    boolean_t matches = false;
    CFMutableDictionaryRef byClass = IOServiceMatching(kIPCTestDriverClass);
    ASSERT_EQ(IOServiceMatchPropertyTable(service, byClass, &matches), kIOReturnSuccess);
    EXPECT_TRUE(matches);
    CFRelease(byClass);  // not consumed, as in IOKitUser

    CFMutableDictionaryRef bySuperclass = IOServiceMatching("IOService");
    ASSERT_EQ(IOServiceMatchPropertyTable(service, bySuperclass, &matches), kIOReturnSuccess);
    EXPECT_TRUE(matches);
    CFRelease(bySuperclass);

    CFMutableDictionaryRef otherClass = IOServiceMatching("IOUserClient");
    ASSERT_EQ(IOServiceMatchPropertyTable(service, otherClass, &matches), kIOReturnSuccess);
    EXPECT_FALSE(matches);
    CFRelease(otherClass);

    // A property the driver has (IOUserClientClass) and one it does not have.
    CFMutableDictionaryRef byProperty = IOServiceMatching(kIPCTestDriverClass);
    CFMutableDictionaryRef properties = CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                  &kCFTypeDictionaryValueCallBacks);
    CFDictionarySetValue(properties, CFSTR("IOUserClientClass"), CFSTR("IPCTestUserClient"));
    CFDictionarySetValue(byProperty, CFSTR(kIOPropertyMatchKey), properties);
    ASSERT_EQ(IOServiceMatchPropertyTable(service, byProperty, &matches), kIOReturnSuccess);
    EXPECT_TRUE(matches);
    CFDictionarySetValue(properties, CFSTR("IOUserClientClass"), CFSTR("NoSuchClient"));
    CFDictionarySetValue(byProperty, CFSTR(kIOPropertyMatchKey), properties);
    ASSERT_EQ(IOServiceMatchPropertyTable(service, byProperty, &matches), kIOReturnSuccess);
    EXPECT_FALSE(matches);
    CFRelease(properties);
    CFRelease(byProperty);

    // A name that is not a service.
    io_iterator_t iterator = IO_OBJECT_NULL;
    ASSERT_EQ(IORegistryEntryGetChildIterator(service, kIOServicePlane, &iterator), kIOReturnSuccess);
    CFMutableDictionaryRef any = IOServiceMatching("IOService");
    EXPECT_EQ(IOServiceMatchPropertyTable(iterator, any, &matches), kIOReturnBadArgument);
    EXPECT_EQ(IOServiceMatchPropertyTable(0x7777, any, &matches), MACH_SEND_INVALID_DEST);
    CFRelease(any);
    IOObjectRelease(iterator);
    IOObjectRelease(service);
}

TEST(UserRetainCount, CountsTheNamesUserReferences)
{
    Daemon daemon;
    const io_service_t service = findDriver();
    ASSERT_NE(service, IO_OBJECT_NULL);
    EXPECT_EQ(IOObjectGetUserRetainCount(service), 1u);
    ASSERT_EQ(IOObjectRetain(service), kIOReturnSuccess);
    EXPECT_EQ(IOObjectGetUserRetainCount(service), 2u);
    // The same object handed out again is the same name with one more user reference.
    const io_service_t again = findDriver();
    ASSERT_EQ(again, service);
    EXPECT_EQ(IOObjectGetUserRetainCount(service), 3u);
    EXPECT_EQ(IOObjectRelease(again), kIOReturnSuccess);
    EXPECT_EQ(IOObjectRelease(service), kIOReturnSuccess);
    EXPECT_EQ(IOObjectGetUserRetainCount(service), 1u);
    EXPECT_EQ(IOObjectRelease(service), kIOReturnSuccess);
    // The name is gone.
    EXPECT_EQ(IOObjectGetUserRetainCount(service), 0u);
    EXPECT_EQ(IOObjectGetUserRetainCount(0x7777), 0u);
}
