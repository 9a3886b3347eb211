// Archive.h: `ioreg -a`: the same selection as the text tree, as an XML property list written
// by CFPropertyListCreateData. Each entry is a dictionary of its shown properties plus
// IOObjectClass, IOObjectRetainCount, IORegistryEntryID, IORegistryEntryName,
// IORegistryEntryLocation (if any), IOServiceState / IOServiceBusyState / IOServiceBusyTime
// (services), IOObjectInheritance (-i) and IORegistryEntryChildren (an array). Without -r the
// plist is the root's dictionary; with -r, an array with one dictionary per match.
#pragma once

#include "Options.h"

#include <string>

namespace openiokit::tools::ioreg {

// The XML text, or an empty string if CoreFoundation could not serialise the tree.
std::string archive(const Options& options);

}  // namespace openiokit::tools::ioreg
