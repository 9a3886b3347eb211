// A kext bundle on disk: Foo.kext/Contents/Info.plist (XML or binary, read with libplist into
// libkern containers) and Foo.kext/Contents/MacOS/<CFBundleExecutable>. Reading validates
// everything that can be checked before loading: the identifier, versions, executable file,
// OSBundleLibraries and IOKitPersonalities shapes.
#pragma once

#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSKext.h>
#include <libkern/c++/OSSharedPtr.h>
#include <openiokit/Kexts.h>

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace openiokit::kexts {

struct KextLibrary {
    std::string identifier;
    std::string versionString;
    OSKextVersion version;
};

struct KextBundle {
    std::filesystem::path path;             // the .kext directory
    OSSharedPtr<OSDictionary> infoDict;     // the whole Info.plist
    std::string identifier;
    std::string versionString;
    OSKextVersion version = 0;
    std::optional<OSKextVersion> compatibleVersion;  // absent: nothing may link against it
    std::optional<std::filesystem::path> executable; // absent: a codeless kext
    std::vector<KextLibrary> libraries;     // OSBundleLibraries, in the plist's key order
    bool isInterface = false;               // OSBundleIsInterface

    static std::expected<KextBundle, Error> read(const std::filesystem::path& path);
};

// Info.plist of `bundle` as libkern containers (no validation beyond being a dictionary).
std::expected<OSSharedPtr<OSDictionary>, Error> readInfoPlist(const std::filesystem::path& bundle);

}  // namespace openiokit::kexts
