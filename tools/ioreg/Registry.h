// Registry.h: walking the registry for ioreg: children in a plane, ancestors, all entries.
#pragma once

#include "../common/IOObjectRef.h"

#include <string>
#include <vector>

namespace openiokit::tools::ioreg {

std::vector<IOObjectRef> childrenOf(io_registry_entry_t entry, const std::string& plane);
// Root first, ending with the entry's parent (empty for the root).
std::vector<IOObjectRef> ancestorsOf(io_registry_entry_t entry, const std::string& plane);
// Every entry of the plane, depth first from the root (the root included).
std::vector<IOObjectRef> allEntries(const std::string& plane);

}  // namespace openiokit::tools::ioreg
