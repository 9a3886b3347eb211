// The functions a kext calls about itself (<libkern/OSKextLib.h>). The calling kext is the one
// whose image holds the caller's return address, which is what xnu's per-kext kmod_info linkage
// amounts to.
#include "KextState.h"

#include <IOKit/IOLib.h>

namespace {

std::shared_ptr<const openiokit::kexts::ModuleIdentity> caller(const void* returnAddress)
{
    return openiokit::kexts::identityForAddress(reinterpret_cast<uintptr_t>(returnAddress));
}

}  // namespace

extern "C" const char* OSKextGetCurrentIdentifier(void)
{
    auto identity = caller(__builtin_return_address(0));
    // The identity lives as long as the image the caller's code is in.
    return identity ? identity->identifier.c_str() : kOSKextKernelIdentifier;
}

extern "C" const char* OSKextGetCurrentVersionString(void)
{
    auto identity = caller(__builtin_return_address(0));
    return identity ? identity->versionString.c_str() : "24.0.0";
}

extern "C" OSKextLoadTag OSKextGetCurrentLoadTag(void)
{
    auto identity = caller(__builtin_return_address(0));
    return identity ? identity->loadTag : 0;
}

extern "C" OSReturn OSKextRetainKextWithLoadTag(OSKextLoadTag loadTag)
{
    OSKext* kext = OSKext::lookupKextWithLoadTag(loadTag);  // kept until the matching release
    if (!kext) {
        IOLog("Can't retain kext with load tag %u - no such kext is loaded.\n", loadTag);
        return kOSKextReturnNotFound;
    }
    if (kext->isKernelComponent()) {
        kext->release();
        return kOSKextReturnInvalidArgument;
    }
    // No kext lock here (see KextState::autounloadEnabled).
    kext->state().loadTagRetains.fetch_add(1);
    kext->state().autounloadEnabled = true;
    return kOSReturnSuccess;
}

extern "C" OSReturn OSKextReleaseKextWithLoadTag(OSKextLoadTag loadTag)
{
    OSKext* kext = OSKext::lookupKextWithLoadTag(loadTag);
    if (!kext) {
        IOLog("Can't release kext with load tag %u - no such kext is loaded.\n", loadTag);
        return kOSKextReturnNotFound;
    }
    if (kext->isKernelComponent()) {
        kext->release();
        return kOSKextReturnInvalidArgument;
    }
    // No kext lock here either: decrement only a positive count.
    int retains = kext->state().loadTagRetains.load();
    do {
        if (retains == 0) {
            kext->release();
            IOLog("Can't release kext with load tag %u - it is not retained.\n", loadTag);
            return kOSKextReturnInvalidArgument;
        }
    } while (!kext->state().loadTagRetains.compare_exchange_weak(retains, retains - 1));
    kext->release();  // the look-up
    kext->release();  // the retain being given back
    OSKext::considerUnloads();
    return kOSReturnSuccess;
}
