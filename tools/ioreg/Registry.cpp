#include "Registry.h"

#include <algorithm>

namespace openiokit::tools::ioreg {

std::vector<IOObjectRef> childrenOf(io_registry_entry_t entry, const std::string& plane)
{
    io_iterator_t iterator = IO_OBJECT_NULL;
    if (IORegistryEntryGetChildIterator(entry, plane.c_str(), &iterator) != KERN_SUCCESS) {
        return {};
    }
    IOObjectRef owned(iterator);
    return drain(iterator);
}

std::vector<IOObjectRef> ancestorsOf(io_registry_entry_t entry, const std::string& plane)
{
    std::vector<IOObjectRef> chain;
    io_registry_entry_t current = entry;
    io_registry_entry_t parent = IO_OBJECT_NULL;
    while (IORegistryEntryGetParentEntry(current, plane.c_str(), &parent) == KERN_SUCCESS && parent) {
        chain.emplace_back(parent);
        current = parent;
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

std::vector<IOObjectRef> allEntries(const std::string& plane)
{
    std::vector<IOObjectRef> out;
    out.emplace_back(IORegistryGetRootEntry(kIOMainPortDefault));
    io_iterator_t iterator = IO_OBJECT_NULL;
    if (IORegistryCreateIterator(kIOMainPortDefault, plane.c_str(), kIORegistryIterateRecursively, &iterator) !=
        KERN_SUCCESS) {
        return out;
    }
    IOObjectRef owned(iterator);
    uint64_t rootID = 0;
    IORegistryEntryGetRegistryEntryID(out.front().get(), &rootID);
    for (IOObjectRef& e : drain(iterator)) {
        uint64_t id = 0;
        IORegistryEntryGetRegistryEntryID(e.get(), &id);
        if (id != rootID) {  // whether the iterator yields the root itself differs by version
            out.push_back(std::move(e));
        }
    }
    return out;
}

}  // namespace openiokit::tools::ioreg
