// IOSleep (blocks the thread) and IODelay/IOPause (busy-wait, as xnu's do; keep them short).
#include <IOKit/IOLib.h>

#include <chrono>
#include <thread>

extern "C" {

void IOSleep(unsigned milliseconds)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
}

void IOSleepWithLeeway(unsigned intervalMilliseconds, unsigned leewayMilliseconds)
{
    IOSleep(intervalMilliseconds); // leeway only lets the kernel coalesce timers
}

void IODelay(unsigned microseconds)
{
    uint64_t deadline;
    clock_interval_to_deadline(microseconds, kMicrosecondScale, &deadline);
    clock_delay_until(deadline);
}

void IOPause(unsigned nanoseconds)
{
    uint64_t deadline;
    clock_interval_to_deadline(nanoseconds, kNanosecondScale, &deadline);
    clock_delay_until(deadline);
}

} // extern "C"
