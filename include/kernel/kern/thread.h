// <kern/thread.h>: the calling thread's identity. thread_t is an opaque pointer, stable for the
// life of the thread and distinct between live threads (IOThreadSelf() expands to this).
#pragma once

#include <mach/mach_types.h>

#ifdef __cplusplus
extern "C" {
#endif

thread_t current_thread(void);

#ifdef __cplusplus
}
#endif
