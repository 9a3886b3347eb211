// Apple's kext version strings (CFBundleVersion, OSBundleCompatibleVersion, OSBundleLibraries
// values): "MAJOR[.MINOR[.REVISION]][STAGE[N]]", MAJOR 0-99999, MINOR and REVISION 0-99, STAGE
// one of d (development), a (alpha), b (beta), fc (final candidate) with N 0-255. Encoded into
// one integer that orders versions the way OSKextParseVersionString's values do.
#pragma once

#include <libkern/c++/OSKext.h>

#include <optional>
#include <string_view>

namespace openiokit::kexts {

std::optional<OSKextVersion> parseKextVersion(std::string_view text);

}  // namespace openiokit::kexts
