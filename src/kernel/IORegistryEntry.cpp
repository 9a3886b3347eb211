// IORegistryEntry: life cycle, registry entry ID, names and locations (xnu
// iokit/Kernel/IORegistryEntry.cpp semantics). Properties, links and paths are in the sibling
// files IORegistryEntryProperties.cpp, IORegistryEntryLinks.cpp and IORegistryEntryPath.cpp.
//
// Each entry has two tables, as in xnu (IOREGSPLITTABLES):
// - the property table, which clients see, guarded by the entry's own recursive lock;
// - the registry table, private, guarded by the global registry lock: the global name
//   ("IOName") and location ("IOLocation"), and per plane the name ("<plane>Name"), location
//   ("<plane>Location") and the parent and child link arrays ("<plane>ParentLinks",
//   "<plane>ChildLinks").
#include <IOKit/IORegistryEntry.h>

#include "IORegistryInternal.h"
#include "IORegistryPlane.h"
#include "RegistryLock.h"

#include <cstring>

OSDefineMetaClassAndStructors(IORegistryEntry, OSObject);

namespace registry = openiokit::registry;

namespace {

// xnu's kIORegCapacityIncrement: registry and property tables start small.
constexpr unsigned int kTableCapacity = 4;

OSDictionary* newTable()
{
    OSDictionary* table = OSDictionary::withCapacity(kTableCapacity);
    if (table) {
        table->setCapacityIncrement(kTableCapacity);
    }
    return table;
}

bool hasSuffix(const OSSymbol* key, const char* suffix)
{
    const size_t keyLength = key->getLength();
    const size_t suffixLength = std::strlen(suffix);
    return keyLength > suffixLength &&
           std::strcmp(key->getCStringNoCopy() + keyLength - suffixLength, suffix) == 0;
}

}  // namespace

// --- Life cycle -------------------------------------------------------------------------------

bool IORegistryEntry::init(OSDictionary* dictionary)
{
    initialize();
    return initTables(dictionary);
}

bool IORegistryEntry::initTables(OSDictionary* dictionary)
{
    if (!OSObject::init()) {
        return false;
    }

    if (dictionary) {
        // An immutable dictionary is copied (it could not take setProperty); any other is
        // adopted as the live table, as xnu does: the caller's later changes show through.
        OSSharedPtr<OSDictionary> table;
        if (dictionary->setOptions(0, 0) & OSCollection::kImmutable) {
            OSSharedPtr<OSCollection> copy(dictionary->copyCollection(), OSNoRetain);
            table = OSDynamicPtrCast<OSDictionary>(copy);
        } else {
            table.reset(dictionary, OSRetain);
        }
        if (!table) {
            return false;
        }
        std::lock_guard<std::recursive_mutex> locked(fPropertyLock);
        fPropertyTable = table;
    } else if (!fPropertyTable) {
        fPropertyTable.reset(newTable(), OSNoRetain);
    }
    if (!fPropertyTable) {
        return false;
    }

    if (!fRegistryTable) {
        fRegistryTable.reset(newTable(), OSNoRetain);
        if (!fRegistryTable) {
            return false;
        }
    }

    // A personality's "IOName" names the entry (the property stays, as in xnu).
    if (OSString* name = OSDynamicCast(OSString, getProperty(gIONameKey))) {
        OSSharedPtr<const OSSymbol> symbol(OSSymbol::withString(name), OSNoRetain);
        setName(symbol.get());
    }
    return true;
}

void IORegistryEntry::free(void)
{
    if (fRegistryTable) {
        // Each link retains both ends, so an attached entry reaches here only if it was
        // released once too often. xnu panics ("attached at free()") for the IOService plane.
        registry::ReadLocker locked;
        bool attached = false;
        fRegistryTable->iterateObjects([&attached](const OSSymbol* key, OSObject*) {
            attached = hasSuffix(key, "ParentLinks") || hasSuffix(key, "ChildLinks");
            return attached;
        });
        if (attached) {
            registry::diagnose("registry entry attached at free()", getName());
        }
    }
    {
        std::lock_guard<std::recursive_mutex> locked(fPropertyLock);
        fPropertyTable.reset();
    }
    fRegistryTable.reset();
    fRetiredStrings.reset();
    OSObject::free();
}

uint64_t IORegistryEntry::getRegistryEntryID(void)
{
    return fRegistryEntryID.load(std::memory_order_relaxed);
}

// --- Names and locations ----------------------------------------------------------------------

const OSSymbol* IORegistryEntry::copyRegistryString(const OSSymbol* planeKey, const OSSymbol* globalKey) const
{
    registry::ReadLocker locked;
    if (!fRegistryTable) {
        return nullptr;
    }
    OSObject* found = planeKey ? fRegistryTable->getObject(planeKey) : nullptr;
    if (!found) {
        found = fRegistryTable->getObject(globalKey);
    }
    const OSSymbol* symbol = OSDynamicCast(OSSymbol, found);
    if (symbol) {
        symbol->retain();
    }
    return symbol;
}

void IORegistryEntry::setRegistryString(const OSSymbol* key, const OSSymbol* value)
{
    registry::WriteLocker locked;
    if (!fRegistryTable) {
        return;
    }
    // getName() and getLocation() return the symbol's text, borrowed "while the entry is
    // retained". xnu frees a replaced name at once, so a concurrent reader can be left with
    // freed text; keeping replaced symbols until the entry is freed makes the promise true.
    OSObject* old = fRegistryTable->getObject(key);
    if (old && old != value) {
        if (!fRetiredStrings) {
            fRetiredStrings.reset(OSArray::withCapacity(1), OSNoRetain);
        }
        if (fRetiredStrings && fRetiredStrings->getNextIndexOfObject(old, 0) == (unsigned int)-1) {
            fRetiredStrings->setObject(old);
        }
    }
    fRegistryTable->setObject(key, value);
}

const char* IORegistryEntry::getName(const IORegistryPlane* plane) const
{
    OSSharedPtr<const OSSymbol> name(copyRegistryString(plane ? plane->pathNameKey() : nullptr, gIONameKey),
                                     OSNoRetain);
    // The text stays valid after the release: the registry table (or the retired list) holds
    // the symbol as long as the entry lives.
    return name ? name->getCStringNoCopy() : getMetaClass()->getClassName();
}

const OSSymbol* IORegistryEntry::copyName(const IORegistryPlane* plane) const
{
    const OSSymbol* name = copyRegistryString(plane ? plane->pathNameKey() : nullptr, gIONameKey);
    return name ? name : OSSymbol::withCString(getMetaClass()->getClassName());
}

void IORegistryEntry::setName(const OSSymbol* name, const IORegistryPlane* plane)
{
    if (name) {
        setRegistryString(plane ? plane->pathNameKey() : gIONameKey, name);
    }
}

void IORegistryEntry::setName(const char* name, const IORegistryPlane* plane)
{
    OSSharedPtr<const OSSymbol> symbol(name ? OSSymbol::withCString(name) : nullptr, OSNoRetain);
    if (symbol) {
        setName(symbol.get(), plane);
    }
}

void IORegistryEntry::setName(const OSString* name, const IORegistryPlane* plane)
{
    OSSharedPtr<const OSSymbol> symbol(name ? OSSymbol::withString(name) : nullptr, OSNoRetain);
    if (symbol) {
        setName(symbol.get(), plane);
    }
}

const OSSymbol* IORegistryEntry::copyLocation(const IORegistryPlane* plane) const
{
    return copyRegistryString(plane ? plane->pathLocationKey() : nullptr, gIOLocationKey);
}

const char* IORegistryEntry::getLocation(const IORegistryPlane* plane) const
{
    OSSharedPtr<const OSSymbol> location(copyLocation(plane), OSNoRetain);
    return location ? location->getCStringNoCopy() : nullptr;  // kept alive as in getName
}

void IORegistryEntry::setLocation(const OSSymbol* location, const IORegistryPlane* plane)
{
    if (location) {
        setRegistryString(plane ? plane->pathLocationKey() : gIOLocationKey, location);
    }
}

void IORegistryEntry::setLocation(const char* location, const IORegistryPlane* plane)
{
    OSSharedPtr<const OSSymbol> symbol(location ? OSSymbol::withCString(location) : nullptr, OSNoRetain);
    if (symbol) {
        setLocation(symbol.get(), plane);
    }
}

bool IORegistryEntry::compareName(OSString* name, OSString** matched) const
{
    if (!name) {
        return false;
    }
    OSSharedPtr<const OSSymbol> ours(copyName(), OSNoRetain);  // the global name
    const bool isEqual = ours && ours->isEqualTo(name);
    if (isEqual && matched) {
        name->retain();
        *matched = name;
    }
    return isEqual;
}

bool IORegistryEntry::compareNames(OSObject* names, OSString** matched) const
{
    // Each candidate goes through the virtual compareName, so subclasses can match differently.
    if (OSCollection* collection = OSDynamicCast(OSCollection, names)) {
        OSSharedPtr<OSCollectionIterator> iter(OSCollectionIterator::withCollection(collection), OSNoRetain);
        while (OSString* name = iter ? OSDynamicCast(OSString, iter->getNextObject()) : nullptr) {
            if (compareName(name, matched)) {
                return true;
            }
        }
        return false;
    }
    OSString* name = OSDynamicCast(OSString, names);
    return name && compareName(name, matched);
}

bool IORegistryEntry::compareName(OSString* name, OSSharedPtr<OSString>& matched) const
{
    OSString* matchedRaw = nullptr;
    const bool result = compareName(name, &matchedRaw);
    matched.reset(matchedRaw, OSNoRetain);
    return result;
}

bool IORegistryEntry::compareNames(OSObject* names, OSSharedPtr<OSString>& matched) const
{
    OSString* matchedRaw = nullptr;
    const bool result = compareNames(names, &matchedRaw);
    matched.reset(matchedRaw, OSNoRetain);
    return result;
}
