// <mach/mach_init.h>: mach_task_self(), as Apple's: a macro over a global holding the calling
// task's name. In OpenIOKit the value is the same constant in every process; the daemon knows
// the caller from its socket, so the name only has to say "this task".
#pragma once

#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

extern mach_port_t mach_task_self_;
#define mach_task_self() mach_task_self_
#define current_task() mach_task_self()

// The bootstrap port IOMainPort takes (ignored; MACH_PORT_NULL here).
extern mach_port_t bootstrap_port;

#ifdef __cplusplus
}
#endif
