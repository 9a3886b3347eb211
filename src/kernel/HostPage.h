// The host's page size: the granule of memfd sizes and mmap offsets behind memory descriptors.
#pragma once

#include <unistd.h>

#include <cstddef>

namespace openiokit {

inline size_t hostPageSize()
{
    static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return size;
}

}  // namespace openiokit
