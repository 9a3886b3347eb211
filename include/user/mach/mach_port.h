// <mach/mach_port.h>: mach_port_deallocate, which IOKit clients call on io_object_t names
// (Apple documents IOObjectRelease as the equivalent). Dropping one user reference on a name.
#pragma once

#include <mach/kern_return.h>
#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef mach_port_t ipc_space_t;

// Drops one user reference on `name` in `task` (which must be mach_task_self()).
kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name);
// KERN_INVALID_RIGHT/KERN_INVALID_NAME as Mach; adds `delta` user references to a send right.
kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right,
                                 mach_port_delta_t delta);

#define MACH_PORT_RIGHT_SEND ((mach_port_right_t)0)
#define MACH_PORT_RIGHT_RECEIVE ((mach_port_right_t)1)
#define MACH_PORT_RIGHT_SEND_ONCE ((mach_port_right_t)2)
#define MACH_PORT_RIGHT_PORT_SET ((mach_port_right_t)3)
#define MACH_PORT_RIGHT_DEAD_NAME ((mach_port_right_t)4)

#ifdef __cplusplus
}
#endif
