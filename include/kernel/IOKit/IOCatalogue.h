// <IOKit/IOCatalogue.h>: the in-kernel database of driver personalities that matching draws on
// (iokit-semantics.md §4.1, §4.5). Apple's class name and signatures for the part OpenIOKit
// implements so far: adding, removing and finding personalities, and the generation count.
// Termination by module (terminateDrivers, terminateDriversForModule) and module-load tracking
// come with kext loading.
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

private:
    struct Personalities;
    std::unique_ptr<Personalities> personalities_;
};

extern IOCatalogue* gIOCatalogue;
