// <libkern/OSKextLib.h>: kext-management return codes and Info.plist key strings, values
// exactly as Apple's (iokit-semantics.md §5.3), and (KERNEL) the functions a kext calls about
// itself: its identifier/load tag and retaining a kext against unload.
#pragma once

#include <libkern/OSReturn.h>
#include <stdint.h>

#define sub_libkern_kext err_sub(2)
#define libkern_kext_err(code) (sys_libkern | sub_libkern_kext | (code))

#define kOSKextReturnInternalError libkern_kext_err(0x1)
#define kOSKextReturnNoMemory libkern_kext_err(0x2)
#define kOSKextReturnNoResources libkern_kext_err(0x3)
#define kOSKextReturnNotPrivileged libkern_kext_err(0x4)
#define kOSKextReturnInvalidArgument libkern_kext_err(0x5)
#define kOSKextReturnNotFound libkern_kext_err(0x6)
#define kOSKextReturnBadData libkern_kext_err(0x7)
#define kOSKextReturnSerialization libkern_kext_err(0x8)
#define kOSKextReturnUnsupported libkern_kext_err(0x9)
#define kOSKextReturnDisabled libkern_kext_err(0xa)
#define kOSKextReturnNotAKext libkern_kext_err(0xb)
#define kOSKextReturnValidation libkern_kext_err(0xc)
#define kOSKextReturnAuthentication libkern_kext_err(0xd)
#define kOSKextReturnDependencies libkern_kext_err(0xe)
#define kOSKextReturnArchNotFound libkern_kext_err(0xf)
#define kOSKextReturnCache libkern_kext_err(0x10)
#define kOSKextReturnDeferred libkern_kext_err(0x11)
#define kOSKextReturnBootLevel libkern_kext_err(0x12)
#define kOSKextReturnNotLoadable libkern_kext_err(0x13)
#define kOSKextReturnLoadedVersionDiffers libkern_kext_err(0x14)
#define kOSKextReturnDependencyLoadError libkern_kext_err(0x15)
#define kOSKextReturnLinkError libkern_kext_err(0x16)
#define kOSKextReturnStartStopError libkern_kext_err(0x17)
#define kOSKextReturnInUse libkern_kext_err(0x18)
#define kOSKextReturnTimeout libkern_kext_err(0x19)
#define kOSKextReturnStopping libkern_kext_err(0x1a)
#define kOSKextReturnSystemPolicy libkern_kext_err(0x1b)
#define kOSKextReturnKCLoadFailure libkern_kext_err(0x1c)
#define kOSKextReturnKCLoadFailureSystemKC libkern_kext_err(0x1d)
#define kOSKextReturnKCLoadFailureAuxKC libkern_kext_err(0x1e)

// CFBundle keys (the kernel has no CoreFoundation, so libkern names them itself).
#define kCFBundleIdentifierKey "CFBundleIdentifier"
#define kCFBundleIdentifierKernelKey "CFBundleIdentifierKernel"
#define kCFBundleVersionKey "CFBundleVersion"
#define kCFBundleNameKey "CFBundleName"
#define kCFBundleExecutableKey "CFBundleExecutable"
#define kCFBundlePackageTypeKey "CFBundlePackageType"

// OSBundle keys of a kext's Info.plist.
#define kOSBundleCompatibleVersionKey "OSBundleCompatibleVersion"
#define kOSBundleEnableKextLoggingKey "OSBundleEnableKextLogging"
#define kOSBundleIsInterfaceKey "OSBundleIsInterface"
#define kOSBundleLibrariesKey "OSBundleLibraries"
#define kOSBundleRequiredKey "OSBundleRequired"
#define kOSBundleRequireExplicitLoadKey "OSBundleRequireExplicitLoad"
#define kOSBundleAllowUserLoadKey "OSBundleAllowUserLoad"
#define kOSBundleAllowUserTerminateKey "OSBundleAllowUserTerminate"
#define kOSKernelResourceKey "OSKernelResource"
#define kOSBundleDebugLevelKey "OSBundleDebugLevel"
#define kOSBundleSharedExecutableIdentifierKey "OSBundleSharedExecutableIdentifier"
#define kIOKitPersonalitiesKey "IOKitPersonalities"

#define kOSKextKernelIdentifier "__kernel__"
#define kOSKextBundlePackageTypeKext "KEXT"
#define kOSKextBundlePackageTypeDriverKit "DEXT"

// Values of OSBundleRequired.
#define kOSBundleRequiredRoot "Root"
#define kOSBundleRequiredLocalRoot "Local-Root"
#define kOSBundleRequiredNetworkRoot "Network-Root"
#define kOSBundleRequiredSafeBoot "Safe Boot"
#define kOSBundleRequiredConsole "Console"
#define kOSBundleRequiredDriverKit "DriverKit"

// Bundle-identifier prefix of Apple's own kexts (the user-terminate policy refuses them).
#define kOSKextAppleIdentifierPrefix "com.apple."

// Load tags: kextstat's Index column. The kernel is 0.
typedef uint32_t OSKextLoadTag;
#define kOSKextInvalidLoadTag ((OSKextLoadTag)(-1))

#ifdef KERNEL
#ifdef __cplusplus
extern "C" {
#endif

// The calling kext's bundle identifier, version string and load tag (the kernel's for code
// outside any kext). The strings live as long as the kext is loaded.
const char *OSKextGetCurrentIdentifier(void);
const char *OSKextGetCurrentVersionString(void);
OSKextLoadTag OSKextGetCurrentLoadTag(void);

// Keeps the kext with `loadTag` from unloading until the matching release; enables its
// autounload. kOSKextReturnNotFound for an unknown tag, kOSKextReturnInvalidArgument for the
// kernel's.
OSReturn OSKextRetainKextWithLoadTag(OSKextLoadTag loadTag);
// Drops a reference taken by OSKextRetainKextWithLoadTag and lets autounload reconsider.
OSReturn OSKextReleaseKextWithLoadTag(OSKextLoadTag loadTag);

#ifdef __cplusplus
}
#endif
#endif /* KERNEL */
