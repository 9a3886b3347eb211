// <machine/machine_routines.h>: interrupt masking. A user-space host has no interrupts; the
// state is kept per thread so that save/disable/restore pairs (IOSimpleLockLockDisableInterrupt)
// nest and report what a kext expects.
#pragma once

#include <mach/boolean.h>

#ifdef __cplusplus
extern "C" {
#endif

// Sets the calling thread's "interrupts enabled" state; returns the previous state.
boolean_t ml_set_interrupts_enabled(boolean_t enable);
boolean_t ml_get_interrupts_enabled(void);
// True while running "at interrupt level"; never, here.
boolean_t ml_at_interrupt_context(void);

#ifdef __cplusplus
}
#endif
