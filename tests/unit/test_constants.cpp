// Constant values of the shared headers against iokit-semantics.md §5 and Apple's headers.
// This file looks at the headers as *user* code does (KERNEL undefined), the view the client
// SDK gets; test_iolib.cpp checks the kernel view of the same types.
#undef KERNEL

#include <IOKit/IOKitKeys.h>
#include <IOKit/IOMessage.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <device/device_types.h>
#include <libkern/OSByteOrder.h>
#include <libkern/OSKextLib.h>
#include <libkern/OSReturn.h>
#include <mach/error.h>
#include <mach/mach_types.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace {

constexpr std::uint32_t u32(int value)
{
    return static_cast<std::uint32_t>(value);
}

TEST(Constants, ErrorLayout)
{
    EXPECT_EQ(u32(sys_iokit), 0xE0000000u);
    EXPECT_EQ(u32(sys_libkern), 0xDC000000u);
    EXPECT_EQ(u32(sub_iokit_common), 0u);
    EXPECT_EQ(u32(sub_iokit_usb), 0x4000u);
    EXPECT_EQ(u32(sub_iokit_vendor_specific), 0x3FF8000u);
    EXPECT_EQ(u32(sub_iokit_reserved), 0x3FFC000u);
    EXPECT_EQ(u32(iokit_family_err(sub_iokit_usb, 0x61)), 0xE0004061u);
    EXPECT_EQ(u32(iokit_vendor_specific_err(1)), 0xE3FF8001u);
    EXPECT_EQ(err_get_system(kIOReturnBadArgument), 0x38);
    EXPECT_EQ(err_get_sub(kIOReturnBadArgument), 0);
    EXPECT_EQ(err_get_code(kIOReturnBadArgument), 0x2C2);
}

TEST(Constants, IOReturnValues)
{
    EXPECT_EQ(kIOReturnSuccess, KERN_SUCCESS);
    EXPECT_EQ(kIOReturnSuccess, 0);
    EXPECT_EQ(u32(kIOReturnInvalid), 0xE0000001u);
    EXPECT_EQ(u32(kIOReturnError), 0xE00002BCu);
    EXPECT_EQ(u32(kIOReturnNoMemory), 0xE00002BDu);
    EXPECT_EQ(u32(kIOReturnNoResources), 0xE00002BEu);
    EXPECT_EQ(u32(kIOReturnIPCError), 0xE00002BFu);
    EXPECT_EQ(u32(kIOReturnNoDevice), 0xE00002C0u);
    EXPECT_EQ(u32(kIOReturnNotPrivileged), 0xE00002C1u);
    EXPECT_EQ(u32(kIOReturnBadArgument), 0xE00002C2u);
    EXPECT_EQ(u32(kIOReturnExclusiveAccess), 0xE00002C5u);
    EXPECT_EQ(u32(kIOReturnBadMessageID), 0xE00002C6u);
    EXPECT_EQ(u32(kIOReturnUnsupported), 0xE00002C7u);
    EXPECT_EQ(u32(kIOReturnInternalError), 0xE00002C9u);
    EXPECT_EQ(u32(kIOReturnIOError), 0xE00002CAu);
    EXPECT_EQ(u32(kIOReturnCannotLock), 0xE00002CCu);
    EXPECT_EQ(u32(kIOReturnNotOpen), 0xE00002CDu);
    EXPECT_EQ(u32(kIOReturnStillOpen), 0xE00002D2u);
    EXPECT_EQ(u32(kIOReturnBusy), 0xE00002D5u);
    EXPECT_EQ(u32(kIOReturnTimeout), 0xE00002D6u);
    EXPECT_EQ(u32(kIOReturnOffline), 0xE00002D7u);
    EXPECT_EQ(u32(kIOReturnNotReady), 0xE00002D8u);
    EXPECT_EQ(u32(kIOReturnNotAttached), 0xE00002D9u);
    EXPECT_EQ(u32(kIOReturnNoSpace), 0xE00002DBu);
    EXPECT_EQ(u32(kIOReturnPortExists), 0xE00002DDu);
    EXPECT_EQ(u32(kIOReturnMessageTooLarge), 0xE00002E1u);
    EXPECT_EQ(u32(kIOReturnNotPermitted), 0xE00002E2u);
    EXPECT_EQ(u32(kIOReturnNoPower), 0xE00002E3u);
    EXPECT_EQ(u32(kIOReturnUnsupportedMode), 0xE00002E6u);
    EXPECT_EQ(u32(kIOReturnDeviceError), 0xE00002E9u);
    EXPECT_EQ(u32(kIOReturnAborted), 0xE00002EBu);
    EXPECT_EQ(u32(kIOReturnNotResponding), 0xE00002EDu);
    EXPECT_EQ(u32(kIOReturnIsoTooNew), 0xE00002EFu);
    EXPECT_EQ(u32(kIOReturnNotFound), 0xE00002F0u);
    EXPECT_NE(kIOReturnNotPrivileged, kIOReturnNotPermitted);
}

TEST(Constants, IOMessageValues)
{
    EXPECT_EQ(kIOMessageServiceIsTerminated, 0xE0000010u);
    EXPECT_EQ(kIOMessageServiceIsSuspended, 0xE0000020u);
    EXPECT_EQ(kIOMessageServiceIsResumed, 0xE0000030u);
    EXPECT_EQ(kIOMessageServiceIsRequestingClose, 0xE0000100u);
    EXPECT_EQ(kIOMessageServiceIsAttemptingOpen, 0xE0000101u);
    EXPECT_EQ(kIOMessageServiceWasClosed, 0xE0000110u);
    EXPECT_EQ(kIOMessageServiceBusyStateChange, 0xE0000120u);
    EXPECT_EQ(kIOMessageConsoleSecurityChange, 0xE0000128u);
    EXPECT_EQ(kIOMessageServicePropertyChange, 0xE0000130u);
    EXPECT_EQ(kIOMessageCanDevicePowerOff, 0xE0000200u);
    EXPECT_EQ(kIOMessageDeviceWillPowerOff, 0xE0000210u);
    EXPECT_EQ(kIOMessageDeviceWillPowerOn, 0xE0000215u);
    EXPECT_EQ(kIOMessageDeviceWillNotPowerOff, 0xE0000220u);
    EXPECT_EQ(kIOMessageDeviceHasPoweredOff, 0xE0000225u);
    EXPECT_EQ(kIOMessageDeviceHasPoweredOn, 0xE0000230u);
    EXPECT_EQ(kIOMessageCanSystemPowerOff, 0xE0000240u);
    EXPECT_EQ(kIOMessageSystemWillPowerOff, 0xE0000250u);
    EXPECT_EQ(kIOMessageSystemPagingOff, 0xE0000255u);
    EXPECT_EQ(kIOMessageSystemWillNotPowerOff, 0xE0000260u);
    EXPECT_EQ(kIOMessageCanSystemSleep, 0xE0000270u);
    EXPECT_EQ(kIOMessageSystemWillSleep, 0xE0000280u);
    EXPECT_EQ(kIOMessageSystemWillNotSleep, 0xE0000290u);
    EXPECT_EQ(kIOMessageSystemHasPoweredOn, 0xE0000300u);
    EXPECT_EQ(kIOMessageSystemWillRestart, 0xE0000310u);
    EXPECT_EQ(kIOMessageSystemWillPowerOn, 0xE0000320u);
    EXPECT_EQ(kIOMessageCopyClientID, 0xE0000330u);
    EXPECT_EQ(kIOMessageSystemCapabilityChange, 0xE0000340u);
    EXPECT_EQ(kIOMessageDeviceSignaledWakeup, 0xE0000350u);
    EXPECT_EQ(kIOMessageTaskAppSuspendedChange, 0xE0000800u);
    EXPECT_EQ(iokit_family_msg(sub_iokit_usb, 0x11), 0xE0004011u);
    EXPECT_EQ(iokit_vendor_specific_msg(0x11), 0xE3FF8011u);
}

TEST(Constants, OSReturnAndKextValues)
{
    EXPECT_EQ(kOSReturnSuccess, 0);
    EXPECT_EQ(u32(kOSReturnError), 0xDC000001u);
    EXPECT_EQ(u32(kOSMetaClassHasInstances), 0xDC004002u);
    EXPECT_EQ(u32(kOSMetaClassDuplicateClass), 0xDC00400Au);
    EXPECT_EQ(u32(kOSKextReturnInternalError), 0xDC008001u);
    EXPECT_EQ(u32(kOSKextReturnNoMemory), 0xDC008002u);
    EXPECT_EQ(u32(kOSKextReturnNoResources), 0xDC008003u);
    EXPECT_EQ(u32(kOSKextReturnNotPrivileged), 0xDC008004u);
    EXPECT_EQ(u32(kOSKextReturnInvalidArgument), 0xDC008005u);
    EXPECT_EQ(u32(kOSKextReturnNotFound), 0xDC008006u);
    EXPECT_EQ(u32(kOSKextReturnDisabled), 0xDC00800Au);
    EXPECT_EQ(u32(kOSKextReturnDeferred), 0xDC008011u);
    EXPECT_EQ(u32(kOSKextReturnNotLoadable), 0xDC008013u);
    EXPECT_EQ(u32(kOSKextReturnStartStopError), 0xDC008017u);
    EXPECT_EQ(u32(kOSKextReturnInUse), 0xDC008018u);
    EXPECT_EQ(u32(kOSKextReturnTimeout), 0xDC008019u);
    EXPECT_EQ(u32(kOSKextReturnStopping), 0xDC00801Au);
    EXPECT_STREQ(kCFBundleIdentifierKey, "CFBundleIdentifier");
    EXPECT_STREQ(kOSBundleLibrariesKey, "OSBundleLibraries");
    EXPECT_STREQ(kIOKitPersonalitiesKey, "IOKitPersonalities");
}

TEST(Constants, KeyStrings)
{
    EXPECT_STREQ(kIOProviderClassKey, "IOProviderClass");
    EXPECT_STREQ(kIONameMatchKey, "IONameMatch");
    EXPECT_STREQ(kIOPropertyMatchKey, "IOPropertyMatch");
    EXPECT_STREQ(kIOPropertyExistsMatchKey, "IOPropertyExistsMatch");
    EXPECT_STREQ(kIOResourceMatchKey, "IOResourceMatch");
    EXPECT_STREQ(kIOParentMatchKey, "IOParentMatch");
    EXPECT_STREQ(kIOLocationMatchKey, "IOLocationMatch");
    EXPECT_STREQ(kIOPathMatchKey, "IOPathMatch");
    EXPECT_STREQ(kIOMatchCategoryKey, "IOMatchCategory");
    EXPECT_STREQ(kIOProbeScoreKey, "IOProbeScore");
    EXPECT_STREQ(kIOClassKey, "IOClass");
    EXPECT_STREQ(kIOUserClientClassKey, "IOUserClientClass");
    EXPECT_STREQ(kIOKitDebugKey, "IOKitDebug");
    EXPECT_STREQ(kIOServicePlane, "IOService");
    EXPECT_STREQ(kIOPowerPlane, "IOPower");
    EXPECT_STREQ(kIODeviceTreePlane, "IODeviceTree");
    EXPECT_STREQ(kIORegistryEntryIDKey, "IORegistryEntryID");
    EXPECT_STREQ(kIORegistryPlanesKey, "IORegistryPlanes");
    EXPECT_STREQ(kIOMatchedServiceCountKey, "IOMatchedServiceCountMatch");
    EXPECT_STREQ(kIOCFPlugInTypesKey, "IOCFPlugInTypes");
    EXPECT_STREQ(kIOPublishNotification, "IOServicePublish");
    EXPECT_STREQ(kIOFirstPublishNotification, "IOServiceFirstPublish");
    EXPECT_STREQ(kIOMatchedNotification, "IOServiceMatched");
    EXPECT_STREQ(kIOFirstMatchNotification, "IOServiceFirstMatch");
    EXPECT_STREQ(kIOTerminatedNotification, "IOServiceTerminate");
    EXPECT_STREQ(kIOWillTerminateNotification, "IOServiceWillTerminate");
    EXPECT_STREQ(kIOGeneralInterest, "IOGeneralInterest");
    EXPECT_STREQ(kIOBusyInterest, "IOBusyInterest");
    EXPECT_STREQ(kIOAppPowerStateInterest, "IOAppPowerStateInterest");
    EXPECT_STREQ(kIOPriorityPowerStateInterest, "IOPriorityPowerStateInterest");
    EXPECT_EQ(kIORegistryIterateRecursively, 1);
    EXPECT_EQ(kIORegistryIterateParents, 2);
}

TEST(Constants, UserSideTypes)
{
    static_assert(sizeof(io_name_t) == 128);
    static_assert(sizeof(io_string_t) == 512);
    static_assert(sizeof(io_struct_inband_t) == 4096);
    static_assert(std::is_same_v<io_object_t, mach_port_t>);
    static_assert(std::is_same_v<mach_port_t, unsigned int>);
    static_assert(std::is_same_v<io_service_t, io_object_t> && std::is_same_v<io_connect_t, io_object_t>);
    static_assert(std::is_same_v<task_port_t, mach_port_t>);
    static_assert(std::is_same_v<IOReturn, kern_return_t>);
    static_assert(sizeof(mach_vm_address_t) == 8 && sizeof(mach_vm_size_t) == 8);
    static_assert(sizeof(IOVirtualAddress) == 8);
    static_assert(sizeof(IOPhysicalAddress64) == 8);
#if defined(__x86_64__)
    static_assert(sizeof(IOByteCount) == 4, "Apple's x86_64 user-space IOByteCount is 32-bit");
    static_assert(std::is_same_v<boolean_t, unsigned int>);
#endif
    EXPECT_EQ(IO_OBJECT_NULL, 0u);
    EXPECT_EQ(MACH_PORT_NULL, 0);
}

TEST(Constants, MemoryAndCacheOptions)
{
    EXPECT_EQ(kIODefaultCache, 0);
    EXPECT_EQ(kIOInhibitCache, 1);
    EXPECT_EQ(kIOWriteThruCache, 2);
    EXPECT_EQ(kIOCopybackCache, 3);
    EXPECT_EQ(kIOWriteCombineCache, 4);
    EXPECT_EQ(kIOMapAnywhere, 0x1);
    EXPECT_EQ(kIOMapCacheMask, 0xF00);
    EXPECT_EQ(kIOMapInhibitCache, 0x100);
    EXPECT_EQ(kIOMapWriteCombineCache, 0x400);
    EXPECT_EQ(kIOMapReadOnly, 0x1000);
    EXPECT_EQ(kIOMapReference, 0x02000000);
    EXPECT_EQ(kIOMapUnique, 0x04000000);
    EXPECT_EQ(kMillisecondScale, 1000 * 1000);
    EXPECT_EQ(kIOConnectMethodVarOutputSize, -3);
}

TEST(Constants, ByteOrder)
{
    static_assert(OSSwapConstInt16(0x1234) == 0x3412);
    static_assert(OSSwapConstInt32(0x12345678u) == 0x78563412u);
    static_assert(OSSwapConstInt64(0x0102030405060708ull) == 0x0807060504030201ull);
    EXPECT_EQ(OSHostByteOrder(), OSLittleEndian);
    EXPECT_EQ(OSSwapHostToBigInt32(0x12345678u), 0x78563412u);
    EXPECT_EQ(OSSwapHostToLittleInt32(0x12345678u), 0x12345678u);
    EXPECT_EQ(OSSwapBigToHostInt16(0x3412), 0x1234);

    const std::uint8_t bytes[] = {0xFF, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    EXPECT_EQ(OSReadBigInt32(bytes, 1), 0x01020304u); // unaligned offset on purpose
    EXPECT_EQ(OSReadLittleInt32(bytes, 1), 0x04030201u);
    EXPECT_EQ(OSReadBigInt64(bytes, 1), 0x0102030405060708ull);
    EXPECT_EQ(OSReadLittleInt16(bytes, 1), 0x0201u);

    std::uint8_t out[9] = {};
    OSWriteBigInt32(out, 1, 0xA1B2C3D4u);
    OSWriteLittleInt16(out, 5, 0xBEEF);
    const std::uint8_t expected[] = {0, 0xA1, 0xB2, 0xC3, 0xD4, 0xEF, 0xBE, 0, 0};
    EXPECT_EQ(std::memcmp(out, expected, sizeof out), 0);
}

} // namespace
