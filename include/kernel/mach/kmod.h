// <mach/kmod.h>: the kmod_info record a kext carries (Xcode generates it from
// KMOD_EXPLICIT_DECL in <product>_info.c). The OpenIOKit loader reads `kmod_info` from a loaded
// bundle, fills in id/address/size, and calls its start routine after the static constructors
// and its stop routine before the destructors (iokit-semantics.md §1.6). Layout and names as
// Apple's; only the parts a kext uses.
#pragma once

#include <mach/kern_return.h>
#include <mach/vm_types.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KMOD_MAX_NAME 64
#define KMOD_INFO_VERSION 1
#define KMOD_INFO_NAME kmod_info

struct kmod_info;
typedef kern_return_t kmod_start_func_t(struct kmod_info *ki, void *data);
typedef kern_return_t kmod_stop_func_t(struct kmod_info *ki, void *data);

typedef struct kmod_reference {
    struct kmod_reference *next;
    struct kmod_info *info;
} kmod_reference_t;

typedef struct kmod_info {
    struct kmod_info *next;
    int32_t info_version;  // KMOD_INFO_VERSION
    uint32_t id;           // load tag, filled in by the loader
    char name[KMOD_MAX_NAME];
    char version[KMOD_MAX_NAME];
    int32_t reference_count;
    kmod_reference_t *reference_list;
    vm_address_t address;  // where the image was mapped, filled in by the loader
    vm_size_t size;
    vm_size_t hdr_size;
    kmod_start_func_t *start;
    kmod_stop_func_t *stop;
} kmod_info_t;

typedef int kmod_t;

#define KMOD_STRINGIFY_(x) #x
#define KMOD_STRINGIFY(x) KMOD_STRINGIFY_(x)
// Declares the kext's kmod_info. `name` is the bare bundle identifier, as Xcode passes it.
#define KMOD_EXPLICIT_DECL(name, version, start, stop)                                     \
    kmod_info_t KMOD_INFO_NAME = {0, KMOD_INFO_VERSION, 0xffffffffU, KMOD_STRINGIFY(name), \
                                  version, -1, 0, 0, 0, 0, start, stop};
#define KMOD_DECL(name, version) KMOD_EXPLICIT_DECL(name, version, 0, 0)

#ifdef __cplusplus
}
#endif
