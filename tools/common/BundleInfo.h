// BundleInfo.h: what a tool reads from a kext bundle on disk before asking the daemon (as
// kext_tools' OSKextCreate does): the bundle must be a directory holding an Info.plist with a
// CFBundleIdentifier. Errors are one sentence naming the file and what is wrong with it.
#pragma once

#include <expected>
#include <filesystem>
#include <string>

namespace openiokit::tools {

struct BundleInfo {
    std::filesystem::path infoPlist;
    std::string identifier;
};

std::expected<BundleInfo, std::string> readBundleInfo(const std::filesystem::path& bundle);

}  // namespace openiokit::tools
