// The OSMalloc tag API (see <libkern/OSMalloc.h>). Each allocation carries a small header with
// its size and tag, so OSFree can check the caller's size and tag and the tag can outlive
// OSMalloc_Tagfree until its last allocation is freed.
#include <IOKit/IOLib.h>
#include <libkern/OSMalloc.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

struct __OSMallocTag__ {
    std::atomic<uint32_t> references{1};  // the creator's, plus one per live allocation
    std::atomic<bool> valid{true};        // until OSMalloc_Tagfree
    uint32_t flags = 0;
    char name[64] = {};
};

namespace {

// Precedes every allocation; max_align_t keeps the caller's bytes aligned as malloc's.
struct alignas(std::max_align_t) Header {
    OSMallocTag tag;
    uint32_t size;
};

void releaseTag(OSMallocTag tag)
{
    if (tag->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        delete tag;
    }
}

void* allocate(uint32_t size, OSMallocTag tag)
{
    if (!tag || size == 0) {
        return nullptr;
    }
    if (!tag->valid.load(std::memory_order_acquire)) {
        IOLog("OSMalloc: tag \"%s\" was freed\n", tag->name);
        return nullptr;
    }
    auto* header = static_cast<Header*>(std::malloc(sizeof(Header) + size));
    if (!header) {
        return nullptr;
    }
    tag->references.fetch_add(1, std::memory_order_relaxed);
    header->tag = tag;
    header->size = size;
    return header + 1;
}

}  // namespace

extern "C" {

OSMallocTag OSMalloc_Tagalloc(const char* name, uint32_t flags)
{
    if (!name) {
        return nullptr;
    }
    auto* tag = new (std::nothrow) __OSMallocTag__;
    if (!tag) {
        return nullptr;
    }
    tag->flags = flags;
    std::strncpy(tag->name, name, sizeof(tag->name) - 1);
    return tag;
}

void OSMalloc_Tagfree(OSMallocTag tag)
{
    if (!tag) {
        return;
    }
    if (tag->valid.exchange(false, std::memory_order_acq_rel) == false) {
        IOLog("OSMalloc_Tagfree: tag \"%s\" freed twice\n", tag->name);
        return;
    }
    const uint32_t outstanding = tag->references.load(std::memory_order_acquire) - 1;
    if (outstanding) {
        IOLog("OSMalloc_Tagfree: tag \"%s\" still has %u allocations; freed with the last\n", tag->name,
              outstanding);
    }
    releaseTag(tag);
}

void* OSMalloc(uint32_t size, OSMallocTag tag)
{
    return allocate(size, tag);
}

void* OSMalloc_nowait(uint32_t size, OSMallocTag tag)
{
    return allocate(size, tag);
}

void* OSMalloc_noblock(uint32_t size, OSMallocTag tag)
{
    return allocate(size, tag);
}

void OSFree(void* addr, uint32_t size, OSMallocTag tag)
{
    if (!addr) {
        return;
    }
    Header* header = static_cast<Header*>(addr) - 1;
    if (header->size != size || header->tag != tag) {
        IOLog("OSFree: %p was allocated as %u bytes with tag \"%s\", freed as %u bytes with tag %p\n", addr,
              header->size, header->tag->name, size, tag);
    }
    OSMallocTag owner = header->tag;
    std::free(header);
    releaseTag(owner);
}

}  // extern "C"
