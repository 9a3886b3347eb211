// OSKext: the kext table, loading with dependencies, and removal/unload in xnu's order and words
// (iokit-semantics.md §1.3, §1.6, §4.5). Two locks, as the terminate thread must be able to look
// kexts up while a removal waits for it: the recursive operation lock (xnu's sKextLock)
// serialises load/unload/remove; the table lock only guards the identifier table and loaded list.
#include "KextState.h"
#include "KextVersion.h"

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSNumber.h>
#include <libkern/c++/OSString.h>

#include "../libkern/OSMetaClassRegistry.h"
#include "common/NoDestructor.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>

OSDefineMetaClassAndStructors(OSKext, OSObject);

namespace openiokit::kexts {
namespace {

struct KextTables {
    std::recursive_mutex operationLock;
    std::shared_mutex tableLock;
    OSDictionary* byID = nullptr;  // sKextsByID: every known kext (loaded or kernel component)
    OSArray* loaded = nullptr;     // sLoadedKexts: load order
    OSKextLoadTag nextLoadTag = 0;
    std::atomic<bool> unloadEnabled{true};
    // Where each identifier was last loaded from, kept after it unloads: a load on demand finds
    // a kext there that was loaded by path from outside the extension directories.
    std::map<std::string, std::filesystem::path, std::less<>> lastLoadedFrom;
};
openiokit::NoDestructor<KextTables> gTables;

// Kernel components: the KPIs real Info.plists link against, with the kernel's version
// (Darwin 24, macOS 15) and xnu's compatible versions.
struct KernelComponent {
    const char* identifier;
    const char* version;
    const char* compatibleVersion;
};
constexpr KernelComponent kKernelComponents[] = {
    {kOSKextKernelIdentifier, "24.0.0", "24.0.0"},
    {"com.apple.kpi.bsd", "24.0.0", "8.0.0"},
    {"com.apple.kpi.dsep", "24.0.0", "8.0.0"},
    {"com.apple.kpi.iokit", "24.0.0", "8.0.0"},
    {"com.apple.kpi.libkern", "24.0.0", "8.0.0"},
    {"com.apple.kpi.mach", "24.0.0", "8.0.0"},
    {"com.apple.kpi.private", "24.0.0", "8.0.0"},
    {"com.apple.kpi.unsupported", "24.0.0", "8.0.0"},
    {"com.apple.iokit.IOKit", "24.0.0", "1.0.0"},
};

std::string hex(OSReturn code)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%x", code);
    return text;
}

void publish(OSKext* kext)
{
    std::unique_lock lock(gTables->tableLock);
    gTables->byID->setObject(kext->state().identifier.get(), kext);
    gTables->loaded->setObject(kext);
}

void initializeTables()
{
    static std::once_flag once;
    std::call_once(once, [] {
        gTables->byID = OSDictionary::withCapacity(16);
        gTables->loaded = OSArray::withCapacity(16);
        for (const KernelComponent& component : kKernelComponents) {
            auto* kext = new OSKext;
            kext->init();
            KextState& state = kext->state();
            state.identifier.reset(OSSymbol::withCString(component.identifier), OSNoRetain);
            state.infoDict.reset(OSDictionary::withCapacity(4), OSNoRetain);
            state.infoDict->setObject(kCFBundleIdentifierKey, state.identifier.get());
            OSSharedPtr<OSString> version(OSString::withCString(component.version), OSNoRetain);
            state.infoDict->setObject(kCFBundleVersionKey, version.get());
            state.versionString = component.version;
            state.version = *parseKextVersion(component.version);
            state.compatibleVersion = parseKextVersion(component.compatibleVersion);
            state.loadTag = gTables->nextLoadTag++;
            state.identity = std::make_shared<ModuleIdentity>(
                ModuleIdentity{component.identifier, component.version, state.loadTag});
            state.loaded = true;
            state.kernelComponent = true;
            state.interface = true;
            publish(kext);
            kext->release();
        }
    });
}

// Not retained; needs the table lock or the operation lock.
OSKext* findKext(std::string_view identifier)
{
    initializeTables();
    std::shared_lock lock(gTables->tableLock);
    return OSDynamicCast(OSKext, gTables->byID->getObject(std::string(identifier).c_str()));
}

std::expected<OSKext*, Error> loadBundle(KextBundle bundle, std::vector<std::string>& loading);

std::expected<OSKext*, Error> resolveLibrary(const KextBundle& dependent, const KextLibrary& library,
                                             std::vector<std::string>& loading)
{
    OSKext* kext = findKext(library.identifier);
    if (!kext) {
        std::optional<std::filesystem::path> found = findKextBundle(library.identifier);
        if (!found) {
            return std::unexpected(Error{kOSKextReturnDependencies,
                                         "Kext " + dependent.identifier + " (" + dependent.path.string() +
                                             "): library " + library.identifier +
                                             " is neither loaded nor found in the extension directories."});
        }
        auto libraryBundle = KextBundle::read(*found);
        auto loaded = libraryBundle ? loadBundle(std::move(*libraryBundle), loading)
                                    : std::expected<OSKext*, Error>(std::unexpected(libraryBundle.error()));
        if (!loaded) {
            return std::unexpected(Error{loaded.error().code == kOSKextReturnDependencies ? kOSKextReturnDependencies
                                                                                          : kOSKextReturnDependencyLoadError,
                                         "Kext " + dependent.identifier + ": dependency " + library.identifier +
                                             " failed to load: " + loaded.error().message});
        }
        kext = *loaded;
    }
    const KextState& state = kext->state();
    if (state.version < library.version || !state.compatibleVersion || *state.compatibleVersion > library.version) {
        return std::unexpected(Error{kOSKextReturnDependencies,
                                     "Kext " + dependent.identifier + " requires " + library.identifier + " " +
                                         library.versionString + ", but the loaded version " + state.versionString +
                                         " is not compatible with it."});
    }
    if (state.image) {
        // The dependent resolves the library's symbols at its own dlopen, as xnu links a kext
        // against its libraries: the library's symbols join the global scope.
        if (void* promoted = dlopen(state.executable.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL)) {
            dlclose(promoted);
        }
    }
    return kext;
}

// Sends a kext's classes' verdict on autounload (xnu's OSKext::addClass message).
void enableAutounloadForIOServiceClasses(OSKext* kext)
{
    KextState& state = kext->state();
    for (const OSMetaClass* meta : OSMetaClassRegistry::shared().classesOfModule(state.identity->identifier)) {
        for (const OSMetaClass* super = meta; super; super = super->getSuperClass()) {
            if (super == IOService::metaClass) {
                if (!state.autounloadEnabled) {
                    IOLog("Kext %s has IOService subclass %s; enabling autounload.\n", state.identity->identifier.c_str(),
                          meta->getClassName());
                }
                state.autounloadEnabled = true;
                return;
            }
        }
    }
}

std::expected<OSKext*, Error> loadBundle(KextBundle bundle, std::vector<std::string>& loading)
{
    if (OSKext* existing = findKext(bundle.identifier)) {
        if (existing->state().version == bundle.version) {
            return existing;
        }
        return std::unexpected(Error{kOSKextReturnLoadedVersionDiffers,
                                     "Kext " + bundle.identifier + " version " + existing->state().versionString +
                                         " is already loaded; cannot load version " + bundle.versionString + " from " +
                                         bundle.path.string() + "."});
    }
    if (std::find(loading.begin(), loading.end(), bundle.identifier) != loading.end()) {
        return std::unexpected(Error{kOSKextReturnDependencies, "Kext " + bundle.identifier + " (" +
                                                                    bundle.path.string() +
                                                                    ") depends on itself through its libraries."});
    }
    loading.push_back(bundle.identifier);
    std::vector<KextReference> dependencies;
    for (const KextLibrary& library : bundle.libraries) {
        auto resolved = resolveLibrary(bundle, library, loading);
        if (!resolved) {
            loading.pop_back();
            return std::unexpected(resolved.error());
        }
        dependencies.emplace_back(*resolved);
    }
    loading.pop_back();

    const OSKextLoadTag tag = gTables->nextLoadTag++;
    auto identity = std::make_shared<ModuleIdentity>(ModuleIdentity{bundle.identifier, bundle.versionString, tag});
    std::unique_ptr<KextImage> image;
    if (bundle.executable) {
        auto loaded = KextImage::load(*bundle.executable, identity);
        if (!loaded) {
            return std::unexpected(loaded.error());
        }
        image = std::move(*loaded);
    }

    auto* kext = new OSKext;
    kext->init();
    KextState& state = kext->state();
    state.identifier.reset(OSSymbol::withCString(bundle.identifier.c_str()), OSNoRetain);
    state.infoDict = bundle.infoDict;
    state.versionString = bundle.versionString;
    state.version = bundle.version;
    state.compatibleVersion = bundle.compatibleVersion;
    state.path = bundle.path;
    state.executable = bundle.executable.value_or(std::filesystem::path{});
    state.identity = identity;
    state.image = std::move(image);
    state.dependencies = std::move(dependencies);
    state.loadTag = tag;
    state.loaded = true;
    state.interface = bundle.isInterface;
    publish(kext);
    kext->release();  // the tables hold it
    {
        std::unique_lock lock(gTables->tableLock);
        gTables->lastLoadedFrom.insert_or_assign(bundle.identifier, bundle.path);
    }

    enableAutounloadForIOServiceClasses(kext);
    kext->sendPersonalitiesToCatalog(true);
    startAutounloadMonitor();
    return kext;
}

void reportInstances(const std::string& identifier, std::string& sentence)
{
    for (const OSMetaClass* meta : OSMetaClassRegistry::shared().classesOfModule(identifier)) {
        const unsigned int count = meta->getInstanceCount();
        if (count != 0) {
            sentence += " Kext " + identifier + " class " + meta->getClassName() + " has " + std::to_string(count) +
                        " instance" + (count == 1 ? "" : "s") + ".";
        }
    }
}

std::expected<void, Error> unloadKext(OSKext* kext)
{
    KextState& state = kext->state();
    const char* id = state.identity->identifier.c_str();
    if (!gTables->unloadEnabled) {
        IOLog("Kext unloading is disabled (%s).\n", id);
        return std::unexpected(Error{kOSKextReturnDisabled, std::string("Kext unloading is disabled (") + id + ")."});
    }
    if (const int references = state.references(); references > 0) {
        IOLog("Can't unload kext %s; outstanding references %d (linkage or tracking object).\n", id, references);
        return std::unexpected(Error{kOSKextReturnInUse, std::string("Can't unload kext ") + id +
                                                             "; outstanding references " + std::to_string(references) +
                                                             " (linkage or tracking object)."});
    }
    if (!state.loaded) {
        return {};
    }
    if (state.kernelComponent) {
        return std::unexpected(
            Error{kOSKextReturnInvalidArgument, std::string("Kext ") + id + " is a kernel component and cannot be unloaded."});
    }
    if (OSMetaClass::removeClasses(id) != kOSReturnSuccess) {
        std::string sentence = std::string("Can't unload kext ") + id + "; classes have instances:";
        reportInstances(id, sentence);
        IOLog("Can't unload kext %s; classes have instances:\n", id);
        OSMetaClass::reportModInstances(id);
        return std::unexpected(Error{kOSKextReturnInUse, sentence});
    }
    if (state.image) {
        const kern_return_t stopped = state.image->stop();
        if (stopped != KERN_SUCCESS) {
            IOLog("Kext %s can't unload - module stop returned 0x%x.\n", id, stopped);
            return std::unexpected(Error{kOSKextReturnStartStopError,
                                         std::string("Kext ") + id + " can't unload - module stop returned " +
                                             hex(stopped) + "."});
        }
        state.image->unload();
        state.image.reset();
    }
    state.loaded = false;
    {
        std::unique_lock lock(gTables->tableLock);
        const unsigned int index = gTables->loaded->getNextIndexOfObject(kext, 0);
        if (index != static_cast<unsigned int>(-1)) {
            gTables->loaded->removeObject(index);
        }
    }
    state.dependencies.clear();  // releases the libraries, which may now unload in turn
    IOLog("Kext %s unloaded.\n", id);
    return {};
}

}  // namespace

std::optional<std::filesystem::path> findKextBundle(std::string_view identifier)
{
    for (const auto& dir : extensionsDirectories()) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.path().extension() == ".kext" && bundleIDForPath(entry.path()) == identifier) {
                return entry.path();
            }
        }
    }
    std::optional<std::filesystem::path> remembered;
    {
        initializeTables();
        std::shared_lock lock(gTables->tableLock);
        if (auto found = gTables->lastLoadedFrom.find(identifier); found != gTables->lastLoadedFrom.end()) {
            remembered = found->second;
        }
    }
    if (remembered && bundleIDForPath(*remembered) == identifier) {
        return remembered;
    }
    return std::nullopt;
}

std::recursive_mutex& kextLock()
{
    initializeTables();
    return gTables->operationLock;
}

std::vector<OSSharedPtr<OSKext>> loadedKextsSnapshot()
{
    initializeTables();
    std::shared_lock lock(gTables->tableLock);
    std::vector<OSSharedPtr<OSKext>> kexts;
    for (unsigned int index = 0; index < gTables->loaded->getCount(); index++) {
        kexts.emplace_back(OSDynamicCast(OSKext, gTables->loaded->getObject(index)), OSRetain);
    }
    return kexts;
}

std::expected<OSKext*, Error> loadKext(const std::filesystem::path& path)
{
    std::lock_guard lock(kextLock());
    auto bundle = KextBundle::read(path);
    if (!bundle) {
        return std::unexpected(bundle.error());
    }
    std::vector<std::string> loading;
    return loadBundle(std::move(*bundle), loading);
}

std::expected<OSKext*, Error> loadKextByIdentifier(std::string_view identifier)
{
    std::lock_guard lock(kextLock());
    if (OSKext* kext = findKext(identifier)) {
        return kext;
    }
    if (std::optional<std::filesystem::path> found = findKextBundle(identifier)) {
        return loadKext(*found);
    }
    return std::unexpected(Error{kOSKextReturnNotFound, "Kext " + std::string(identifier) +
                                                            " not found in the extension directories."});
}

std::expected<void, Error> removeKext(OSKext* kext, bool terminateServicesAndRemovePersonalities)
{
    std::lock_guard lock(kextLock());
    KextState& state = kext->state();
    const char* id = state.identity->identifier.c_str();
    if (state.loaded) {
        if (terminateServicesAndRemovePersonalities) {
            const IOReturn terminated = gIOCatalogue->terminateDriversForModule(id, false);
            if (terminated != kIOReturnSuccess) {
                IOLog("Can't remove kext %s; services failed to terminate - 0x%x.\n", id, terminated);
                return std::unexpected(Error{static_cast<OSReturn>(terminated),
                                             std::string("Can't remove kext ") + id +
                                                 "; services failed to terminate - " + hex(terminated) + "."});
            }
        }
        auto unloaded = unloadKext(kext);
        if (!unloaded) {
            IOLog("Can't remove kext %s; kext failed to unload - 0x%x.\n", id, unloaded.error().code);
            return std::unexpected(unloaded.error());
        }
        if (terminateServicesAndRemovePersonalities) {
            kext->removePersonalitiesFromCatalog();
        }
    }
    IOLog("Removing kext %s.\n", id);
    const OSSharedPtr<OSKext> keep(kext, OSRetain);  // the log line above may outlive the table entry
    std::unique_lock tables(gTables->tableLock);
    gTables->byID->removeObject(state.identifier.get());
    return {};
}

namespace {

// Kexts whose personalities matching took since the service plane was last quiet, and kexts an
// autounload is taking away: matching must not instantiate a class the scan is removing (xnu's
// probeCandidates holds a kextRef for that).
struct MatchingHolds {
    std::mutex lock;
    std::set<std::string, std::less<>> handedToMatching;
    std::set<std::string, std::less<>> autounloading;
};
openiokit::NoDestructor<MatchingHolds> gHolds;

}  // namespace

bool holdForMatching(std::string_view identifier)
{
    std::lock_guard lock(gHolds->lock);
    if (gHolds->autounloading.contains(identifier)) {
        return false;
    }
    gHolds->handedToMatching.emplace(identifier);
    return true;
}

void releaseMatchingHolds()
{
    std::lock_guard lock(gHolds->lock);
    // Matching that started after the quiet made the plane busy again and may hold a kext now.
    IOService* root = IOService::getServiceRoot();
    if (!root || root->getBusyState() == 0) {
        gHolds->handedToMatching.clear();
    }
}

bool autounloadKext(OSKext* kext)
{
    KextState& state = kext->state();
    if (state.references() > 0 || !state.autounloadEnabled || state.kernelComponent ||
        !state.loaded) {
        return false;
    }
    if (state.delayAutounload) {
        // Skipped by this scan only: the next one decides, and nothing else may come to arm it
        // (a kext loaded for matching whose driver has already gone).
        state.delayAutounload = false;
        OSKext::considerUnloads();
        return false;
    }
    if (OSMetaClass::modHasInstance(state.identity->identifier.c_str())) {
        return false;
    }
    const std::string identifier = state.identity->identifier;
    {
        std::lock_guard lock(gHolds->lock);
        if (gHolds->handedToMatching.contains(identifier)) {
            return false;  // the registry going quiet releases the hold and arms the next scan
        }
        gHolds->autounloading.insert(identifier);
    }
    const bool removed = removeKext(kext, false).has_value();
    std::lock_guard lock(gHolds->lock);
    gHolds->autounloading.erase(identifier);
    return removed;
}

void setUnloadEnabled(bool enabled)
{
    gTables->unloadEnabled = enabled;
}

}  // namespace openiokit::kexts

using namespace openiokit::kexts;

openiokit::kexts::KextState& OSKext::state()
{
    if (!state_) {
        state_ = std::make_unique<KextState>();
    }
    return *state_;
}

void OSKext::free(void)
{
    state_.reset();
    OSObject::free();
}

OSKext* OSKext::lookupKextWithIdentifier(const char* kextIdentifier)
{
    if (!kextIdentifier) {
        return nullptr;
    }
    initializeTables();
    std::shared_lock lock(gTables->tableLock);
    auto* kext = OSDynamicCast(OSKext, gTables->byID->getObject(kextIdentifier));
    if (kext) {
        kext->retain();
    }
    return kext;
}

OSKext* OSKext::lookupKextWithIdentifier(OSString* kextIdentifier)
{
    return kextIdentifier ? lookupKextWithIdentifier(kextIdentifier->getCStringNoCopy()) : nullptr;
}

OSKext* OSKext::lookupKextWithLoadTag(OSKextLoadTag aTag)
{
    initializeTables();
    std::shared_lock lock(gTables->tableLock);
    for (unsigned int index = 0; index < gTables->loaded->getCount(); index++) {
        auto* kext = OSDynamicCast(OSKext, gTables->loaded->getObject(index));
        if (kext && kext->state().loadTag == aTag) {
            kext->retain();
            return kext;
        }
    }
    return nullptr;
}

OSKext* OSKext::lookupKextWithAddress(vm_address_t address)
{
    std::shared_ptr<const ModuleIdentity> identity = identityForAddress(address);
    return identity ? lookupKextWithLoadTag(identity->loadTag) : nullptr;
}

OSReturn OSKext::loadKextWithIdentifier(const char* kextIdentifier)
{
    if (!kextIdentifier) {
        return kOSKextReturnInvalidArgument;
    }
    auto loaded = loadKextByIdentifier(kextIdentifier);
    if (!loaded) {
        IOLog("%s\n", loaded.error().message.c_str());
        return loaded.error().code;
    }
    return kOSReturnSuccess;
}

OSReturn OSKext::removeKextWithIdentifier(const char* kextIdentifier, bool terminateServicesAndRemovePersonalities)
{
    if (!kextIdentifier) {
        return kOSKextReturnInvalidArgument;
    }
    std::lock_guard lock(kextLock());
    OSKext* kext = findKext(kextIdentifier);
    if (!kext) {
        IOLog("Kext %s not found for unload request.\n", kextIdentifier);
        return kOSKextReturnNotFound;
    }
    auto removed = removeKext(kext, terminateServicesAndRemovePersonalities);
    return removed ? kOSReturnSuccess : removed.error().code;
}

OSReturn OSKext::removeKextWithLoadTag(OSKextLoadTag loadTag, bool terminateServicesAndRemovePersonalities)
{
    std::lock_guard lock(kextLock());
    OSKext* kext = lookupKextWithLoadTag(loadTag);
    if (!kext) {
        return kOSKextReturnNotFound;
    }
    OSSharedPtr<const OSSymbol> identifier = kext->state().identifier;
    kext->release();
    return removeKextWithIdentifier(identifier->getCStringNoCopy(), terminateServicesAndRemovePersonalities);
}

bool OSKext::canUnloadKextWithIdentifier(OSString* kextIdentifier, bool checkClasses)
{
    if (!kextIdentifier) {
        return false;
    }
    std::lock_guard lock(kextLock());
    OSKext* kext = findKext(kextIdentifier->getCStringNoCopy());
    if (!kext) {
        return true;
    }
    if (kext->state().references() > 0) {
        return false;
    }
    return !(checkClasses && OSMetaClass::modHasInstance(kextIdentifier->getCStringNoCopy()));
}

void OSKext::setUnloadEnabled(bool enabled)
{
    openiokit::kexts::setUnloadEnabled(enabled);
}

const OSSymbol* OSKext::getIdentifier(void)
{
    return state().identifier.get();
}

const char* OSKext::getIdentifierCString(void)
{
    return state().identifier ? state().identifier->getCStringNoCopy() : "";
}

OSKextVersion OSKext::getVersion(void)
{
    return state().version;
}

OSKextLoadTag OSKext::getLoadTag(void)
{
    return state().loadTag;
}

bool OSKext::isLoaded(void)
{
    return state().loaded;
}

bool OSKext::isKernelComponent(void)
{
    return state().kernelComponent;
}

bool OSKext::isInterface(void)
{
    return state().interface;
}

OSObject* OSKext::getPropertyForHostArch(const char* key)
{
    return state().infoDict && key ? state().infoDict->getObject(key) : nullptr;
}

OSReturn OSKext::unload(void)
{
    std::lock_guard lock(kextLock());
    auto unloaded = unloadKext(this);
    return unloaded ? kOSReturnSuccess : unloaded.error().code;
}

OSReturn OSKext::sendPersonalitiesToCatalog(bool startMatching, OSArray* personalityNames)
{
    auto* personalities = OSDynamicCast(OSDictionary, getPropertyForHostArch(kIOKitPersonalitiesKey));
    if (!personalities || personalities->getCount() == 0) {
        return kOSReturnSuccess;
    }
    IOService::initialize();
    OSSharedPtr<OSArray> array(OSArray::withCapacity(personalities->getCount()), OSNoRetain);
    personalities->iterateObjects([&](const OSSymbol* name, OSObject* value) {
        auto* personality = OSDynamicCast(OSDictionary, value);
        if (!personality) {
            return false;
        }
        if (personalityNames) {
            bool wanted = false;
            for (unsigned int index = 0; index < personalityNames->getCount(); index++) {
                auto* wantedName = OSDynamicCast(OSString, personalityNames->getObject(index));
                wanted = wanted || (wantedName && wantedName->isEqualTo(name));
            }
            if (!wanted) {
                return false;
            }
        }
        // The catalogue's copy; the personality names its kext unless it names another.
        OSSharedPtr<OSDictionary> copy(OSDictionary::withDictionary(personality), OSNoRetain);
        if (!copy->getObject(kCFBundleIdentifierKey)) {
            copy->setObject(kCFBundleIdentifierKey, getIdentifier());
        }
        array->setObject(copy.get());
        return false;
    });
    return gIOCatalogue->addDrivers(array.get(), startMatching) ? kOSReturnSuccess : kOSKextReturnBadData;
}

void OSKext::removePersonalitiesFromCatalog(void)
{
    if (gIOCatalogue) {
        gIOCatalogue->removePersonalities(getIdentifierCString());
    }
}
