// IOMalloc and friends on the C heap. xnu distinguishes zones, data heaps and pageable memory;
// a user-space host has one heap, so the variants differ only in zeroing and alignment. Sizes
// passed to the free functions are accepted and ignored (free() knows the block).
#include <IOKit/IOLib.h>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <algorithm>

namespace {

void *allocateAligned(vm_size_t size, vm_size_t alignment)
{
    // posix_memalign wants a power of two that is a multiple of sizeof(void *).
    std::size_t effective = std::bit_ceil(std::max<std::size_t>(alignment, sizeof(void *)));
    void *memory = nullptr;
    if (posix_memalign(&memory, effective, size == 0 ? 1 : size) != 0) {
        return nullptr;
    }
    return memory;
}

} // namespace

extern "C" {

void *IOMalloc(vm_size_t size)
{
    return std::malloc(size);
}

void *IOMallocZero(vm_size_t size)
{
    return std::calloc(1, size);
}

void IOFree(void *address, vm_size_t size)
{
    std::free(address);
}

void *IOMallocData(vm_size_t size)
{
    return std::malloc(size);
}

void *IOMallocZeroData(vm_size_t size)
{
    return std::calloc(1, size);
}

void IOFreeData(void *address, vm_size_t size)
{
    std::free(address);
}

void *IOMallocAligned(vm_size_t size, vm_offset_t alignment)
{
    return allocateAligned(size, alignment);
}

void IOFreeAligned(void *address, vm_size_t size)
{
    std::free(address);
}

void *IOMallocPageable(vm_size_t size, vm_size_t alignment)
{
    return allocateAligned(size, alignment);
}

void *IOMallocPageableZero(vm_size_t size, vm_size_t alignment)
{
    void *memory = allocateAligned(size, alignment);
    if (memory != nullptr) {
        std::memset(memory, 0, size);
    }
    return memory;
}

void IOFreePageable(void *address, vm_size_t size)
{
    std::free(address);
}

} // extern "C"
