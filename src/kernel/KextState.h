// Loader state of one OSKext (internal): what its bundle declared, its image, the kexts it links
// against (each retained, which is what blocks their unloading) and xnu's flags.
#pragma once

#include "KextBundle.h"
#include "KextImage.h"

#include <libkern/c++/OSKext.h>
#include <libkern/c++/OSSymbol.h>

class IOService;

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace openiokit::kexts {

class KextReference;

struct KextState {
    OSSharedPtr<const OSSymbol> identifier;
    OSSharedPtr<OSDictionary> infoDict;
    std::string versionString;
    OSKextVersion version = 0;
    std::optional<OSKextVersion> compatibleVersion;
    std::filesystem::path path;                  // empty for kernel components
    std::filesystem::path executable;            // empty without an executable
    std::shared_ptr<const ModuleIdentity> identity;
    std::unique_ptr<KextImage> image;            // null for kernel components and codeless kexts
    std::vector<KextReference> dependencies;
    OSKextLoadTag loadTag = kOSKextInvalidLoadTag;
    std::atomic<bool> loaded{false};  // also read outside the operation lock (isLoaded)
    bool kernelComponent = false;
    bool interface = false;
    // Atomic, like the retain count below: OSKextRetain/ReleaseKextWithLoadTag run from user
    // clients' free() on the terminate thread while an unload holds the kext lock and waits
    // for that very termination, so they must not take the lock.
    std::atomic<bool> autounloadEnabled{false};
    bool delayAutounload = false;
    // What blocks unloading (xnu's "linkage or tracking object", kextstat's Refs): dependents
    // linked against this kext and OSKextRetainKextWithLoadTag retains. Counted apart from the
    // OSObject retain count, which look-ups and snapshots (kextstat) also take for a moment: a
    // scan that read those as retains skipped the kext and nothing re-armed it.
    std::atomic<int> dependents{0};
    std::atomic<int> loadTagRetains{0};
    int references() const { return dependents.load() + loadTagRetains.load(); }
};

// A dependent's link to one of its libraries: keeps the library's OSKext alive and counts as one
// of its references for as long as the dependent is loaded.
class KextReference {
public:
    explicit KextReference(OSKext* library) : kext_(library, OSRetain) { kext_->state().dependents++; }
    KextReference(KextReference&& other) noexcept = default;
    KextReference& operator=(KextReference&& other) noexcept
    {
        reset();
        kext_ = std::move(other.kext_);
        return *this;
    }
    KextReference(const KextReference&) = delete;
    KextReference& operator=(const KextReference&) = delete;
    ~KextReference() { reset(); }

    OSKext* get() const { return kext_.get(); }
    OSKext* operator->() const { return kext_.get(); }

private:
    void reset()
    {
        if (kext_) {
            kext_->state().dependents--;
            kext_.reset();
        }
    }
    OSSharedPtr<OSKext> kext_;
};

// Used by the autounload scan (KextAutounload.cpp) and the daemon API (Kexts.cpp).
std::recursive_mutex& kextLock();  // xnu's sKextLock: serialises load, unload and removal
// Loaded kexts in load order, retained.
std::vector<OSSharedPtr<OSKext>> loadedKextsSnapshot();
std::expected<OSKext*, Error> loadKext(const std::filesystem::path& bundle);    // not retained
std::expected<OSKext*, Error> loadKextByIdentifier(std::string_view identifier);
// The bundle a load by identifier would use: the first *.kext of the extension directories with
// that CFBundleIdentifier, else the path the identifier was last loaded from if it still holds
// it. Takes no operation lock.
std::optional<std::filesystem::path> findKextBundle(std::string_view identifier);
// OSKext::removeKext with the failure sentence.
std::expected<void, Error> removeKext(OSKext* kext, bool terminateServicesAndRemovePersonalities);
// OSKext::autounloadKext: unloads (no terminate) if nothing holds the kext. True if it did.
bool autounloadKext(OSKext* kext);
// Matching took a personality of this loaded kext: no autounload until the service plane is
// next quiet (releaseMatchingHolds). False if an autounload is removing it right now (then treat
// it as not loaded: the load on demand waits for the unload and loads it again).
bool holdForMatching(std::string_view identifier);
void releaseMatchingHolds();  // the service plane went quiet
void startAutounloadMonitor();  // arms considerUnloads on registry quiet
// kextd's load on demand (IOCatalogue::findDrivers): `personality` is a candidate for `service`
// but its kext is not loaded. A loader thread, outside every registry and catalogue lock,
// checks that the personality still matches the service passively, loads the kext (extension
// directories, then the path it was last loaded from) and calls IOCatalogue::moduleHasLoaded,
// which rematches the service. A failure is logged in xnu's words; the service stays unmatched.
void requestLoadForMatching(IOService* service, OSDictionary* personality);

}  // namespace openiokit::kexts
