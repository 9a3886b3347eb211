// The daemon-facing kext API (openiokit/Kexts.h) over OSKext and IOCatalogue, and the
// load-on-demand thread that plays kextd for matching (requestLoadForMatching).
#include "KextState.h"

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOKitServer.h>
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSString.h>

#include "IOServiceMatchingInternal.h"
#include "common/NoDestructor.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace openiokit::kexts {
namespace {

struct Directories {
    std::mutex lock;
    std::vector<std::filesystem::path> dirs;
};
openiokit::NoDestructor<Directories> gDirectories;

LoadedKextInfo describe(OSKext* kext)
{
    KextState& state = kext->state();
    LoadedKextInfo info{};
    info.loadTag = state.loadTag;
    info.bundleID = state.identity->identifier;
    info.version = state.versionString;
    if (state.image) {
        info.address = state.image->address();
        info.size = state.image->size();
        info.wiredSize = info.size;
        info.uuid = state.image->uuid();
    }
    info.retainCount = state.references();
    for (const auto& dependency : state.dependencies) {
        info.linkedAgainst.push_back(dependency->state().loadTag);
    }
    info.path = state.path.string();
    info.isKernelComponent = state.kernelComponent;
    return info;
}

// The load-on-demand queue: what kextd does for xnu's kernel load requests. One request per
// (service, kext) at a time; a thread serves the queue and ends when it is empty.
struct DemandLoad {
    OSSharedPtr<IOService> service;
    OSSharedPtr<OSDictionary> personality;
    std::string identifier;
};

struct DemandLoads {
    std::mutex lock;
    std::deque<DemandLoad> queue;
    bool threadRunning = false;
};
openiokit::NoDestructor<DemandLoads> gDemandLoads;

void serveDemandLoad(const DemandLoad& request)
{
    const char* id = request.identifier.c_str();
    if (request.service->isInactive()) {
        return;
    }
    if (!gIOCatalogue->isModuleLoaded(request.personality.get())) {
        // Only a personality that still matches the service is worth a load (xnu asks for the
        // kext after passive matching).
        OSSharedPtr<OSDictionary> table(OSDictionary::withDictionary(request.personality.get()), OSNoRetain);
        if (!table || !openiokit::matchPassive(request.service.get(), table.get(),
                                               kIOServiceChangesOK | kIOServiceClassDone)) {
            return;
        }
        std::lock_guard operation(kextLock());
        auto loaded = loadKextByIdentifier(request.identifier);
        if (!loaded) {
            IOLog("Failed to load kext %s (error 0x%x).\n", id, loaded.error().code);
            IOLog("%s\n", loaded.error().message.c_str());
            return;
        }
        // A scan must not take the kext away before matching has instantiated its driver
        // (kextd loads requested kexts with delayAutounload).
        (*loaded)->state().delayAutounload = true;
    }
    gIOCatalogue->moduleHasLoaded(id);
}

void demandLoadThread()
{
    std::unique_lock lock(gDemandLoads->lock);
    while (!gDemandLoads->queue.empty()) {
        DemandLoad request = std::move(gDemandLoads->queue.front());
        gDemandLoads->queue.pop_front();
        lock.unlock();
        serveDemandLoad(request);
        request = {};
        lock.lock();
    }
    gDemandLoads->threadRunning = false;
}

}  // namespace

void requestLoadForMatching(IOService* service, OSDictionary* personality)
{
    auto* identifier = OSDynamicCast(OSString, personality->getObject(gIOModuleIdentifierKernelKey));
    if (!identifier) {
        identifier = OSDynamicCast(OSString, personality->getObject(gIOModuleIdentifierKey));
    }
    if (!service || !identifier) {
        return;
    }
    std::lock_guard lock(gDemandLoads->lock);
    for (const auto& pending : gDemandLoads->queue) {
        if (pending.service.get() == service && pending.identifier == identifier->getCStringNoCopy()) {
            return;  // matching loops over the catalogue; one request is enough
        }
    }
    gDemandLoads->queue.push_back(DemandLoad{OSSharedPtr<IOService>(service, OSRetain),
                                             OSSharedPtr<OSDictionary>(personality, OSRetain),
                                             identifier->getCStringNoCopy()});
    if (!gDemandLoads->threadRunning) {
        try {
            std::thread(demandLoadThread).detach();
            gDemandLoads->threadRunning = true;
        } catch (const std::system_error& error) {
            // The request stays queued for the next one that can start the thread.
            IOLog("Kext loader: cannot start the load-on-demand thread: %s\n", error.what());
        }
    }
}

void setExtensionsDirectories(std::vector<std::filesystem::path> dirs)
{
    std::lock_guard lock(gDirectories->lock);
    gDirectories->dirs = std::move(dirs);
}

std::vector<std::filesystem::path> extensionsDirectories()
{
    std::lock_guard lock(gDirectories->lock);
    return gDirectories->dirs;
}

std::expected<uint32_t, Error> loadKextWithPath(const std::filesystem::path& bundle)
{
    std::lock_guard lock(kextLock());  // an autounload scan must not free it before the tag is read
    auto kext = loadKext(bundle);
    if (!kext) {
        return std::unexpected(kext.error());
    }
    return (*kext)->getLoadTag();
}

std::expected<uint32_t, Error> loadKextWithIdentifier(std::string_view bundleID)
{
    std::lock_guard lock(kextLock());
    auto kext = loadKextByIdentifier(bundleID);
    if (!kext) {
        return std::unexpected(kext.error());
    }
    return (*kext)->getLoadTag();
}

std::expected<void, Error> unloadKextWithIdentifier(std::string_view bundleID,
                                                    bool terminateServicesAndRemovePersonalities)
{
    std::lock_guard lock(kextLock());
    OSKext* kext = OSKext::lookupKextWithIdentifier(std::string(bundleID).c_str());
    if (!kext) {
        IOLog("Kext %s not found for unload request.\n", std::string(bundleID).c_str());
        return std::unexpected(Error{kOSKextReturnNotFound, "Kext " + std::string(bundleID) + " not found for unload request."});
    }
    kext->release();  // the lock keeps it in the table; the look-up must not count as a reference
    return removeKext(kext, terminateServicesAndRemovePersonalities);
}

std::expected<void, Error> unloadKextWithPath(const std::filesystem::path& bundle,
                                              bool terminateServicesAndRemovePersonalities)
{
    std::optional<std::string> identifier = bundleIDForPath(bundle);
    if (!identifier) {
        auto info = readInfoPlist(bundle);
        return std::unexpected(info ? Error{kOSKextReturnValidation, (bundle / "Contents" / "Info.plist").string() +
                                                                         ": CFBundleIdentifier is missing."}
                                    : info.error());
    }
    return unloadKextWithIdentifier(*identifier, terminateServicesAndRemovePersonalities);
}

std::vector<LoadedKextInfo> loadedKexts()
{
    std::vector<LoadedKextInfo> rows;
    // An unload resets the image and drops the dependencies under the operation lock.
    std::lock_guard lock(kextLock());
    for (const auto& kext : loadedKextsSnapshot()) {
        rows.push_back(describe(kext.get()));
    }
    std::stable_partition(rows.begin(), rows.end(), [](const LoadedKextInfo& row) { return row.isKernelComponent; });
    return rows;
}

std::optional<std::string> bundleIDForPath(const std::filesystem::path& bundle)
{
    auto info = readInfoPlist(bundle);
    if (!info) {
        return std::nullopt;
    }
    auto* identifier = OSDynamicCast(OSString, (*info)->getObject(kCFBundleIdentifierKey));
    if (!identifier) {
        return std::nullopt;
    }
    return std::string(identifier->getCStringNoCopy());
}

void unloadAllForShutdown()
{
    std::lock_guard lock(kextLock());
    // Leaf-first: the loaded list is in load order, and dependencies always load first.
    for (;;) {
        bool progress = false;
        auto kexts = loadedKextsSnapshot();
        for (auto kext = kexts.rbegin(); kext != kexts.rend(); ++kext) {
            OSKext* candidate = kext->get();
            kext->reset();
            if (!candidate->isKernelComponent() && removeKext(candidate, true)) {
                progress = true;
            }
        }
        if (!progress) {
            break;
        }
    }
}

IOReturn catalogueTerminate(uint32_t flag, const char* name)
{
    if (!name) {
        return kIOReturnBadArgument;
    }
    IOService::initialize();
    switch (flag) {
    case kIOCatalogServiceTerminate: {
        io_name_t className{};
        std::snprintf(className, sizeof className, "%s", name);
        return gIOCatalogue->terminateDrivers(nullptr, className, false);
    }
    case kIOCatalogModuleUnload:
    case kIOCatalogModuleTerminate:
        return gIOCatalogue->terminateDriversForModule(name, flag == kIOCatalogModuleUnload);
    default:
        return kIOReturnBadArgument;
    }
}

}  // namespace openiokit::kexts
