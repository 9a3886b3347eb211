// What the registry's source files share and nobody else needs.
#pragma once

#include <libkern/OSTypes.h>

#include <stdint.h>

namespace openiokit::registry {

// The next registry entry ID: the root gets 0x100000100, each later entry the next number
// (xnu: ++gIORegistryLastID, starting from kIORegistryIDReserved). Thread-safe.
uint64_t nextEntryID();

// Prints "IORegistry: fatal: <what> (<name>)" and aborts: for bugs such as freeing an entry
// that is still attached.
[[noreturn]] void diagnose(const char* what, const char* name);

}  // namespace openiokit::registry
