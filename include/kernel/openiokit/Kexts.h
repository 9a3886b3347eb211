// openiokit/Kexts.h: the kext management API the daemon (iokitd) calls (OpenIOKit-internal, not
// Apple's). It wraps OSKext / IOCatalogue (iokit-semantics.md §1.2-§1.7) with errors a request
// can answer directly: an OSReturn/IOReturn code and one sentence that names the bundle or kext
// and what was wrong. Every function is thread-safe.
#pragma once

#include <IOKit/IOReturn.h>
#include <libkern/OSReturn.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openiokit::kexts {

struct Error {
    OSReturn code;
    std::string message;  // one sentence naming the file or kext and the problem
};

// One kextstat row.
struct LoadedKextInfo {
    uint32_t loadTag;
    std::string bundleID;
    std::string version;              // CFBundleVersion as written
    uint64_t address;                 // image base; 0 for kernel components
    uint64_t size;                    // mapped size of the image's segments
    uint64_t wiredSize;               // = size (nothing is pageable here)
    int32_t retainCount;              // kextstat "Refs": retain count minus the loaded minimum
    std::string uuid;                 // ELF GNU build-id as a UUID string, or empty
    std::vector<uint32_t> linkedAgainst;  // load tags of its dependencies
    std::string path;                 // bundle path; empty for kernel components
    bool isKernelComponent;
};

// Directories searched (in order) for a bundle by CFBundleIdentifier: loadKextWithIdentifier
// and dependency resolution. Each *.kext directly inside is considered.
void setExtensionsDirectories(std::vector<std::filesystem::path> dirs);
std::vector<std::filesystem::path> extensionsDirectories();

// Autounload delay after the registry goes quiet (xnu's sConsiderUnloadDelay: 60 s).
void setAutounloadDelay(std::chrono::milliseconds delay);
std::chrono::milliseconds autounloadDelay();
// Autounload scans completed so far, and a wait for the next one (true if one completed after
// `after` within `timeout`): lets tests and tools observe that a scan ran and skipped a kext.
uint64_t autounloadScanCount();
bool waitForAutounloadScan(uint64_t after, std::chrono::milliseconds timeout);

// Loads the bundle at `bundle` (its dependencies first, from the extension directories) and
// sends its personalities to the catalogue, which starts matching. The load tag; an already
// loaded identical identifier answers its existing tag (a different version:
// kOSKextReturnLoadedVersionDiffers).
std::expected<uint32_t, Error> loadKextWithPath(const std::filesystem::path& bundle);
std::expected<uint32_t, Error> loadKextWithIdentifier(std::string_view bundleID);

// §1.3: OSKext::removeKextWithIdentifier(id, terminateServicesAndRemovePersonalities).
std::expected<void, Error> unloadKextWithIdentifier(std::string_view bundleID,
                                                    bool terminateServicesAndRemovePersonalities);
std::expected<void, Error> unloadKextWithPath(const std::filesystem::path& bundle,
                                              bool terminateServicesAndRemovePersonalities);

// Loaded kexts, built-in kernel components first (as kextstat lists the kernel's), then by
// load tag.
std::vector<LoadedKextInfo> loadedKexts();

// CFBundleIdentifier of the bundle's Info.plist, or nullopt if it has none / cannot be read.
std::optional<std::string> bundleIDForPath(const std::filesystem::path& bundle);

// iokitd's SIGTERM: terminates every kext's services and unloads every kext, dependents first.
void unloadAllForShutdown();

// is_io_catalog_terminate after the privilege check (§1.2): kIOCatalogServiceTerminate ->
// IOCatalogue::terminateDrivers(NULL, name); kIOCatalogModuleUnload / kIOCatalogModuleTerminate
// -> IOCatalogue::terminateDriversForModule(name, unload = flag == kIOCatalogModuleUnload);
// another flag -> kIOReturnBadArgument. A NULL name is kIOReturnBadArgument.
IOReturn catalogueTerminate(uint32_t flag, const char* name);

}  // namespace openiokit::kexts
