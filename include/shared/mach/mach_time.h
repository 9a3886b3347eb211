// <mach/mach_time.h>: Mach absolute time. OpenIOKit defines absolute time as CLOCK_MONOTONIC
// nanoseconds with a 1/1 timebase: like macOS's mach_absolute_time it does not advance while
// the machine is suspended, and code that honours mach_timebase_info() stays correct.
// mach_continuous_time() is CLOCK_BOOTTIME (keeps counting across suspend), as on macOS.
#pragma once

#include <stdint.h>

#include <mach/kern_return.h>

struct mach_timebase_info {
    uint32_t numer;
    uint32_t denom;
};
typedef struct mach_timebase_info *mach_timebase_info_t;
typedef struct mach_timebase_info mach_timebase_info_data_t;

#ifdef __cplusplus
extern "C" {
#endif

kern_return_t mach_timebase_info(mach_timebase_info_t info);
uint64_t mach_absolute_time(void);
uint64_t mach_approximate_time(void);
uint64_t mach_continuous_time(void);

#ifdef __cplusplus
}
#endif
