// Passive matching: does a service match a matching table (a personality or a
// getMatchingServices / notification dictionary)? iokit-semantics.md §4.1-§4.2, after xnu's
// IOService::matchInternal and matchPassive. Also the table builders (serviceMatching ...) and
// the look-up of existing services (getMatchingServices, copyMatchingService).
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"

#include <unordered_set>

namespace {

using openiokit::ensureMatchingSymbols;

// xnu's _copyPropertiesForMatching: the property table, with the IOUserServiceProperties
// dictionary (if any) merged in. Retained.
OSSharedPtr<OSDictionary> copyPropertiesForMatching(IOService* service)
{
    OSSharedPtr<OSDictionary> properties(service->dictionaryWithProperties(), OSNoRetain);
    if (properties) {
        if (auto* user = OSDynamicCast(OSDictionary, properties->getObject(gIOUserServicePropertiesKey))) {
            properties->merge(user);
        }
    }
    return properties;
}

// Calls `each` on `value` if it is of type T, else on every T in it if it is a collection; stops
// at the first true. (IOPropertyMatch and IOPropertyExistsMatch take one item or a collection.)
template <typename T, typename Each>
bool anyOf(OSObject* value, Each each)
{
    if (T* single = OSDynamicCast(T, value)) {
        return each(single);
    }
    auto* collection = OSDynamicCast(OSCollection, value);
    if (!collection) {
        return false;
    }
    OSSharedPtr<OSCollectionIterator> iterator(OSCollectionIterator::withCollection(collection), OSNoRetain);
    if (!iterator) {
        return false;
    }
    // As xnu: the walk stops at the first element of another type.
    while (T* next = OSDynamicCast(T, iterator->getNextObject())) {
        if (each(next)) {
            return true;
        }
    }
    return false;
}

// The clients counted by IOMatchedServiceCountMatch: active, and started through matching
// (they carry IOMatchCategory).
UInt32 matchedClientCount(IOService* service)
{
    UInt32 count = 0;
    for (const auto& client : openiokit::clientsOf(service)) {
        if (!client->isInactive() && client->getProperty(gIOMatchCategoryKey)) {
            ++count;
        }
    }
    return count;
}

// xnu's matchInternal: the generic keys. `*done` receives how many of the table's keys were
// handled here, so that a table made only of generic keys skips the family's
// matchPropertyTable. Each key is checked only when present; the first mismatch ends it.
bool matchInternal(IOService* service, OSDictionary* table, uint32_t options, uint32_t* done)
{
    const unsigned int count = table->getCount();
    const bool changesOK = (options & kIOServiceChangesOK) != 0;
    OSSharedPtr<OSDictionary> properties;  // copied on first need
    auto propertiesForMatching = [&]() -> OSDictionary* {
        if (!properties) {
            properties = copyPropertiesForMatching(service);
        }
        return properties.get();
    };
    *done = 0;
    // Each step returns false on a mismatch; `finished` is true once every key was handled.
    auto finished = [&] { return *done == count; };

    if (auto* className = OSDynamicCast(OSString, table->getObject(gIOProviderClassKey))) {
        ++*done;
        if (!(options & kIOServiceClassDone) && !service->metaCast(className)) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (OSObject* names = table->getObject(gIONameMatchKey)) {
        ++*done;
        OSString* matched = nullptr;
        if (!service->compareNames(names, changesOK ? &matched : nullptr)) {
            return false;
        }
        if (matched) {
            // Leave a hint of which name matched (it becomes the driver's IONameMatched).
            table->setObject(gIONameMatchedKey, matched);
            matched->release();
        }
        if (finished()) {
            return true;
        }
    }

    if (auto* location = OSDynamicCast(OSString, table->getObject(gIOLocationMatchKey))) {
        ++*done;
        OSSharedPtr<const OSSymbol> mine(service->copyLocation(), OSNoRetain);
        if (!mine || !mine->isEqualTo(location)) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (OSObject* wanted = table->getObject(gIOPropertyMatchKey)) {
        ++*done;
        OSDictionary* mine = propertiesForMatching();
        // Any one of the dictionaries must match: each of its keys equal in the properties.
        if (!mine || !anyOf<OSDictionary>(wanted, [&](OSDictionary* next) { return mine->isEqualTo(next, next); })) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (OSObject* keys = table->getObject(gIOPropertyExistsMatchKey)) {
        ++*done;
        OSDictionary* mine = propertiesForMatching();
        // Any one of the keys must be present.
        if (!mine || !anyOf<OSString>(keys, [&](OSString* key) { return mine->getObject(key) != nullptr; })) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (auto* path = OSDynamicCast(OSString, table->getObject(gIOPathMatchKey))) {
        ++*done;
        OSSharedPtr<IORegistryEntry> entry(IORegistryEntry::fromPath(path->getCStringNoCopy()), OSNoRetain);
        bool match = entry.get() == service;
        if (!match) {
            OSDictionary* mine = propertiesForMatching();
            OSObject* alias = mine ? mine->getObject(gIOPathKey) : nullptr;
            match = alias && path->isEqualTo(alias);
        }
        if (!match) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (auto* id = OSDynamicCast(OSNumber, table->getObject(gIORegistryEntryIDKey))) {
        ++*done;
        if (service->getRegistryEntryID() != id->unsigned64BitValue()) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    if (auto* wanted = OSDynamicCast(OSNumber, table->getObject(gIOMatchedServiceCountKey))) {
        ++*done;
        if (matchedClientCount(service) != wanted->unsigned32BitValue()) {
            return false;
        }
        if (finished()) {
            return true;
        }
    }

    for (const OSSymbol* key : {gIOBSDNameKey, gIOBSDMajorKey, gIOBSDMinorKey, gIOBSDUnitKey}) {
        if (OSObject* wanted = table->getObject(key)) {
            ++*done;
            OSSharedPtr<OSObject> mine(service->copyProperty(key), OSNoRetain);
            if (!wanted->isEqualTo(mine.get())) {
                return false;
            }
            if (finished()) {
                return true;
            }
        }
    }
    return true;
}

}  // namespace

namespace openiokit {

SInt32 probeScoreOf(const OSObject* object)
{
    OSSharedPtr<OSObject> held;
    const OSNumber* score = nullptr;
    if (auto* dict = OSDynamicCast(OSDictionary, object)) {
        score = OSDynamicCast(OSNumber, dict->getObject(gIOProbeScoreKey));
    } else if (auto* service = OSDynamicCast(IOService, object)) {
        held.reset(service->copyProperty(gIOProbeScoreKey), OSNoRetain);
        score = OSDynamicCast(OSNumber, held.get());
    }
    return score ? static_cast<SInt32>(score->unsigned32BitValue()) : kIODefaultProbeScore;
}

SInt32 probeScoreOrdering(const OSMetaClassBase* a, const OSMetaClassBase* b, void* context)
{
    const int64_t scoreA = a ? probeScoreOf(static_cast<const OSObject*>(a)) : 0;
    const int64_t scoreB = b ? probeScoreOf(static_cast<const OSObject*>(b)) : 0;
    return scoreA > scoreB ? 1 : (scoreA < scoreB ? -1 : 0);
}

bool matchPassive(IOService* service, OSDictionary* table, uint32_t options)
{
    ensureMatchingSymbols();
    IOService* where = service;
    bool match = true;
    bool matchParent = false;  // looking for a provider that matches an IOParentMatch table
    do {
        // Match `table` against `where`, following IOLocationMatch sub-tables to providers.
        while (true) {
            const unsigned int count = table->getCount();
            if (!(options & kIOServiceInternalDone)) {
                uint32_t done = 0;
                match = matchInternal(where, table, options, &done);
                if (!match || done == count) {
                    break;
                }
            }
            // Family-specific matching, with the personality's score in and out.
            SInt32 score = probeScoreOf(table);
            match = where->matchPropertyTable(table, &score);
            if (!match) {
                break;
            }
            if (options & kIOServiceChangesOK) {
                OSSharedPtr<OSNumber> saved(OSNumber::withNumber(static_cast<UInt32>(score), 32), OSNoRetain);
                if (saved) {
                    table->setObject(gIOProbeScoreKey, saved.get());
                }
            }
            options = 0;
            matchParent = false;
            if (auto* parentTable = OSDynamicCast(OSDictionary, table->getObject(gIOParentMatchKey))) {
                // Some provider, anywhere up to the root, must match the sub-table.
                match = false;
                matchParent = true;
                table = parentTable;
                break;
            }
            table = OSDynamicCast(OSDictionary, table->getObject(gIOLocationMatchKey));
            if (!table) {
                break;
            }
            // The sub-table must match the entry the provider's matchLocation designates.
            match = false;
            where = where->getProvider();
            if (!where || !(where = where->matchLocation(where))) {
                break;
            }
        }
        if (match || !matchParent) {
            break;
        }
        where = where->getProvider();
    } while (where);
    return match;
}

std::vector<OSSharedPtr<IOService>> copyExistingServices(OSDictionary* table, uint32_t inState, uint32_t options)
{
    std::vector<OSSharedPtr<IOService>> found;
    if (!table) {
        return found;
    }
    auto qualifies = [&](IOService* service) {
        const uint32_t state = service->getState();
        return (state & inState) == inState && !(state & kIOServiceInactiveState) &&
               matchPassive(service, table, options & ~kIOServiceChangesOK);
    };
    // As xnu: a table for IOResources needs to look at nothing else.
    IOService* resources = resourcesService();
    if (resources && gIOResourcesKey->isEqualTo(table->getObject(gIOProviderClassKey))) {
        if (qualifies(resources)) {
            found.emplace_back(resources, OSRetain);
        }
        return found;
    }
    // xnu walks per-class instance lists; we walk the service plane from the registry root,
    // breadth first over link snapshots, visiting an entry with several providers once.
    std::vector<OSSharedPtr<IORegistryEntry>> level;
    level.emplace_back(IORegistryEntry::getRegistryRoot(), OSRetain);
    std::unordered_set<const IORegistryEntry*> seen;
    while (!level.empty()) {
        std::vector<OSSharedPtr<IORegistryEntry>> next;
        for (const auto& entry : level) {
            OSSharedPtr<OSIterator> children(entry->getChildIterator(gIOServicePlane), OSNoRetain);
            while (children) {
                auto* child = OSDynamicCast(IORegistryEntry, children->getNextObject());
                if (!child) {
                    break;
                }
                if (!seen.insert(child).second) {
                    continue;
                }
                next.emplace_back(child, OSRetain);
                auto* service = OSDynamicCast(IOService, child);
                if (service && qualifies(service)) {
                    found.emplace_back(service, OSRetain);
                    if (options & kIONotifyOnce) {
                        return found;
                    }
                }
            }
        }
        level = std::move(next);
    }
    return found;
}

}  // namespace openiokit

// --- Public API -------------------------------------------------------------------------------

bool IOService::matchPropertyTable(OSDictionary* table, SInt32* score)
{
    return matchPropertyTable(table);
}

bool IOService::matchPropertyTable(OSDictionary* table)
{
    return true;
}

IOService* IOService::matchLocation(IOService* client)
{
    IOService* parent = getProvider();
    return parent ? parent->matchLocation(this) : nullptr;
}

bool IOService::passiveMatch(OSDictionary* matching, bool changesOK)
{
    return matching && openiokit::matchPassive(this, matching, changesOK ? uint32_t{kIOServiceChangesOK} : 0);
}

bool IOService::compareProperty(OSDictionary* matching, const char* key)
{
    OSObject* value = matching->getObject(key);
    if (!value) {
        return true;
    }
    OSSharedPtr<OSObject> mine(copyProperty(key), OSNoRetain);
    return value->isEqualTo(mine.get());
}

bool IOService::compareProperty(OSDictionary* matching, const OSString* key)
{
    OSObject* value = matching->getObject(key);
    if (!value) {
        return true;
    }
    OSSharedPtr<OSObject> mine(copyProperty(key), OSNoRetain);
    return value->isEqualTo(mine.get());
}

// As xnu, consumes one reference on `keys` (when both arguments are non-NULL).
bool IOService::compareProperties(OSDictionary* matching, OSCollection* keys)
{
    if (!matching || !keys) {
        return false;
    }
    bool ok = true;
    if (OSCollectionIterator* iterator = OSCollectionIterator::withCollection(keys)) {
        while (ok) {
            auto* key = OSDynamicCast(OSString, iterator->getNextObject());
            if (!key) {
                break;
            }
            ok = compareProperty(matching, key);
        }
        iterator->release();
    }
    keys->release();
    return ok;
}

OSIterator* IOService::getMatchingServices(OSDictionary* matching)
{
    ensureMatchingSymbols();
    if (!matching) {
        return nullptr;
    }
    std::vector<OSSharedPtr<IOService>> services;
    {
        std::lock_guard lock(openiokit::notificationLock());
        services = openiokit::copyExistingServices(matching, kIOServiceMatchedState, 0);
    }
    // As xnu: NULL, not an empty iterator, when nothing matches.
    if (services.empty()) {
        return nullptr;
    }
    OSSharedPtr<OSArray> array(OSArray::withCapacity(static_cast<unsigned int>(services.size())), OSNoRetain);
    if (!array) {
        return nullptr;
    }
    for (const auto& service : services) {
        array->setObject(service.get());
    }
    return OSCollectionIterator::withCollection(array.get());
}

IOService* IOService::copyMatchingService(OSDictionary* matching)
{
    ensureMatchingSymbols();
    if (!matching) {
        return nullptr;
    }
    std::lock_guard lock(openiokit::notificationLock());
    auto services = openiokit::copyExistingServices(matching, kIOServiceMatchedState, kIONotifyOnce);
    return services.empty() ? nullptr : services.front().detach();
}

// --- Table builders: a new table when `table` is NULL, else `table` with the key added. -------

OSDictionary* IOService::serviceMatching(const OSString* className, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<const OSSymbol> name(OSSymbol::withString(className), OSNoRetain);
    if (!name) {
        return nullptr;
    }
    if (!table) {
        table = OSDictionary::withCapacity(2);
    }
    if (table) {
        table->setObject(gIOProviderClassKey, name.get());
    }
    return table;
}

OSDictionary* IOService::serviceMatching(const char* className, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<const OSSymbol> name(OSSymbol::withCString(className), OSNoRetain);
    return name ? serviceMatching(name.get(), table) : nullptr;
}

OSDictionary* IOService::nameMatching(const OSString* name, OSDictionary* table)
{
    ensureMatchingSymbols();
    if (!table) {
        table = OSDictionary::withCapacity(2);
    }
    if (table) {
        table->setObject(gIONameMatchKey, name);
    }
    return table;
}

OSDictionary* IOService::nameMatching(const char* name, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<const OSSymbol> string(OSSymbol::withCString(name), OSNoRetain);
    return string ? nameMatching(string.get(), table) : nullptr;
}

OSDictionary* IOService::resourceMatching(const OSString* name, OSDictionary* table)
{
    ensureMatchingSymbols();
    table = serviceMatching(gIOResourcesKey, table);
    if (table) {
        table->setObject(gIOResourceMatchKey, name);
    }
    return table;
}

OSDictionary* IOService::resourceMatching(const char* name, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<const OSSymbol> string(OSSymbol::withCString(name), OSNoRetain);
    return string ? resourceMatching(string.get(), table) : nullptr;
}

OSDictionary* IOService::propertyMatching(const OSSymbol* key, const OSObject* value, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<OSDictionary> properties(OSDictionary::withCapacity(2), OSNoRetain);
    if (!properties) {
        return nullptr;
    }
    properties->setObject(key, value);
    if (!table) {
        table = OSDictionary::withCapacity(2);
    }
    if (table) {
        table->setObject(gIOPropertyMatchKey, properties.get());
    }
    return table;
}

OSDictionary* IOService::registryEntryIDMatching(uint64_t entryID, OSDictionary* table)
{
    ensureMatchingSymbols();
    OSSharedPtr<OSNumber> number(OSNumber::withNumber(entryID, 64), OSNoRetain);
    if (!number) {
        return nullptr;
    }
    if (!table) {
        table = OSDictionary::withCapacity(2);
    }
    if (table) {
        table->setObject(gIORegistryEntryIDKey, number.get());
    }
    return table;
}

// A new, empty location table stored in `table` under IOLocationMatch (borrowed: `table` holds
// it), for the caller to fill; NULL without a table.
OSDictionary* IOService::addLocation(OSDictionary* table)
{
    ensureMatchingSymbols();
    if (!table) {
        return nullptr;
    }
    OSSharedPtr<OSDictionary> location(OSDictionary::withCapacity(1), OSNoRetain);
    if (!location || !table->setObject(gIOLocationMatchKey, location.get())) {
        return nullptr;
    }
    return location.get();
}
