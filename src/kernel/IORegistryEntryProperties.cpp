// IORegistryEntry's property table (xnu iokit/Kernel/IORegistryEntry.cpp semantics).
//
// Every access holds the entry's property lock (a recursive mutex, xnu's per-entry
// IORecursiveLock). The OSString and C-string forms of each accessor convert the key to a symbol
// and go through the virtual OSSymbol form, so a subclass that overrides only that form sees
// every access, as in xnu.
#include <IOKit/IORegistryEntry.h>

#include "RegistryLock.h"

namespace {

using PropertyLocker = std::lock_guard<std::recursive_mutex>;

OSSharedPtr<const OSSymbol> symbolFor(const char* key)
{
    return OSSharedPtr<const OSSymbol>(key ? OSSymbol::withCString(key) : nullptr, OSNoRetain);
}

OSSharedPtr<const OSSymbol> symbolFor(const OSString* key)
{
    return OSSharedPtr<const OSSymbol>(key ? OSSymbol::withString(key) : nullptr, OSNoRetain);
}

// Stores a freshly made value (adopting the caller's reference) under a C-string key.
bool setNewValue(IORegistryEntry* entry, const char* key, OSObject* value)
{
    OSSharedPtr<OSObject> owned(value, OSNoRetain);
    OSSharedPtr<const OSSymbol> symbol = symbolFor(key);
    return owned && symbol && entry->setProperty(symbol.get(), owned.get());
}

// The getProperty/copyProperty search (xnu's wrap4/wrap5): this entry first; then, with
// kIORegistryIterateRecursively, each entry an IORegistryIterator visits from here (children,
// or parents with kIORegistryIterateParents), depth first, until one has the key.
template <typename Key, typename Lookup>
OSObject* searchProperty(const IORegistryEntry* self, Key aKey, const IORegistryPlane* plane, IOOptionBits options,
                         Lookup lookup)
{
    OSObject* found = lookup(self, aKey);
    if (found || !plane || !(options & kIORegistryIterateRecursively)) {
        return found;
    }
    OSSharedPtr<IORegistryIterator> iter(
        IORegistryIterator::iterateOver(const_cast<IORegistryEntry*>(self), plane, options), OSNoRetain);
    while (iter && !found) {
        IORegistryEntry* entry = iter->getNextObject();
        if (!entry) {
            break;
        }
        found = lookup(entry, aKey);
    }
    return found;
}

constexpr auto borrow = [](const IORegistryEntry* entry, auto aKey) { return entry->getProperty(aKey); };
constexpr auto copy = [](const IORegistryEntry* entry, auto aKey) { return entry->copyProperty(aKey); };

bool valueMatches(OSObject* found, const OSObject* value)
{
    OSSharedPtr<OSObject> owned(found, OSNoRetain);
    return (!found && !value) || (found && value && value->isEqualTo(found));
}

}  // namespace

// --- The table --------------------------------------------------------------------------------

void IORegistryEntry::setPropertyTable(OSDictionary* dict)
{
    if (!dict) {
        return;  // xnu would store NULL and crash on the next access
    }
    PropertyLocker locked(fPropertyLock);
    fPropertyTable.reset(dict, OSRetain);
}

OSDictionary* IORegistryEntry::getPropertyTable(void) const
{
    return fPropertyTable.get();
}

OSDictionary* IORegistryEntry::dictionaryWithProperties(void) const
{
    PropertyLocker locked(fPropertyLock);
    return OSDictionary::withDictionary(fPropertyTable.get(), fPropertyTable->getCapacity());
}

OSArray* IORegistryEntry::copyPropertyKeys(void) const
{
    PropertyLocker locked(fPropertyLock);
    return fPropertyTable->copyKeys();
}

bool IORegistryEntry::serializeProperties(OSSerialize* serialize) const
{
    // Serialize a deep copy, so a long serialization does not hold the lock and no collection
    // changes under it.
    OSSharedPtr<OSCollection> snapshot;
    {
        PropertyLocker locked(fPropertyLock);
        snapshot.reset(fPropertyTable->copyCollection(), OSNoRetain);
    }
    return snapshot && serialize && snapshot->serialize(serialize);
}

IOReturn IORegistryEntry::setProperties(OSObject* properties)
{
    return kIOReturnUnsupported;
}

IOReturn IORegistryEntry::runPropertyAction(Action action, OSObject* target, void* arg0, void* arg1, void* arg2,
                                            void* arg3)
{
    PropertyLocker locked(fPropertyLock);  // recursive: the action may use the accessors
    return action(target, arg0, arg1, arg2, arg3);
}

void IORegistryEntry::freezePropertyCollections()
{
    PropertyLocker locked(fPropertyLock);
    fPropertyTable->iterateObjects([](const OSSymbol*, OSObject* value) {
        if (OSCollection* collection = OSDynamicCast(OSCollection, value)) {
            collection->setOptions(OSCollection::kMASK, OSCollection::kImmutable);
        }
        return false;
    });
}

// --- Set and remove ---------------------------------------------------------------------------

bool IORegistryEntry::setProperty(const OSSymbol* aKey, OSObject* anObject)
{
    // Collections stored into an attached entry become immutable (xnu): clients may be
    // serializing them at any time.
    OSCollection* collection = OSDynamicCast(OSCollection, anObject);
    const bool makeImmutable = collection && inPlane();

    PropertyLocker locked(fPropertyLock);
    if (makeImmutable) {
        collection->setOptions(OSCollection::kMASK, OSCollection::kImmutable);
    }
    return fPropertyTable->setObject(aKey, anObject);
}

bool IORegistryEntry::setProperty(const OSString* aKey, OSObject* anObject)
{
    OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey);
    return symbol && setProperty(symbol.get(), anObject);
}

bool IORegistryEntry::setProperty(const char* aKey, OSObject* anObject)
{
    OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey);
    return symbol && setProperty(symbol.get(), anObject);
}

bool IORegistryEntry::setProperty(const char* aKey, const char* aString)
{
    // xnu stores a symbol, not a plain OSString.
    return aString && setNewValue(this, aKey, const_cast<OSSymbol*>(OSSymbol::withCString(aString)));
}

bool IORegistryEntry::setProperty(const char* aKey, bool aBoolean)
{
    return setNewValue(this, aKey, OSBoolean::withBoolean(aBoolean));
}

bool IORegistryEntry::setProperty(const char* aKey, unsigned long long aValue, unsigned int aNumberOfBits)
{
    return setNewValue(this, aKey, OSNumber::withNumber(aValue, aNumberOfBits));
}

bool IORegistryEntry::setProperty(const char* aKey, void* bytes, unsigned int length)
{
    return setNewValue(this, aKey, OSData::withBytes(bytes, length));
}

void IORegistryEntry::removeProperty(const OSSymbol* aKey)
{
    PropertyLocker locked(fPropertyLock);
    fPropertyTable->removeObject(aKey);
}

void IORegistryEntry::removeProperty(const OSString* aKey)
{
    if (OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey)) {
        removeProperty(symbol.get());
    }
}

void IORegistryEntry::removeProperty(const char* aKey)
{
    if (OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey)) {
        removeProperty(symbol.get());
    }
}

// --- Get and copy -----------------------------------------------------------------------------

OSObject* IORegistryEntry::getProperty(const OSSymbol* aKey) const
{
    PropertyLocker locked(fPropertyLock);
    return fPropertyTable->getObject(aKey);
}

OSObject* IORegistryEntry::getProperty(const OSString* aKey) const
{
    OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey);
    return symbol ? getProperty(symbol.get()) : nullptr;
}

OSObject* IORegistryEntry::getProperty(const char* aKey) const
{
    OSSharedPtr<const OSSymbol> symbol = symbolFor(aKey);
    return symbol ? getProperty(symbol.get()) : nullptr;
}

// The retaining forms take the lock around the (virtual) look-up and the retain, so the value
// cannot be released in between by a concurrent setProperty.
OSObject* IORegistryEntry::copyProperty(const OSSymbol* aKey) const
{
    PropertyLocker locked(fPropertyLock);
    OSObject* found = getProperty(aKey);
    if (found) {
        found->retain();
    }
    return found;
}

OSObject* IORegistryEntry::copyProperty(const OSString* aKey) const
{
    PropertyLocker locked(fPropertyLock);
    OSObject* found = getProperty(aKey);
    if (found) {
        found->retain();
    }
    return found;
}

OSObject* IORegistryEntry::copyProperty(const char* aKey) const
{
    PropertyLocker locked(fPropertyLock);
    OSObject* found = getProperty(aKey);
    if (found) {
        found->retain();
    }
    return found;
}

OSObject* IORegistryEntry::getProperty(const OSSymbol* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, borrow);
}

OSObject* IORegistryEntry::getProperty(const OSString* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, borrow);
}

OSObject* IORegistryEntry::getProperty(const char* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, borrow);
}

OSObject* IORegistryEntry::copyProperty(const OSSymbol* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, copy);
}

OSObject* IORegistryEntry::copyProperty(const OSString* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, copy);
}

OSObject* IORegistryEntry::copyProperty(const char* aKey, const IORegistryPlane* plane, IOOptionBits options) const
{
    return searchProperty(this, aKey, plane, options, copy);
}

// --- Existence and value tests ----------------------------------------------------------------

bool IORegistryEntry::propertyExists(const OSSymbol* aKey)
{
    return getProperty(aKey) != nullptr;
}

bool IORegistryEntry::propertyExists(const OSString* aKey)
{
    return getProperty(aKey) != nullptr;
}

bool IORegistryEntry::propertyExists(const char* aKey)
{
    return getProperty(aKey) != nullptr;
}

bool IORegistryEntry::propertyHasValue(const OSSymbol* aKey, const OSObject* value)
{
    return valueMatches(copyProperty(aKey), value);
}

bool IORegistryEntry::propertyHasValue(const OSString* aKey, const OSObject* value)
{
    return valueMatches(copyProperty(aKey), value);
}

bool IORegistryEntry::propertyHasValue(const char* aKey, const OSObject* value)
{
    return valueMatches(copyProperty(aKey), value);
}

bool IORegistryEntry::propertyExists(const OSSymbol* aKey, const IORegistryPlane* plane, uint32_t options) const
{
    return getProperty(aKey, plane, options) != nullptr;
}

bool IORegistryEntry::propertyExists(const OSString* aKey, const IORegistryPlane* plane, uint32_t options) const
{
    return getProperty(aKey, plane, options) != nullptr;
}

bool IORegistryEntry::propertyExists(const char* aKey, const IORegistryPlane* plane, uint32_t options) const
{
    return getProperty(aKey, plane, options) != nullptr;
}

bool IORegistryEntry::propertyHasValue(const OSSymbol* aKey, const OSObject* value, const IORegistryPlane* plane,
                                       uint32_t options) const
{
    return valueMatches(copyProperty(aKey, plane, options), value);
}

bool IORegistryEntry::propertyHasValue(const OSString* aKey, const OSObject* value, const IORegistryPlane* plane,
                                       uint32_t options) const
{
    return valueMatches(copyProperty(aKey, plane, options), value);
}

bool IORegistryEntry::propertyHasValue(const char* aKey, const OSObject* value, const IORegistryPlane* plane,
                                       uint32_t options) const
{
    return valueMatches(copyProperty(aKey, plane, options), value);
}
