// <mach/mach_types.h>: the Mach object handle types. Kernel code sees pointers to opaque kernel
// structures (task_t is `struct task *`); user code sees port names, as on macOS.
#pragma once

#include <stdint.h>

#include <mach/boolean.h>
#include <mach/clock_types.h>
#include <mach/kern_return.h>
#include <mach/port.h>
#include <mach/vm_types.h>

#ifdef KERNEL
struct task;
struct thread;
struct host;
struct processor;
struct processor_set;
struct semaphore;
struct clock;

typedef struct task *task_t, *task_name_t, *task_inspect_t, *task_read_t, *task_suspension_token_t;
typedef struct thread *thread_t, *thread_act_t, *thread_inspect_t, *thread_read_t;
typedef struct host *host_t, *host_priv_t, *host_security_t;
typedef struct processor *processor_t;
typedef struct processor_set *processor_set_t, *processor_set_control_t;
typedef struct semaphore *semaphore_t;
typedef struct clock *clock_serv_t, *clock_ctrl_t;

#define TASK_NULL ((task_t)0)
#define THREAD_NULL ((thread_t)0)
#define HOST_NULL ((host_t)0)
#define SEMAPHORE_NULL ((semaphore_t)0)
#else
typedef mach_port_t task_t;
typedef mach_port_t task_name_t;
typedef mach_port_t task_inspect_t;
typedef mach_port_t task_read_t;
typedef mach_port_t task_suspension_token_t;
typedef mach_port_t thread_t;
typedef mach_port_t thread_act_t;
typedef mach_port_t thread_inspect_t;
typedef mach_port_t thread_read_t;
typedef mach_port_t host_t;
typedef mach_port_t host_priv_t;
typedef mach_port_t host_security_t;
typedef mach_port_t processor_t;
typedef mach_port_t processor_set_t;
typedef mach_port_t processor_set_control_t;
typedef mach_port_t semaphore_t;
typedef mach_port_t clock_serv_t;
typedef mach_port_t clock_ctrl_t;

#define TASK_NULL ((task_t)0)
#define THREAD_NULL ((thread_t)0)
#define HOST_NULL ((host_t)0)
#define SEMAPHORE_NULL ((semaphore_t)0)
#endif

typedef processor_set_t processor_set_name_t;
typedef mach_port_t clock_reply_t;
typedef mach_port_t bootstrap_t;
typedef mach_port_t mem_entry_name_port_t;
typedef mach_port_t exception_handler_t;
typedef mach_port_t vm_task_entry_t;
typedef mach_port_t io_master_t;
typedef mach_port_t io_main_t;
typedef mach_port_t UNDServerRef;

typedef task_t task_port_t;
typedef thread_t thread_port_t;
typedef thread_act_t thread_act_port_t;
typedef host_t host_name_t;
typedef host_t host_name_port_t;
typedef semaphore_t semaphore_port_t;
