// <mach/vm_types.h>: Mach's integer and address types (machine/vm_types.h folded in; LP64 only).
#pragma once

#include <stdint.h>

#include <mach/port.h>

typedef unsigned int natural_t; // __darwin_natural_t
typedef int integer_t;

typedef uintptr_t vm_offset_t;
typedef uintptr_t vm_size_t;
typedef vm_offset_t pointer_t;
typedef vm_offset_t vm_address_t;

typedef uint64_t mach_vm_address_t;
typedef uint64_t mach_vm_offset_t;
typedef uint64_t mach_vm_size_t;
typedef uint64_t vm_map_offset_t;
typedef uint64_t vm_map_address_t;
typedef uint64_t vm_map_size_t;
typedef mach_vm_address_t mach_port_context_t;

typedef uint32_t vm32_address_t;
typedef uint32_t vm32_offset_t;
typedef uint32_t vm32_size_t;

typedef uint64_t addr64_t;
typedef uint32_t ppnum_t;
typedef uint64_t vm_object_offset_t;
typedef uint64_t vm_object_size_t;

// Kexts (KERNEL without KERNEL_PRIVATE) see vm_map_t as a port, exactly as on macOS.
typedef mach_port_t vm_map_t, vm_map_read_t, vm_map_inspect_t;
#ifdef KERNEL
#define VM_MAP_NULL ((vm_map_t)NULL)
#else
#define VM_MAP_NULL ((vm_map_t)0)
#endif
