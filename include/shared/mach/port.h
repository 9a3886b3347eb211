// <mach/port.h>: port names and rights. In user space a right is named by an integer in the
// task's port namespace; in the kernel, Apple names it by a pointer to the (opaque) ipc_port.
// OpenIOKit keeps that split so kext and client code see the types they see on macOS.
#pragma once

#include <stdint.h>

typedef unsigned int mach_port_name_t; // natural_t
typedef mach_port_name_t *mach_port_name_array_t;

#ifdef KERNEL
struct ipc_port; // opaque to kexts; the kernel's IPC layer defines it
typedef struct ipc_port *ipc_port_t;
typedef ipc_port_t mach_port_t;

#define IPC_PORT_NULL ((ipc_port_t)0)
#define IPC_PORT_DEAD ((ipc_port_t) ~0UL)
#define IPC_PORT_VALID(port) ((port) != IPC_PORT_NULL && (port) != IPC_PORT_DEAD)

#define CAST_MACH_PORT_TO_NAME(x) ((mach_port_name_t)(uintptr_t)(x))
#define CAST_MACH_NAME_TO_PORT(x) \
    ((x) == MACH_PORT_DEAD ? (mach_port_t)IPC_PORT_DEAD : (mach_port_t)(uintptr_t)(x))
#else
typedef mach_port_name_t mach_port_t;
#endif

typedef mach_port_t *mach_port_array_t;

#define MACH_PORT_NULL 0 // intentionally untyped: valid for names and kernel pointers alike
#define MACH_PORT_DEAD ((mach_port_name_t) ~0)
#define MACH_PORT_VALID(name) (((name) != MACH_PORT_NULL) && ((name) != MACH_PORT_DEAD))

typedef unsigned int mach_port_right_t;
typedef unsigned int mach_port_type_t;
typedef unsigned int mach_port_urefs_t;
typedef int mach_port_delta_t;
typedef unsigned int mach_port_seqno_t;
typedef unsigned int mach_port_mscount_t;
typedef unsigned int mach_port_msgcount_t;
typedef unsigned int mach_port_rights_t;
