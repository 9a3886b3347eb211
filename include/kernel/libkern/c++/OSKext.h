// <libkern/c++/OSKext.h>: a kext known to the kernel (iokit-semantics.md §1.3, §1.6, §1.7,
// §4.5). Apple's class and names for the subset OpenIOKit implements: looking kexts up, loading
// by identifier, removing (unloading) with xnu's checks and messages, and autounload.
//
// A kext is an Apple-layout bundle (Foo.kext/Contents/Info.plist + Contents/MacOS/<exe>, an ELF
// shared object); the loader lives in src/kernel/Kext*.cpp. A loaded kext is held by the
// identifier table and the loaded list (kOSKextMinLoadedRetainCount = 2). What blocks unloading
// is xnu's "linkage or tracking object": each dependent kext and each
// OSKextRetainKextWithLoadTag. Those are counted apart from the OSObject retain count, so a
// look-up's reference (lookupKext*, kextstat's snapshot) never makes a kext look in use.
// All functions are thread-safe; loading and unloading are serialised by one recursive lock.
#pragma once

#include <libkern/OSKextLib.h>
#include <libkern/c++/OSObject.h>
#include <mach/vm_types.h>

#include <memory>

class OSArray;
class OSDictionary;
class OSString;
class OSSymbol;

typedef int64_t OSKextVersion;
#define kOSKextMinRetainCount 1
#define kOSKextMinLoadedRetainCount 2

namespace openiokit::kexts {
struct KextState;  // loader state of one kext (image, dependencies, flags)
}

class OSKext : public OSObject {
    OSDeclareDefaultStructors(OSKext);

public:
    // Retained, or NULL.
    static OSKext* lookupKextWithIdentifier(const char* kextIdentifier);
    static OSKext* lookupKextWithIdentifier(OSString* kextIdentifier);
    static OSKext* lookupKextWithLoadTag(OSKextLoadTag aTag);
    // The kext whose image contains `address` (code or data), retained, or NULL.
    static OSKext* lookupKextWithAddress(vm_address_t address);

    // Loads the kext with this identifier from the extension directories (dependencies first).
    static OSReturn loadKextWithIdentifier(const char* kextIdentifier);
    // §1.3. With terminateServicesAndRemovePersonalities, terminates the kext's services first
    // (refusing exactly as IOCatalogue::terminateDriversForModule does) and, once unloaded,
    // removes its personalities with rematching.
    static OSReturn removeKextWithIdentifier(const char* kextIdentifier,
                                             bool terminateServicesAndRemovePersonalities = false);
    static OSReturn removeKextWithLoadTag(OSKextLoadTag loadTag,
                                          bool terminateServicesAndRemovePersonalities = false);
    // False if dependents or OSKextRetainKextWithLoadTag hold the kext or (checkClasses) its
    // classes have instances. True for an unknown identifier.
    static bool canUnloadKextWithIdentifier(OSString* kextIdentifier, bool checkClasses = true);
    // Arms the autounload scan (sConsiderUnloadDelay after now); rescheduleOnly only pushes back
    // a scan already pending.
    static void considerUnloads(Boolean rescheduleOnly = false);
    // Globally allows or refuses unloading (xnu's sUnloadEnabled); refused unloads return
    // kOSKextReturnDisabled.
    static void setUnloadEnabled(bool enabled);

    const OSSymbol* getIdentifier(void);
    const char* getIdentifierCString(void);
    OSKextVersion getVersion(void);
    OSKextLoadTag getLoadTag(void);
    bool isLoaded(void);
    bool isKernelComponent(void);
    bool isInterface(void);
    // A value from the kext's Info.plist, not retained.
    OSObject* getPropertyForHostArch(const char* key);

    // §1.6, in xnu's order and words.
    OSReturn unload(void);
    // Sends the kext's IOKitPersonalities to gIOCatalogue (each gets CFBundleIdentifier).
    OSReturn sendPersonalitiesToCatalog(bool startMatching = false, OSArray* personalityNames = NULL);
    // Removes the kext's personalities from gIOCatalogue and rematches.
    void removePersonalitiesFromCatalog(void);

    void free(void) APPLE_KEXT_OVERRIDE;

    // Loader state, owned by the OSKext (internal to the kernel library).
    openiokit::kexts::KextState& state();

private:
    friend struct openiokit::kexts::KextState;
    std::unique_ptr<openiokit::kexts::KextState> state_;
};
