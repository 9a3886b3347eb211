// <IOKit/IOCatalogue.h>: the in-kernel database of driver personalities that matching draws on
// (iokit-semantics.md §4.1, §4.5). Apple's class name and signatures for the part OpenIOKit
// implements so far: adding, removing and finding personalities, and the generation count.
// terminating services by class or module (terminateDrivers, terminateDriversForModule) with
// xnu's refusal rules (§1.4, §1.5).
//
// Apple declares the returns as OSPtr<>; they are plain retained pointers here, which is what
// OSPtr<> means unless a kext opts into IOKIT_ENABLE_SHARED_PTR.
#pragma once

#include <IOKit/IOLib.h>
#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSOrderedSet.h>
#include <libkern/c++/OSPtr.h>
#include <device/device_types.h>

#include <memory>

class IOService;
class OSSymbol;

extern const OSSymbol* gIOClassKey;                   // "IOClass"
extern const OSSymbol* gIOProbeScoreKey;              // "IOProbeScore"
extern const OSSymbol* gIOModuleIdentifierKey;        // "CFBundleIdentifier"
extern const OSSymbol* gIOModuleIdentifierKernelKey;  // "CFBundleIdentifierKernel"

class IOCatalogue : public OSObject {
    OSDeclareDefaultStructors(IOCatalogue);

public:
    // Creates gIOCatalogue (idempotent; IOService::initialize calls it).
    static void initialize(void);

    // Starts with the personalities in `initArray` (may be NULL); each must have an IOClass.
    bool init(OSArray* initArray);
    void free(void) APPLE_KEXT_OVERRIDE;

    // The personalities whose IOProviderClass is the service's class or one of its superclasses
    // up to IOService, highest IOProbeScore first (equal scores: the more derived class first,
    // then the order they were added). Retained; *generationCount receives the generation the
    // answer belongs to.
    OSOrderedSet* findDrivers(IOService* service, SInt32* generationCount);
    // The personalities that hold every key of `matching` with an equal value. Retained.
    OSOrderedSet* findDrivers(OSDictionary* matching, SInt32* generationCount);

    // Adds the personalities (dictionaries) of `array`, dropping exact duplicates of ones already
    // present. With doNubMatching, every registered service that passively matches one of the new
    // personalities starts matching again (asynchronously) and the generation count goes up.
    // False if `array` holds something other than a dictionary.
    bool addDrivers(OSArray* array, bool doNubMatching = true);
    // Removes every personality that holds all the keys of `matching` with equal values; with
    // doNubMatching, the services they matched are rematched so other drivers may take them.
    bool removeDrivers(OSDictionary* matching, bool doNubMatching = true);

    SInt32 getGenerationCount(void) const;

    // Terminates every registered service that is an instance of `className` (or a subclass;
    // may be NULL) and whose property table holds every key of `matching` (may be NULL) with an
    // equal value: terminate(kIOServiceRequired | kIOServiceSynchronous unless asynchronous).
    // Refused with kIOReturnUnsupported, before terminating anything further, for a service of a
    // kext whose OSBundleAllowUserTerminate is false (or, without the key, a com.apple.* kext or
    // the kernel), and when a service's terminate() returns false. kIOReturnBadArgument if both
    // are NULL.
    IOReturn terminateDrivers(OSDictionary* matching, io_name_t className, bool asynchronous = false);
    // The single-argument form: terminate synchronously, then remove the matching personalities.
    IOReturn terminateDrivers(OSDictionary* matching);
    // §1.4: kOSKextReturnInUse (terminating nothing) if dependents or
    // OSKextRetainKextWithLoadTag hold the loaded kext; else terminates its services, removes its personalities without
    // rematching (they are not restored if the unload then fails) and, with `unload`, removes
    // the kext (OSKext::removeKextWithIdentifier).
    IOReturn terminateDriversForModule(OSString* moduleName, bool unload = true, bool asynchronous = false);
    IOReturn terminateDriversForModule(const char* moduleName, bool unload = true, bool asynchronous = false);
    // Removes the personalities of `moduleName` (CFBundleIdentifier) and rematches.
    bool removePersonalities(const char* moduleName);

    // Load on demand (§4.2 step 3, §4.5). True if the personality's kext
    // (CFBundleIdentifierKernel, else CFBundleIdentifier) is loaded or its IOClass exists; a
    // personality without a bundle identifier is the kernel's and counts as loaded. kextRef (may
    // be NULL) receives the loaded kext, retained, or NULL. findDrivers(IOService*) leaves out a
    // personality for which this is false and asks the kext loader to load the kext for that
    // service (xnu's isModuleLoaded asks kextd); the loader calls moduleHasLoaded once it has.
    bool isModuleLoaded(OSDictionary* driver, OSObject** kextRef = NULL) const;
    // kextd's IOCatalogueModuleLoaded: starts matching for the module's personalities.
    void moduleHasLoaded(const OSSymbol* moduleName);
    void moduleHasLoaded(const char* moduleName);
    // Every registered service that passively matches one of the module's personalities
    // (CFBundleIdentifierKernel or CFBundleIdentifier equal to `moduleName`) matches again.
    bool startMatching(const OSSymbol* moduleName);

private:
    struct Personalities;
    std::unique_ptr<Personalities> personalities_;
};

extern IOCatalogue* gIOCatalogue;
