// <kern/thread.h>: the calling thread's identity. thread_t is an opaque pointer, stable for the
// life of the thread and distinct between live threads (IOThreadSelf() expands to this).
//
// Kernel threads for kexts (xnu's kernel_thread_start KPI): each is a detached host thread. A
// thread_t identifies its thread and owns no storage of its own, so the reference
// kernel_thread_start hands back costs nothing to keep: thread_deallocate only checks it.
#pragma once

#include <kern/kern_types.h>
#include <mach/kern_return.h>
#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

thread_t current_thread(void);

// The function a new kernel thread runs: `parameter` and THREAD_AWAKENED. Returning from it, or
// calling thread_terminate(current_thread()), ends the thread.
typedef void (*thread_continue_t)(void *parameter, wait_result_t wresult);

// Starts a kernel thread running continuation(parameter, THREAD_AWAKENED). On success
// *new_thread is its thread_t, a reference the caller drops with thread_deallocate.
// KERN_INVALID_ARGUMENT for a NULL continuation or out pointer; KERN_RESOURCE_SHORTAGE if the
// host cannot make a thread.
kern_return_t kernel_thread_start(thread_continue_t continuation, void *parameter, thread_t *new_thread);

// Drops a reference from kernel_thread_start (or thread_reference). THREAD_NULL is ignored.
void thread_deallocate(thread_t thread);
void thread_reference(thread_t thread);

// Ends the calling thread when `thread` is current_thread() (does not return). Terminating
// another thread is not possible here: KERN_INVALID_ARGUMENT with a log line, as for THREAD_NULL.
kern_return_t thread_terminate(thread_t thread);

#ifdef __cplusplus
}
#endif
