#include "BundleInfo.h"

#include "CFRef.h"

#include <CoreFoundation/CoreFoundation.h>
#include <fmt/core.h>

#include <fstream>
#include <iterator>
#include <system_error>

namespace openiokit::tools {

namespace fs = std::filesystem;

std::expected<BundleInfo, std::string> readBundleInfo(const fs::path& bundle)
{
    std::error_code ec;
    if (!fs::exists(bundle, ec)) {
        return std::unexpected(fmt::format("{} does not exist.", bundle.string()));
    }
    if (!fs::is_directory(bundle, ec)) {
        return std::unexpected(fmt::format("{} is not a kext bundle (not a directory).", bundle.string()));
    }
    // macOS bundles keep it in Contents/; flat (iOS-style) bundles at the top.
    fs::path plist = bundle / "Contents" / "Info.plist";
    if (!fs::is_regular_file(plist, ec)) {
        plist = bundle / "Info.plist";
    }
    if (!fs::is_regular_file(plist, ec)) {
        return std::unexpected(fmt::format("{} has no Contents/Info.plist.", bundle.string()));
    }
    std::ifstream in(plist, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return std::unexpected(fmt::format("{} cannot be read.", plist.string()));
    }
    CFRef<CFDataRef> data(CFDataCreate(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(bytes.data()),
                                       static_cast<CFIndex>(bytes.size())));
    CFErrorRef rawError = nullptr;
    CFRef<CFPropertyListRef> parsed(
        CFPropertyListCreateWithData(kCFAllocatorDefault, data.get(), kCFPropertyListImmutable, nullptr, &rawError));
    CFRef<CFErrorRef> parseError(rawError);
    CFDictionaryRef dictionary = asDictionary(parsed.get());
    if (!dictionary) {
        return std::unexpected(fmt::format("{} is not a property list dictionary.", plist.string()));
    }
    const std::string identifier = lookupString(dictionary, "CFBundleIdentifier");
    if (identifier.empty()) {
        return std::unexpected(fmt::format("{} has no CFBundleIdentifier.", plist.string()));
    }
    return BundleInfo{plist, identifier};
}

}  // namespace openiokit::tools
