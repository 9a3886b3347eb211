// Interrupt masking without interrupts: a per-thread flag, so save/restore pairs behave.
#include <machine/machine_routines.h>

namespace {
thread_local boolean_t tInterruptsEnabled = TRUE;
}

extern "C" {

boolean_t ml_set_interrupts_enabled(boolean_t enable)
{
    const boolean_t previous = tInterruptsEnabled;
    tInterruptsEnabled = enable ? TRUE : FALSE;
    return previous;
}

boolean_t ml_get_interrupts_enabled(void)
{
    return tInterruptsEnabled;
}

boolean_t ml_at_interrupt_context(void)
{
    return FALSE;
}

} // extern "C"
