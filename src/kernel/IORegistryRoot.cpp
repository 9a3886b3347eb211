// The registry as a whole: its root, its well-known keys and planes, the entry-ID counter
// (xnu iokit/Kernel/IORegistryEntry.cpp: IORegistryEntry::initialize, makePlane, getPlane;
// IOService::initialize makes the IOService and IOPower planes).
#include <IOKit/IORegistryEntry.h>

#include "IORegistryInternal.h"
#include "IORegistryPlane.h"
#include "RegistryLock.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

const OSSymbol* gIONameKey = nullptr;
const OSSymbol* gIOLocationKey = nullptr;
const OSSymbol* gIORegistryEntryIDKey = nullptr;
const OSSymbol* gIORegistryEntryPropertyKeysKey = nullptr;
const OSSymbol* gIORegistryEntryAllowableSetPropertiesKey = nullptr;
const OSSymbol* gIORegistryEntryDefaultLockingSetPropertiesKey = nullptr;

const IORegistryPlane* gIOServicePlane = nullptr;
const IORegistryPlane* gIOPowerPlane = nullptr;

namespace {

IORegistryEntry* gRegistryRoot = nullptr;  // set once by initialize(), never freed

// xnu's kIORegistryIDReserved: IDs up to here are never handed out.
constexpr uint64_t kRegistryIDReserved = (1ULL << 32) + 255;
std::atomic<uint64_t> gLastEntryID{kRegistryIDReserved};

// Serialises makePlane's two steps (enter the plane, republish the root's plane list), so that
// a slower maker cannot publish an older list over a newer one.
std::mutex gPlanePublishLock;

const IORegistryPlane* makePlaneNow(const char* name)
{
    std::lock_guard<std::mutex> publishing(gPlanePublishLock);
    // Two threads making the same plane get the same one (the loser's object would leak).
    if (const IORegistryPlane* existing = openiokit::registry::findPlane(name)) {
        return existing;
    }
    IORegistryPlane* plane = IORegistryPlane::withName(name);
    if (!plane) {
        return nullptr;
    }
    openiokit::registry::addPlane(plane);
    // The root's "IORegistryPlanes" property is a snapshot, replaced on each new plane: the
    // live table is guarded by the registry lock, property readers only take the root's
    // property lock, and the two locks are never nested.
    OSSharedPtr<OSDictionary> planes(openiokit::registry::copyPlaneTable(), OSNoRetain);
    if (planes) {
        gRegistryRoot->setProperty(kIORegistryPlanesKey, planes.get());
    }
    return plane;  // the caller's reference (xnu's makePlane returns the created plane)
}

}  // namespace

namespace openiokit::registry {

uint64_t nextEntryID()
{
    return gLastEntryID.fetch_add(1, std::memory_order_relaxed) + 1;
}

void diagnose(const char* what, const char* name)
{
    std::fprintf(stderr, "IORegistry: fatal: %s (%s)\n", what, name ? name : "?");
    std::abort();
}

}  // namespace openiokit::registry

IORegistryEntry* IORegistryEntry::initialize(void)
{
    static std::once_flag once;
    std::call_once(once, [] {
        gIONameKey = OSSymbol::withCStringNoCopy("IOName");
        gIOLocationKey = OSSymbol::withCStringNoCopy("IOLocation");
        gIORegistryEntryIDKey = OSSymbol::withCStringNoCopy(kIORegistryEntryIDKey);
        gIORegistryEntryPropertyKeysKey = OSSymbol::withCStringNoCopy(kIORegistryEntryPropertyKeysKey);
        gIORegistryEntryAllowableSetPropertiesKey =
            OSSymbol::withCStringNoCopy("IORegistryEntryAllowableSetProperties");
        gIORegistryEntryDefaultLockingSetPropertiesKey =
            OSSymbol::withCStringNoCopy("IORegistryEntryDefaultLockingSetProperties");

        // Nothing in here may call initialize() again (std::call_once does not nest): the root
        // is set up with initTables, not with the public init().
        IORegistryEntry* root = new IORegistryEntry;
        if (!root->initTables(nullptr)) {
            openiokit::registry::diagnose("cannot create the registry root", "Root");
        }
        root->fRegistryEntryID.store(openiokit::registry::nextEntryID(), std::memory_order_relaxed);
        root->setName("Root");
        gRegistryRoot = root;

        gIOServicePlane = makePlaneNow(kIOServicePlane);
        gIOPowerPlane = makePlaneNow(kIOPowerPlane);
        if (!gIOServicePlane || !gIOPowerPlane) {
            openiokit::registry::diagnose("cannot create the registry planes", "Root");
        }
    });
    return gRegistryRoot;
}

IORegistryEntry* IORegistryEntry::getRegistryRoot(void)
{
    return initialize();
}

SInt32 IORegistryEntry::getGenerationCount(void)
{
    return openiokit::registry::generationCount();
}

const IORegistryPlane* IORegistryEntry::getPlane(const char* name)
{
    initialize();
    return openiokit::registry::findPlane(name);
}

const IORegistryPlane* IORegistryEntry::makePlane(const char* name)
{
    initialize();
    return makePlaneNow(name);
}
