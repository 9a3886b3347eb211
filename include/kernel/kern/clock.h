// <kern/clock.h>: the kernel clock API. Absolute time is CLOCK_MONOTONIC nanoseconds with a
// 1/1 timebase (see <mach/mach_time.h>), so absolutetime_to_nanoseconds is the identity, but
// kexts that convert explicitly stay correct. "System" time is uptime; "calendar" time is
// CLOCK_REALTIME.
#pragma once

#include <stdint.h>

#include <mach/clock_types.h>
#include <mach/mach_time.h>

typedef unsigned long clock_sec_t;
typedef unsigned int clock_usec_t, clock_nsec_t;

#ifdef __cplusplus
extern "C" {
#endif

void clock_get_calendar_microtime(clock_sec_t *secs, clock_usec_t *microsecs);
void clock_get_calendar_nanotime(clock_sec_t *secs, clock_nsec_t *nanosecs);
void clock_get_calendar_absolute_and_microtime(clock_sec_t *secs, clock_usec_t *microsecs, uint64_t *abstime);
void clock_get_system_microtime(clock_sec_t *secs, clock_usec_t *microsecs);
void clock_get_system_nanotime(clock_sec_t *secs, clock_nsec_t *nanosecs);
void clock_timebase_info(mach_timebase_info_t info);
void clock_get_uptime(uint64_t *result);

// Deadlines are absolute times; they saturate instead of wrapping.
void clock_interval_to_deadline(uint32_t interval, uint32_t scale_factor, uint64_t *result);
void nanoseconds_to_deadline(uint64_t interval, uint64_t *result);
void clock_interval_to_absolutetime_interval(uint32_t interval, uint32_t scale_factor, uint64_t *result);
void clock_absolutetime_interval_to_deadline(uint64_t abstime, uint64_t *result);
void clock_continuoustime_interval_to_deadline(uint64_t abstime, uint64_t *result);
// Busy-waits (with yields) until `deadline`, as xnu's does for short driver delays.
void clock_delay_until(uint64_t deadline);

void absolutetime_to_nanoseconds(uint64_t abstime, uint64_t *result);
void nanoseconds_to_absolutetime(uint64_t nanoseconds, uint64_t *result);
uint64_t absolutetime_to_continuoustime(uint64_t abstime);
uint64_t continuoustime_to_absolutetime(uint64_t conttime);

#ifdef __cplusplus
}
#endif

#ifdef __cplusplus
// On macOS uint64_t, UInt64 and AbsoluteTime are one type (unsigned long long); on Linux
// uint64_t is unsigned long. These overloads let kext code pass an AbsoluteTime* or UInt64*
// where Apple's declarations take uint64_t*, as it does on a Mac.
inline void clock_get_uptime(unsigned long long *result)
{
    clock_get_uptime(reinterpret_cast<uint64_t *>(result));
}
inline void clock_interval_to_deadline(uint32_t interval, uint32_t scale_factor, unsigned long long *result)
{
    clock_interval_to_deadline(interval, scale_factor, reinterpret_cast<uint64_t *>(result));
}
inline void nanoseconds_to_deadline(uint64_t interval, unsigned long long *result)
{
    nanoseconds_to_deadline(interval, reinterpret_cast<uint64_t *>(result));
}
inline void clock_interval_to_absolutetime_interval(uint32_t interval, uint32_t scale_factor,
                                                    unsigned long long *result)
{
    clock_interval_to_absolutetime_interval(interval, scale_factor, reinterpret_cast<uint64_t *>(result));
}
inline void clock_absolutetime_interval_to_deadline(uint64_t abstime, unsigned long long *result)
{
    clock_absolutetime_interval_to_deadline(abstime, reinterpret_cast<uint64_t *>(result));
}
inline void absolutetime_to_nanoseconds(uint64_t abstime, unsigned long long *result)
{
    absolutetime_to_nanoseconds(abstime, reinterpret_cast<uint64_t *>(result));
}
inline void nanoseconds_to_absolutetime(uint64_t nanoseconds, unsigned long long *result)
{
    nanoseconds_to_absolutetime(nanoseconds, reinterpret_cast<uint64_t *>(result));
}
#endif
