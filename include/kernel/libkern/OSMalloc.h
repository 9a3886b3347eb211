// <libkern/OSMalloc.h>: tagged kernel allocation (xnu libkern/libkern/OSMalloc.h names and
// signatures). A tag names a kext's allocations; each allocation holds a reference on its tag,
// so OSMalloc_Tagfree with allocations outstanding frees the tag when the last one is freed (as
// xnu). OSFree checks `size` against the allocation's and logs a mismatch.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __OSMallocTag__ *OSMallocTag;
typedef struct __OSMallocTag__ *OSMallocTag_t;

#define OSMT_DEFAULT 0x00
#define OSMT_PAGEABLE 0x01  // accepted; every allocation is pageable here

// A new tag, or NULL for a NULL name. Names longer than 63 bytes are truncated.
OSMallocTag OSMalloc_Tagalloc(const char *name, uint32_t flags);
void OSMalloc_Tagfree(OSMallocTag tag);

// `size` bytes (NULL for size 0 or a NULL tag). The _nowait/_noblock forms never block here.
void *OSMalloc(uint32_t size, OSMallocTag tag);
void *OSMalloc_nowait(uint32_t size, OSMallocTag tag);
void *OSMalloc_noblock(uint32_t size, OSMallocTag tag);
void OSFree(void *addr, uint32_t size, OSMallocTag tag);

#ifdef __cplusplus
}
#endif
