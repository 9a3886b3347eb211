// IOCatalogue: the driver personality database (iokit-semantics.md §4.1), after xnu's
// iokit/Kernel/IOCatalogue.cpp. Personalities are kept per IOProviderClass, in the order they
// were added; one reader/writer lock guards them.
#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"

#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>

OSDefineMetaClassAndStructors(IOCatalogue, OSObject);

IOCatalogue* gIOCatalogue = nullptr;

struct IOCatalogue::Personalities {
    struct Group {
        OSSharedPtr<const OSSymbol> providerClass;
        std::vector<OSSharedPtr<OSDictionary>> personalities;  // in the order added
    };

    mutable std::shared_mutex lock;
    std::map<const OSSymbol*, Group> byProviderClass;  // keyed by Group::providerClass
    std::atomic<SInt32> generation{1};

    // Adds `personality` unless an exact duplicate is there; needs the lock for writing.
    bool addLocked(OSDictionary* personality, const OSSymbol* providerClass)
    {
        Group& group = byProviderClass[providerClass];
        if (!group.providerClass) {
            group.providerClass.reset(providerClass, OSRetain);
        }
        for (const auto& existing : group.personalities) {
            // The comparison must be exact: the catalogue may hold proper supersets of others.
            if (personality->isEqualTo(existing.get())) {
                return false;
            }
        }
        group.personalities.emplace_back(personality, OSRetain);
        return true;
    }
};

namespace {

// OSKext::uniquePersonalityProperties: the values matching compares by pointer (class names,
// match category, ...) become OSSymbols; CFBundleIdentifierKernel defaults to
// CFBundleIdentifier.
void uniquePersonalityProperties(OSDictionary* personality)
{
    const OSSymbol* keys[] = {gIOModuleIdentifierKey, gIOProviderClassKey, gIOClassKey,
                              gIOModuleIdentifierKernelKey, gIOMatchCategoryKey, gIOResourceMatchKey,
                              gIOUserClientClassKey};
    if (!personality->getObject(gIOModuleIdentifierKernelKey)) {
        if (OSObject* identifier = personality->getObject(gIOModuleIdentifierKey)) {
            personality->setObject(gIOModuleIdentifierKernelKey, identifier);
        }
    }
    for (const OSSymbol* key : keys) {
        auto* string = OSDynamicCast(OSString, personality->getObject(key));
        if (string && !OSDynamicCast(OSSymbol, string)) {
            OSSharedPtr<const OSSymbol> symbol(OSSymbol::withString(string), OSNoRetain);
            if (symbol) {
                personality->setObject(key, symbol.get());
            }
        }
    }
}

OSOrderedSet* newScoreOrderedSet(unsigned int capacity)
{
    return OSOrderedSet::withCapacity(capacity, &openiokit::probeScoreOrdering,
                                      const_cast<OSSymbol*>(gIOProbeScoreKey));
}

}  // namespace

void IOCatalogue::initialize(void)
{
    static std::once_flag once;
    std::call_once(once, [] {
        openiokit::ensureMatchingSymbols();
        auto* catalogue = new IOCatalogue;
        if (!catalogue->init(nullptr)) {
            IOLog("IOCatalogue: cannot initialize\n");
            catalogue->release();
            return;
        }
        gIOCatalogue = catalogue;  // kept for the life of the kernel
    });
}

bool IOCatalogue::init(OSArray* initArray)
{
    if (!OSObject::init()) {
        return false;
    }
    openiokit::ensureMatchingSymbols();
    personalities_ = std::make_unique<Personalities>();
    for (unsigned int index = 0; initArray && index < initArray->getCount(); index++) {
        auto* personality = OSDynamicCast(OSDictionary, initArray->getObject(index));
        if (!personality) {
            continue;
        }
        uniquePersonalityProperties(personality);
        if (!personality->getObject(gIOClassKey)) {
            IOLog("Missing or bad \"%s\" key\n", gIOClassKey->getCStringNoCopy());
            continue;
        }
        personality->setObject("KernelConfigTable", kOSBooleanTrue);
        if (auto* providerClass = OSDynamicCast(OSSymbol, personality->getObject(gIOProviderClassKey))) {
            personalities_->addLocked(personality, providerClass);
        }
    }
    return true;
}

void IOCatalogue::free(void)
{
    personalities_.reset();
    OSObject::free();
}

OSOrderedSet* IOCatalogue::findDrivers(IOService* service, SInt32* generationCount)
{
    OSOrderedSet* set = newScoreOrderedSet(1);
    if (!set) {
        return nullptr;
    }
    std::shared_lock lock(personalities_->lock);
    for (const OSMetaClass* meta = service->getMetaClass(); meta; meta = meta->getSuperClass()) {
        auto group = personalities_->byProviderClass.find(meta->getClassNameSymbol());
        if (group != personalities_->byProviderClass.end()) {
            for (const auto& personality : group->second.personalities) {
                set->setObject(personality.get());
            }
        }
        if (meta == IOService::metaClass) {
            break;
        }
    }
    if (generationCount) {
        *generationCount = getGenerationCount();
    }
    return set;
}

OSOrderedSet* IOCatalogue::findDrivers(OSDictionary* matching, SInt32* generationCount)
{
    if (!matching) {
        return nullptr;
    }
    uniquePersonalityProperties(matching);
    OSOrderedSet* set = newScoreOrderedSet(1);
    if (!set) {
        return nullptr;
    }
    std::shared_lock lock(personalities_->lock);
    for (const auto& [providerClass, group] : personalities_->byProviderClass) {
        for (const auto& personality : group.personalities) {
            // Only the keys of `matching` are compared, to allow general searches.
            if (personality->isEqualTo(matching, matching)) {
                set->setObject(personality.get());
            }
        }
    }
    if (generationCount) {
        *generationCount = getGenerationCount();
    }
    return set;
}

bool IOCatalogue::addDrivers(OSArray* array, bool doNubMatching)
{
    auto* drivers = OSDynamicCast(OSArray, array);
    if (!drivers) {
        return false;
    }
    bool result = true;
    std::vector<OSSharedPtr<OSDictionary>> added;
    {
        std::unique_lock lock(personalities_->lock);
        for (unsigned int index = 0; index < drivers->getCount(); index++) {
            auto* personality = OSDynamicCast(OSDictionary, drivers->getObject(index));
            if (!personality) {
                IOLog("IOCatalogue::addDrivers() encountered non-dictionary; bailing.\n");
                result = false;
                break;
            }
            uniquePersonalityProperties(personality);
            // As xnu, a personality without a provider class is not kept, but still triggers
            // matching below.
            auto* providerClass = OSDynamicCast(OSSymbol, personality->getObject(gIOProviderClassKey));
            if (providerClass && !personalities_->addLocked(personality, providerClass)) {
                continue;  // a duplicate
            }
            added.emplace_back(personality, OSRetain);
        }
        if (result && doNubMatching && !added.empty()) {
            personalities_->generation++;
        }
    }
    // xnu calls catalogNewDrivers with the catalogue locked; we call it after, so that a family's
    // matchPropertyTable may consult the catalogue. The matching it starts is asynchronous either
    // way, and the generation change already makes running matches look again.
    if (result && doNubMatching && !added.empty()) {
        openiokit::catalogNewDrivers(added);
    }
    return result;
}

bool IOCatalogue::removeDrivers(OSDictionary* matching, bool doNubMatching)
{
    if (!matching) {
        return false;
    }
    std::vector<OSSharedPtr<OSDictionary>> removed;
    {
        std::unique_lock lock(personalities_->lock);
        for (auto group = personalities_->byProviderClass.begin(); group != personalities_->byProviderClass.end();) {
            auto& list = group->second.personalities;
            std::erase_if(list, [&](const OSSharedPtr<OSDictionary>& personality) {
                if (!personality->isEqualTo(matching, matching)) {
                    return false;
                }
                removed.push_back(personality);
                return true;
            });
            group = list.empty() ? personalities_->byProviderClass.erase(group) : std::next(group);
        }
        if (doNubMatching && !removed.empty()) {
            personalities_->generation++;
        }
    }
    if (doNubMatching && !removed.empty()) {
        openiokit::catalogNewDrivers(removed);
    }
    return true;
}

SInt32 IOCatalogue::getGenerationCount(void) const
{
    return personalities_->generation.load();
}
