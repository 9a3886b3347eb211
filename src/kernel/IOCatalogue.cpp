// IOCatalogue: the driver personality database (iokit-semantics.md §4.1), after xnu's
// iokit/Kernel/IOCatalogue.cpp. Personalities are kept per IOProviderClass, in the order they
// were added; one reader/writer lock guards them.
#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSKext.h>
#include <libkern/c++/OSString.h>

#include "IOServiceMatchingInternal.h"
#include "KextState.h"

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
    std::vector<OSSharedPtr<OSDictionary>> candidates;
    {
        std::shared_lock lock(personalities_->lock);
        for (const OSMetaClass* meta = service->getMetaClass(); meta; meta = meta->getSuperClass()) {
            auto group = personalities_->byProviderClass.find(meta->getClassNameSymbol());
            if (group != personalities_->byProviderClass.end()) {
                candidates.insert(candidates.end(), group->second.personalities.begin(),
                                  group->second.personalities.end());
            }
            if (meta == IOService::metaClass) {
                break;
            }
        }
        if (generationCount) {
            *generationCount = getGenerationCount();
        }
    }
    // Outside the lock: the kext tables are consulted, and a load is only requested here.
    for (const auto& personality : candidates) {
        if (isModuleLoaded(personality.get())) {
            set->setObject(personality.get());
        } else {
            // xnu stalls this personality until kextd has loaded the kext; the loader
            // rematches the service (moduleHasLoaded) once it has.
            openiokit::kexts::requestLoadForMatching(service, personality.get());
        }
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

namespace {

// xnu's kextunload policy (§1.5): a kext may opt in or out with OSBundleAllowUserTerminate;
// without it, the kernel's and Apple's own services are refused.
bool userMayTerminate(IOService* service)
{
    const OSSymbol* module = service->getMetaClass()->getKmodName();
    const char* identifier = module ? module->getCStringNoCopy() : kOSKextKernelIdentifier;
    OSSharedPtr<OSKext> kext(OSKext::lookupKextWithIdentifier(identifier), OSNoRetain);
    if (kext) {
        if (auto* allow = OSDynamicCast(OSBoolean, kext->getPropertyForHostArch(kOSBundleAllowUserTerminateKey))) {
            return allow->isTrue();
        }
    }
    const std::string_view name(identifier);
    return name != kOSKextKernelIdentifier && !name.starts_with(kOSKextAppleIdentifierPrefix);
}

// Every service of the service plane, parents before children, retained.
std::vector<OSSharedPtr<IOService>> servicePlaneSnapshot()
{
    std::vector<OSSharedPtr<IOService>> services;
    OSSharedPtr<IORegistryIterator> iterator(
        IORegistryIterator::iterateOver(gIOServicePlane, kIORegistryIterateRecursively), OSNoRetain);
    if (!iterator) {
        return services;
    }
    do {
        services.clear();
        iterator->reset();
        while (IORegistryEntry* entry = iterator->getNextObject()) {
            if (auto* service = OSDynamicCast(IOService, entry)) {
                services.emplace_back(service, OSRetain);
            }
        }
    } while (!iterator->isValid());  // the registry changed under the walk: start again
    return services;
}

}  // namespace

IOReturn IOCatalogue::terminateDrivers(OSDictionary* matching, io_name_t className, bool asynchronous)
{
    if (!matching && !className) {
        return kIOReturnBadArgument;
    }
    if (matching) {
        uniquePersonalityProperties(matching);
    }
    const IOOptionBits options = kIOServiceRequired | (asynchronous ? 0 : kIOServiceSynchronous);
    for (const auto& service : servicePlaneSnapshot()) {
        if (className && !service->metaCast(className)) {
            continue;
        }
        if (matching) {
            OSSharedPtr<OSDictionary> properties(service->dictionaryWithProperties(), OSNoRetain);
            if (!properties || !properties->isEqualTo(matching, matching)) {
                continue;
            }
        }
        if (!userMayTerminate(service.get())) {
            const OSSymbol* module = service->getMetaClass()->getKmodName();
            IOLog("disallowing kextunload terminate for bundleID %s\n",
                  module ? module->getCStringNoCopy() : kOSKextKernelIdentifier);
            return kIOReturnUnsupported;
        }
        if (!service->terminate(options)) {
            return kIOReturnUnsupported;
        }
    }
    return kIOReturnSuccess;
}

IOReturn IOCatalogue::terminateDrivers(OSDictionary* matching)
{
    const IOReturn result = terminateDrivers(matching, nullptr, false);
    if (result == kIOReturnSuccess) {
        removeDrivers(matching, false);
    }
    return result;
}

IOReturn IOCatalogue::terminateDriversForModule(OSString* moduleName, bool unload, bool asynchronous)
{
    if (!moduleName) {
        return kIOReturnBadArgument;
    }
    // §1.4 step 1: a retained kext (dependents, OSKextRetainKextWithLoadTag) refuses before
    // anything is terminated.
    OSSharedPtr<OSKext> kext(OSKext::lookupKextWithIdentifier(moduleName), OSNoRetain);
    const bool isLoaded = kext && kext->isLoaded();
    kext.reset();
    if (isLoaded && !OSKext::canUnloadKextWithIdentifier(moduleName, false)) {
        return kOSKextReturnInUse;
    }
    OSSharedPtr<OSDictionary> dict(OSDictionary::withCapacity(1), OSNoRetain);
    dict->setObject(gIOModuleIdentifierKey, moduleName);
    const IOReturn result = terminateDrivers(dict.get(), nullptr, asynchronous);
    if (result != kIOReturnSuccess) {
        return result;
    }
    // Not restored if the unload below fails, exactly as xnu.
    removeDrivers(dict.get(), false);
    if (unload && isLoaded) {
        return OSKext::removeKextWithIdentifier(moduleName->getCStringNoCopy(), false);
    }
    return kIOReturnSuccess;
}

IOReturn IOCatalogue::terminateDriversForModule(const char* moduleName, bool unload, bool asynchronous)
{
    if (!moduleName) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<OSString> name(OSString::withCString(moduleName), OSNoRetain);
    return terminateDriversForModule(name.get(), unload, asynchronous);
}

bool IOCatalogue::removePersonalities(const char* moduleName)
{
    if (!moduleName) {
        return false;
    }
    OSSharedPtr<OSDictionary> dict(OSDictionary::withCapacity(1), OSNoRetain);
    OSSharedPtr<const OSSymbol> name(OSSymbol::withCString(moduleName), OSNoRetain);
    dict->setObject(gIOModuleIdentifierKey, name.get());
    return removeDrivers(dict.get(), true);
}

namespace {

// CFBundleIdentifierKernel, else CFBundleIdentifier; NULL for the kernel's own personalities.
const OSString* moduleOf(OSDictionary* driver)
{
    if (auto* kernel = OSDynamicCast(OSString, driver->getObject(gIOModuleIdentifierKernelKey))) {
        return kernel;
    }
    return OSDynamicCast(OSString, driver->getObject(gIOModuleIdentifierKey));
}

}  // namespace

bool IOCatalogue::isModuleLoaded(OSDictionary* driver, OSObject** kextRef) const
{
    if (kextRef) {
        *kextRef = nullptr;
    }
    if (!driver) {
        return false;
    }
    const OSString* module = moduleOf(driver);
    if (!module) {
        return true;  // an in-kernel driver
    }
    OSKext* kext = OSKext::lookupKextWithIdentifier(module->getCStringNoCopy());
    if (kext && kext->isLoaded() && openiokit::kexts::holdForMatching(module->getCStringNoCopy())) {
        if (kextRef) {
            *kextRef = kext;
        } else {
            kext->release();
        }
        return true;
    }
    const bool known = kext != nullptr;  // loaded but being autounloaded: it must load again
    if (kext) {
        kext->release();
    }
    // A class the kernel itself (or another kext) defines needs no load: a personality may name
    // a module it does not come from.
    auto* className = OSDynamicCast(OSString, driver->getObject(gIOClassKey));
    if (!known && className && OSMetaClass::getMetaClassWithName(className->getCStringNoCopy())) {
        return true;
    }
    // As xnu's answer when no load is pending: the module "is present or never will be". A kext
    // nobody can find lets matching go on to fail at the class ("Couldn't alloc class").
    if (!openiokit::kexts::findKextBundle(module->getCStringNoCopy())) {
        IOLog("Can't load kext %s - not found.\n", module->getCStringNoCopy());
        return true;
    }
    return false;
}

void IOCatalogue::moduleHasLoaded(const OSSymbol* moduleName)
{
    startMatching(moduleName);
}

void IOCatalogue::moduleHasLoaded(const char* moduleName)
{
    if (!moduleName) {
        return;
    }
    OSSharedPtr<const OSSymbol> name(OSSymbol::withCString(moduleName), OSNoRetain);
    moduleHasLoaded(name.get());
}

bool IOCatalogue::startMatching(const OSSymbol* moduleName)
{
    if (!moduleName) {
        return false;
    }
    std::vector<OSSharedPtr<OSDictionary>> personalities;
    {
        std::shared_lock lock(personalities_->lock);
        for (const auto& [providerClass, group] : personalities_->byProviderClass) {
            for (const auto& personality : group.personalities) {
                OSObject* kernelModule = personality->getObject(gIOModuleIdentifierKernelKey);
                OSObject* module = personality->getObject(gIOModuleIdentifierKey);
                if ((kernelModule && moduleName->isEqualTo(kernelModule)) || (module && moduleName->isEqualTo(module))) {
                    personalities.push_back(personality);
                }
            }
        }
    }
    // As in addDrivers: matching starts after the lock is dropped.
    if (!personalities.empty()) {
        personalities_->generation++;
        openiokit::catalogNewDrivers(personalities);
    }
    return true;
}
