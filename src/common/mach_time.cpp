// Mach absolute time on Linux: CLOCK_MONOTONIC nanoseconds, timebase 1/1 (see mach/mach_time.h).
#include <mach/mach_time.h>

#include <time.h>

namespace {

uint64_t readClock(clockid_t clock)
{
    timespec now{};
    clock_gettime(clock, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

} // namespace

extern "C" {

kern_return_t mach_timebase_info(mach_timebase_info_t info)
{
    if (info == nullptr) {
        return KERN_INVALID_ARGUMENT;
    }
    info->numer = 1;
    info->denom = 1;
    return KERN_SUCCESS;
}

uint64_t mach_absolute_time(void)
{
    return readClock(CLOCK_MONOTONIC);
}

uint64_t mach_approximate_time(void)
{
    return readClock(CLOCK_MONOTONIC_COARSE);
}

uint64_t mach_continuous_time(void)
{
    return readClock(CLOCK_BOOTTIME);
}

} // extern "C"
