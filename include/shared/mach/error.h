// <mach/error.h>: the Mach error-code layout (system | subsystem | code) and the error systems
// that mach_error_string() knows. kern_return.h already carries err_system()/err_sub(); this
// header adds the rest of what Apple's <mach/error.h> declares.
#pragma once

#include <mach/kern_return.h>

#define err_none ((kern_return_t)0)
#define ERR_SUCCESS ((kern_return_t)0)
#define ERR_ROUTINE_NIL ((mach_error_fn_t)0)

#define err_max_system 0x3f
#define system_emask (err_system(err_max_system))
#define sub_emask (err_sub(0xfff))
#define code_emask (0x3fff)

// The error systems (top six bits).
#define err_kern err_system(0x0)        // kernel
#define err_us err_system(0x1)          // user space library
#define err_server err_system(0x2)      // user space servers
#define err_ipc err_system(0x3)         // old ipc errors
#define err_mach_ipc err_system(0x4)    // mach-ipc errors
#define err_dipc err_system(0x7)        // distributed ipc
#define err_local err_system(0x3e)      // user defined errors
#define err_ipc_compat err_system(0x3f) // (compatibility) mach-ipc errors

#define unix_err(errno) (err_kern | err_sub(3) | (errno))

typedef kern_return_t (*mach_error_fn_t)(void);
