// <device/device_types.h>: the fixed-size string and in-band buffer types of the IOKit MIG
// interface (iokit-semantics.md §5.4), and io_object_t for code that is not the kernel.
#pragma once

#include <stdint.h>

#include <mach/mach_types.h>
#include <mach/port.h>

typedef char *io_buf_ptr_t;

typedef char io_name_t[128];
typedef char io_string_t[512];
typedef char io_string_inband_t[4096];
typedef char io_struct_inband_t[4096];

#ifdef KERNEL
typedef uint64_t io_user_scalar_t;
typedef uint64_t io_user_reference_t;
typedef int io_scalar_inband_t[16];
typedef natural_t io_async_ref_t[8]; // must stay the same type as OSAsyncReference
typedef io_user_scalar_t io_scalar_inband64_t[16];
typedef io_user_reference_t io_async_ref64_t[8];
#else
typedef uint64_t io_user_scalar_t;
typedef uint64_t io_user_reference_t;
typedef io_user_scalar_t io_scalar_inband_t[16];
typedef io_user_reference_t io_async_ref_t[8];
typedef io_user_scalar_t io_scalar_inband64_t[16];
typedef io_user_reference_t io_async_ref64_t[8];
#endif

// The kernel's io_object_t is `OSObject *`, set by <IOKit/IOTypes.h> before this point.
#ifndef __IOKIT_PORTS_DEFINED__
#define __IOKIT_PORTS_DEFINED__
typedef mach_port_t io_object_t;
#endif
