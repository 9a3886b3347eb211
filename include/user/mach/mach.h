// <mach/mach.h>: the part of Mach's user API that IOKit clients use. OpenIOKit has no Mach
// kernel: port names are the daemon's per-process handle names (iokitd), and mach_task_self()
// is the one task name IOServiceOpen accepts.
#pragma once

#include <mach/error.h>
#include <mach/kern_return.h>
#include <mach/mach_error.h>
#include <mach/mach_init.h>
#include <mach/mach_port.h>
#include <mach/mach_time.h>
#include <mach/mach_types.h>
#include <mach/port.h>
#include <mach/vm_types.h>
