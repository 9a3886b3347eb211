// Mach.cpp: the Mach calls IOKit clients make on their names (<mach/mach.h>).
#include "ClientSupport.h"

using namespace openiokit::client;

extern "C" {

mach_port_t mach_task_self_ = openiokit::ipc::kTaskSelfName;
mach_port_t bootstrap_port = MACH_PORT_NULL;

kern_return_t mach_port_deallocate(ipc_space_t task, mach_port_name_t name)
{
    if (task != mach_task_self_) {
        return KERN_INVALID_ARGUMENT;
    }
    if (name == MACH_PORT_NULL || name == MACH_PORT_DEAD || name == mach_task_self_) {
        return KERN_SUCCESS;  // as Mach: deallocating these is a no-op
    }
    const kern_return_t kr = IOObjectRelease(name);
    return kr == MACH_SEND_INVALID_DEST ? KERN_INVALID_NAME : kr;
}

kern_return_t mach_port_mod_refs(ipc_space_t task, mach_port_name_t name, mach_port_right_t right,
                                 mach_port_delta_t delta)
{
    if (task != mach_task_self_) {
        return KERN_INVALID_ARGUMENT;
    }
    if (right != MACH_PORT_RIGHT_SEND && right != MACH_PORT_RIGHT_DEAD_NAME) {
        return KERN_INVALID_RIGHT;
    }
    for (; delta > 0; delta--) {
        if (IOObjectRetain(name) != KERN_SUCCESS) {
            return KERN_INVALID_NAME;
        }
    }
    for (; delta < 0; delta++) {
        if (IOObjectRelease(name) != KERN_SUCCESS) {
            return KERN_INVALID_NAME;
        }
    }
    return KERN_SUCCESS;
}

}  // extern "C"
