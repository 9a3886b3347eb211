// mach_error_string / mach_error_type: the texts macOS tools print (iokit-semantics.md §5).
#include <mach/mach_error.h>

#include <IOKit/IOReturn.h>
#include <libkern/OSKextLib.h>
#include <libkern/OSReturn.h>

#include <gtest/gtest.h>

#include <string>

namespace {

std::string text(mach_error_t error)
{
    return mach_error_string(error);
}

TEST(MachErrorString, ExamplesFromTheSpec)
{
    EXPECT_EQ(text(static_cast<mach_error_t>(0xE00002C7)), "(iokit/common) unsupported function");
    EXPECT_EQ(text(static_cast<mach_error_t>(0xE00002D9)), "(iokit/common) device not attached");
    EXPECT_EQ(text(static_cast<mach_error_t>(0xDC008018)),
              "(libkern/kext) kext is in use or retained (cannot unload)");
    EXPECT_EQ(text(0), "(os/kern) successful");
    EXPECT_EQ(text(5), "(os/kern) failure");
    EXPECT_EQ(text(0x10000003), "(ipc/send) invalid destination port");
    EXPECT_EQ(text(MACH_SEND_INVALID_DEST), "(ipc/send) invalid destination port");
}

TEST(MachErrorString, NamedConstantsMatchTheirTexts)
{
    EXPECT_EQ(text(kIOReturnSuccess), "(os/kern) successful");
    EXPECT_EQ(text(kIOReturnError), "(iokit/common) general error");
    EXPECT_EQ(text(kIOReturnBadArgument), "(iokit/common) invalid argument");
    EXPECT_EQ(text(kIOReturnNotPrivileged), "(iokit/common) privilege violation");
    EXPECT_EQ(text(kIOReturnNotPermitted), "(iokit/common) not permitted");
    EXPECT_EQ(text(kIOReturnExclusiveAccess), "(iokit/common) exclusive access and device already open");
    EXPECT_EQ(text(kIOReturnNoDevice), "(iokit/common) no such device");
    EXPECT_EQ(text(kIOReturnOffline), "(iokit/common) device offline");
    EXPECT_EQ(text(kIOReturnTimeout), "(iokit/common) I/O Timeout");
    EXPECT_EQ(text(kIOReturnNotFound), "(iokit/common) data was not found");
    EXPECT_EQ(text(kIOReturnInvalid), "(iokit/common) invalid - should never be seen");
    EXPECT_EQ(text(KERN_INVALID_ARGUMENT), "(os/kern) invalid argument");
    EXPECT_EQ(text(KERN_NOT_FOUND), "(os/kern) result not found");
    EXPECT_EQ(text(kOSReturnError), "(libkern/common) general/unspecified error");
    EXPECT_EQ(text(kOSMetaClassHasInstances), "(libkern/metaclass) class has instances");
    EXPECT_EQ(text(kOSMetaClassDuplicateClass), "(libkern/metaclass) duplicate class name encountered");
    EXPECT_EQ(text(kOSKextReturnNotFound), "(libkern/kext) not found");
    EXPECT_EQ(text(kOSKextReturnStopping), "(libkern/kext) kext is stopping and cannot issue requests");
    EXPECT_EQ(text(-308), "(ipc/mig) server died"); // MIG_SERVER_DIED, a legacy negative code
}

TEST(MachErrorString, EveryKernReturnHasOsKernText)
{
    for (kern_return_t code = KERN_SUCCESS; code <= KERN_NOT_FOUND; ++code) {
        EXPECT_EQ(text(code).rfind("(os/kern) ", 0), 0u) << code;
    }
    EXPECT_EQ(text(KERN_NOT_FOUND + 1), "unknown error code");
}

TEST(MachErrorString, EveryCommonIOReturnHasIOKitText)
{
    for (int code = 0x2bc; code <= 0x2f0; ++code) {
        EXPECT_EQ(text(iokit_common_err(code)).rfind("(iokit/common) ", 0), 0u) << std::hex << code;
    }
    EXPECT_EQ(text(iokit_common_err(0x2bb)), "unknown error code");
    EXPECT_EQ(text(iokit_common_err(0x2f1)), "unknown error code");
}

TEST(MachErrorString, EveryKextReturnHasKextText)
{
    for (int code = 1; code <= 0x1e; ++code) {
        EXPECT_EQ(text(libkern_kext_err(code)).rfind("(libkern/kext) ", 0), 0u) << code;
    }
    for (int code = 1; code <= 11; ++code) {
        EXPECT_EQ(text(libkern_metaclass_err(code)).rfind("(libkern/metaclass) ", 0), 0u) << code;
    }
}

TEST(MachErrorString, UnknownPartsFallBackLikeLibsyscall)
{
    EXPECT_EQ(text(iokit_family_err(sub_iokit_usb, 0x3fff)), "unknown error code");
    EXPECT_EQ(text(iokit_family_err(sub_iokit_hidsystem, 1)), "(iokit/?) unknown subsystem error");
    EXPECT_EQ(text(iokit_vendor_specific_err(1)), "unknown error code");
    EXPECT_EQ(text(err_system(0x20) | 1), "(?/?) unknown error system");
}

TEST(MachErrorType, NamesTheSubsystem)
{
    EXPECT_STREQ(mach_error_type(kIOReturnBadArgument), "(iokit/common)");
    EXPECT_STREQ(mach_error_type(kOSKextReturnInUse), "(libkern/kext)");
    EXPECT_STREQ(mach_error_type(KERN_FAILURE), "(os/kern)");
    EXPECT_STREQ(mach_error_type(MACH_SEND_INVALID_DEST), "(ipc/send)");
    EXPECT_STREQ(mach_error_type(iokit_vendor_specific_err(5)), "(iokit/vendor)");
    EXPECT_STREQ(mach_error_type(iokit_family_err(sub_iokit_hidsystem, 1)), "(?/?)");
}

} // namespace
