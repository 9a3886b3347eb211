// <IOKit/IORegistryEntry.h>: the I/O Registry: entries, planes, paths, properties, iterators.
//
// Apple's API and semantics (xnu iokit/IOKit/IORegistryEntry.h and Kernel/IORegistryEntry.cpp):
// - The registry is a set of graphs, one per plane ("IOService", "IOPower", ...), over the same
//   entries. An entry may have several parents and children in each plane. Each link retains
//   both ends: the parent holds its child, and the child holds its parent, while attached.
// - One registry root (class IORegistryEntry, named "Root") sits above every plane. In a path,
//   the root's first child in the plane (the service root, on a Mac the platform expert device)
//   is "<plane>:/", and its descendants are "<plane>:/name@location/name...".
// - Names and locations are kept per plane or globally; the global name defaults to the class
//   name. They live in the entry's registry table, not in its property table.
// - Topology, names and locations are guarded by one global reader/writer lock; each entry's
//   property table by a per-entry recursive lock. get* results are borrowed, copy* results are
//   retained and must be released.
// Deliberate differences from xnu are listed in docs/differences.md ("Registry").
#pragma once

#include <IOKit/IOKitKeys.h>  // kIORegistryIterateRecursively, kIORegistryIterateParents
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSPtr.h>

#include <atomic>
#include <mutex>
#include <vector>

#if defined(IOKIT_ENABLE_SHARED_PTR)
#define APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR __attribute__((deprecated))
#else
#define APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR
#endif

extern const OSSymbol* gIONameKey;                                      // "IOName"
extern const OSSymbol* gIOLocationKey;                                  // "IOLocation"
extern const OSSymbol* gIORegistryEntryIDKey;                           // "IORegistryEntryID"
extern const OSSymbol* gIORegistryEntryPropertyKeysKey;                 // "IORegistryEntryPropertyKeys"
extern const OSSymbol* gIORegistryEntryAllowableSetPropertiesKey;       // "IORegistryEntryAllowableSetProperties"
extern const OSSymbol* gIORegistryEntryDefaultLockingSetPropertiesKey;  // "IORegistryEntryDefaultLockingSetProperties"

class IORegistryEntry;
class IORegistryPlane;
class IORegistryIterator;

// The planes every kernel has. xnu declares them in <IOKit/IOService.h>; they are declared here
// too (a repeated extern declaration is harmless) and defined by the registry, which makes them
// when it initialises (IORegistryEntry::initialize).
extern const IORegistryPlane* gIOServicePlane;
extern const IORegistryPlane* gIOPowerPlane;

typedef void (*IORegistryEntryApplierFunction)(IORegistryEntry* entry, void* context);

class IORegistryEntry : public OSObject {
    friend class IORegistryIterator;

    OSDeclareDefaultStructors(IORegistryEntry);

public:
    // --- Registry-wide ------------------------------------------------------------------------

    // The root of the registry (borrowed; it is never freed). Named "Root".
    static IORegistryEntry* getRegistryRoot(void);
    // Bumped by every topology, name or location change (not by property changes).
    static SInt32 getGenerationCount(void);
    // The plane of that name (borrowed), or NULL.
    static const IORegistryPlane* getPlane(const char* name);
    // A new plane, entered in the plane table and in the root's "IORegistryPlanes" property;
    // retained for the caller (who normally keeps it forever).
    static const IORegistryPlane* makePlane(const char* name);
    // Creates the root and the IOService and IOPower planes; idempotent and thread-safe. Every
    // registry entry point calls it, so explicit calls (the kernel's start-up) are optional.
    // (xnu kernel-private.)
    static IORegistryEntry* initialize(void);

    // --- Life cycle ---------------------------------------------------------------------------

    // Takes `dictionary` (retained, or copied if immutable) as the property table, or creates
    // an empty one. A string "IOName" property in it becomes the entry's global name.
    virtual bool init(OSDictionary* dictionary = NULL);
    // The entry must be detached from every plane by then (an attached entry cannot reach a
    // zero count unless over-released; that is diagnosed).
    virtual void free(void) APPLE_KEXT_OVERRIDE;

    // --- Properties (synchronized by the entry's property lock) -------------------------------

    virtual void setPropertyTable(OSDictionary* dict);

    // Collections stored while the entry is attached are made immutable, as in xnu.
    virtual bool setProperty(const OSSymbol* aKey, OSObject* anObject);
    virtual bool setProperty(const OSString* aKey, OSObject* anObject);
    virtual bool setProperty(const char* aKey, OSObject* anObject);
    // Stores an OSSymbol made from aString.
    virtual bool setProperty(const char* aKey, const char* aString);
    virtual bool setProperty(const char* aKey, bool aBoolean);
    virtual bool setProperty(const char* aKey, unsigned long long aValue, unsigned int aNumberOfBits);
    // Stores an OSData copy of the bytes.
    virtual bool setProperty(const char* aKey, void* bytes, unsigned int length);

    virtual void removeProperty(const OSSymbol* aKey);
    virtual void removeProperty(const OSString* aKey);
    virtual void removeProperty(const char* aKey);

    // Borrowed: valid while the property stays set. Prefer copyProperty when another thread
    // may change it.
    virtual OSObject* getProperty(const OSSymbol* aKey) const APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;
    virtual OSObject* getProperty(const OSString* aKey) const APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;
    virtual OSObject* getProperty(const char* aKey) const APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;

    bool propertyExists(const OSSymbol* aKey);
    bool propertyExists(const OSString* aKey);
    bool propertyExists(const char* aKey);
    bool propertyHasValue(const OSSymbol* aKey, const OSObject* value);
    bool propertyHasValue(const OSString* aKey, const OSObject* value);
    bool propertyHasValue(const char* aKey, const OSObject* value);

    // Searches this entry, then (with kIORegistryIterateRecursively) its children, or its
    // parents with kIORegistryIterateParents, depth first; the first hit wins.
    virtual OSObject* getProperty(const OSSymbol* aKey, const IORegistryPlane* plane,
                                  IOOptionBits options = kIORegistryIterateRecursively |
                                                         kIORegistryIterateParents) const
        APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;
    virtual OSObject* getProperty(const OSString* aKey, const IORegistryPlane* plane,
                                  IOOptionBits options = kIORegistryIterateRecursively |
                                                         kIORegistryIterateParents) const
        APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;
    virtual OSObject* getProperty(const char* aKey, const IORegistryPlane* plane,
                                  IOOptionBits options = kIORegistryIterateRecursively |
                                                         kIORegistryIterateParents) const
        APPLE_KEXT_DEPRECATED_WITH_SHARED_PTR;

    bool propertyExists(const OSSymbol* aKey, const IORegistryPlane* plane,
                        uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;
    bool propertyExists(const OSString* aKey, const IORegistryPlane* plane,
                        uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;
    bool propertyExists(const char* aKey, const IORegistryPlane* plane,
                        uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;
    bool propertyHasValue(const OSSymbol* aKey, const OSObject* value, const IORegistryPlane* plane,
                          uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;
    bool propertyHasValue(const OSString* aKey, const OSObject* value, const IORegistryPlane* plane,
                          uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;
    bool propertyHasValue(const char* aKey, const OSObject* value, const IORegistryPlane* plane,
                          uint32_t options = kIORegistryIterateRecursively | kIORegistryIterateParents) const;

    // Retained.
    virtual OSObject* copyProperty(const OSSymbol* aKey) const;
    virtual OSObject* copyProperty(const OSString* aKey) const;
    virtual OSObject* copyProperty(const char* aKey) const;
    virtual OSObject* copyProperty(const char* aKey, const IORegistryPlane* plane,
                                   IOOptionBits options = kIORegistryIterateRecursively |
                                                          kIORegistryIterateParents) const;
    virtual OSObject* copyProperty(const OSString* aKey, const IORegistryPlane* plane,
                                   IOOptionBits options = kIORegistryIterateRecursively |
                                                          kIORegistryIterateParents) const;
    virtual OSObject* copyProperty(const OSSymbol* aKey, const IORegistryPlane* plane,
                                   IOOptionBits options = kIORegistryIterateRecursively |
                                                          kIORegistryIterateParents) const;

    // A new dictionary (retained) holding the same values (shallow copy).
    virtual OSDictionary* dictionaryWithProperties(void) const;
    // Serializes a deep snapshot taken under the property lock.
    virtual bool serializeProperties(OSSerialize* serialize) const;
    // The live table, unsynchronized (borrowed); safe only before the entry is published.
    OSDictionary* getPropertyTable(void) const;
    // For user clients (IORegistryEntrySetCFProperties); kIOReturnUnsupported unless overridden.
    virtual IOReturn setProperties(OSObject* properties);

    typedef IOReturn (*Action)(OSObject* target, void* arg0, void* arg1, void* arg2, void* arg3);
    // Calls action with the property lock held.
    virtual IOReturn runPropertyAction(Action action, OSObject* target, void* arg0 = NULL, void* arg1 = NULL,
                                       void* arg2 = NULL, void* arg3 = NULL);

    // xnu kernel-private: the property keys (retained array).
    OSArray* copyPropertyKeys(void) const;

    // --- Topology (synchronized by the registry lock) -----------------------------------------

    // Iterators over a snapshot of the links (retained iterator; the objects it returns are
    // retained by it, even if they detach meanwhile).
    virtual OSIterator* getParentIterator(const IORegistryPlane* plane) const;
    virtual OSIterator* getChildIterator(const IORegistryPlane* plane) const;
    // Calls applier on a snapshot of the links, without the lock held.
    virtual void applyToParents(IORegistryEntryApplierFunction applier, void* context,
                                const IORegistryPlane* plane) const;
    virtual void applyToChildren(IORegistryEntryApplierFunction applier, void* context,
                                 const IORegistryPlane* plane) const;

    // The first parent/child attached (borrowed: valid while the link lasts), or NULL.
    virtual IORegistryEntry* getParentEntry(const IORegistryPlane* plane) const;
    virtual IORegistryEntry* getChildEntry(const IORegistryPlane* plane) const;
    // The same, retained.
    virtual IORegistryEntry* copyParentEntry(const IORegistryPlane* plane) const;
    virtual IORegistryEntry* copyChildEntry(const IORegistryPlane* plane) const;
    // xnu kernel-private.
    uint32_t getChildCount(const IORegistryPlane* plane) const;

    virtual bool isChild(IORegistryEntry* child, const IORegistryPlane* plane, bool onlyChild = false) const;
    virtual bool isParent(IORegistryEntry* parent, const IORegistryPlane* plane, bool onlyParent = false) const;
    // Has a parent in `plane` (any plane when NULL).
    virtual bool inPlane(const IORegistryPlane* plane = NULL) const;
    // 1 for an entry without parents, else 1 + the greatest depth of its parents.
    virtual unsigned int getDepth(const IORegistryPlane* plane) const;

    // Attach/detach are symmetric: attachToParent calls parent->attachToChild and vice versa,
    // so a subclass may override either side. Attaching twice is a no-op success; an entry
    // cannot be its own parent. The first attach assigns the registry entry ID.
    virtual bool attachToParent(IORegistryEntry* parent, const IORegistryPlane* plane);
    virtual void detachFromParent(IORegistryEntry* parent, const IORegistryPlane* plane);
    virtual bool attachToChild(IORegistryEntry* child, const IORegistryPlane* plane);
    virtual void detachFromChild(IORegistryEntry* child, const IORegistryPlane* plane);
    // Detaches from every parent in the plane.
    virtual void detachAbove(const IORegistryPlane* plane);
    // Detaches this entry from its parents and breaks every link of the subtree below it.
    virtual void detachAll(const IORegistryPlane* plane);

    // --- Names, locations, paths --------------------------------------------------------------

    // The name in `plane` if one was set there, else the global name, else the class name.
    // Valid while the entry is retained.
    virtual const char* getName(const IORegistryPlane* plane = NULL) const;
    virtual const OSSymbol* copyName(const IORegistryPlane* plane = NULL) const;
    // name: an OSString, or any OSCollection of OSStrings; *matched (if given) receives the
    // matching name, retained.
    virtual bool compareNames(OSObject* name, OSString** matched = NULL) const;
    bool compareNames(OSObject* name, OSSharedPtr<OSString>& matched) const;
    virtual bool compareName(OSString* name, OSString** matched = NULL) const;
    bool compareName(OSString* name, OSSharedPtr<OSString>& matched) const;
    virtual void setName(const OSSymbol* name, const IORegistryPlane* plane = NULL);
    virtual void setName(const char* name, const IORegistryPlane* plane = NULL);
    // xnu kernel-private.
    void setName(const OSString* name, const IORegistryPlane* plane = NULL);

    // NULL when no location was set. Valid while the entry is retained.
    virtual const char* getLocation(const IORegistryPlane* plane = NULL) const;
    virtual const OSSymbol* copyLocation(const IORegistryPlane* plane = NULL) const;
    virtual void setLocation(const OSSymbol* location, const IORegistryPlane* plane = NULL);
    virtual void setLocation(const char* location, const IORegistryPlane* plane = NULL);

    // "<plane>:/comp/comp"; *length: in, the buffer size; out, the path length. False when the
    // entry does not descend from the plane's service root, or the buffer is too small.
    virtual bool getPath(char* path, int* length, const IORegistryPlane* plane) const;
    // "name" or "name@location".
    virtual bool getPathComponent(char* path, int* length, const IORegistryPlane* plane) const;

    // Looks up "<plane>:/a/b@loc" (or a plane-less path with `plane`, or a path relative to
    // fromEntry). Characters left after the last matching component go to residualPath when
    // given, else the look-up fails. Retained, or NULL.
    static IORegistryEntry* fromPath(const char* path, const IORegistryPlane* plane = NULL, char* residualPath = NULL,
                                     int* residualLength = NULL, IORegistryEntry* fromEntry = NULL);
    virtual IORegistryEntry* childFromPath(const char* path, const IORegistryPlane* plane = NULL,
                                           char* residualPath = NULL, int* residualLength = NULL);
    // Device-tree aliases are not supported: always NULL, *opath unchanged.
    static const char* dealiasPath(const char** opath, const IORegistryPlane* plane);

    // Unique for the life of the process, assigned at the first attach (0 before); the root's
    // is 0x100000100 and later ones increase from there.
    uint64_t getRegistryEntryID(void);

private:
    // Common body of init(); the root uses it directly while the registry is being made.
    bool initTables(OSDictionary* dictionary);
    // Links, under the registry lock (borrowed; NULL when there are none).
    OSArray* getParentSetReference(const IORegistryPlane* plane) const;
    OSArray* getChildSetReference(const IORegistryPlane* plane) const;
    // Adds/removes `to` in this entry's parent or child set; registry lock held for writing.
    bool makeLink(IORegistryEntry* to, const OSSymbol* linksKey);
    void breakLink(IORegistryEntry* to, const OSSymbol* linksKey);
    // Stores a name or location symbol under `key`, keeping a replaced one alive (see .cpp).
    void setRegistryString(const OSSymbol* key, const OSSymbol* value);
    const OSSymbol* copyRegistryString(const OSSymbol* planeKey, const OSSymbol* globalKey) const;
    // Makes every collection in the property table immutable (done when the entry attaches).
    void freezePropertyCollections();
    // Path look-up helpers (registry lock held).
    IORegistryEntry* getChildFromComponent(const char** path, const IORegistryPlane* plane);
    const char* matchPathLocation(const char* cmp, const IORegistryPlane* plane);

    OSSharedPtr<OSDictionary> fRegistryTable;   // names, locations, links: registry lock
    OSSharedPtr<OSDictionary> fPropertyTable;   // fPropertyLock
    OSSharedPtr<OSArray> fRetiredStrings;       // replaced names/locations: registry lock
    mutable std::recursive_mutex fPropertyLock;
    std::atomic<uint64_t> fRegistryEntryID;
};

// Walks a plane from an entry: its children (or parents with kIORegistryIterateParents), and
// with kIORegistryIterateRecursively the whole subtree, depth first, each entry before its
// descendants, each entry once. One thread per iterator. The iterator walks the live links and
// becomes invalid (isValid() false, getNextObject() NULL) when a link set it is walking changes;
// reset() starts it again.
class IORegistryIterator : public OSIterator {
    OSDeclareDefaultStructors(IORegistryIterator);

public:
    // Retained; NULL without a start entry or plane.
    static IORegistryIterator* iterateOver(IORegistryEntry* start, const IORegistryPlane* plane,
                                           IOOptionBits options = 0);
    // From the registry root.
    static IORegistryIterator* iterateOver(const IORegistryPlane* plane, IOOptionBits options = 0);

    // Returned entries are retained while current (or while recursed into); do not release.
    IORegistryEntry* getNextObject(void) APPLE_KEXT_OVERRIDE;
    virtual IORegistryEntry* getNextObjectFlat(void);
    virtual IORegistryEntry* getNextObjectRecursive(void);
    virtual IORegistryEntry* getCurrentEntry(void);
    // Makes the current entry the root of a new level (optionally switching plane).
    virtual void enterEntry(void);
    virtual void enterEntry(const IORegistryPlane* plane);
    // Back to the level above; false at the top.
    virtual bool exitEntry(void);
    void reset(void) APPLE_KEXT_OVERRIDE;
    bool isValid(void) APPLE_KEXT_OVERRIDE;
    // Resets, walks everything recursively, and returns the entries in visiting order (retained).
    virtual OSOrderedSet* iterateAll(void);

protected:
    void free(void) APPLE_KEXT_OVERRIDE;

private:
    // One level of recursion: the entry whose links are walked (before the first step) or the
    // entry last returned at this level, and the walk over its live link set.
    struct Cursor {
        OSSharedPtr<IORegistryEntry> current;
        OSSharedPtr<OSIterator> links;
    };

    std::vector<Cursor> levels_;  // levels_[0] starts at root_; back() is the current level
    OSSharedPtr<IORegistryEntry> root_;
    OSSharedPtr<OSOrderedSet> done_;  // entries already recursed into (each entered once)
    const IORegistryPlane* plane_;
    IOOptionBits options_;
    bool invalid_;  // a link set changed under a walk (sticky until reset)
};
