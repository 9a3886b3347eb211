// The kernel clock API (kern/clock.h) over Linux clocks. Absolute time is CLOCK_MONOTONIC
// nanoseconds (timebase 1/1), continuous time CLOCK_BOOTTIME, calendar time CLOCK_REALTIME.
#include <kern/clock.h>

#include <time.h>

#include <chrono>
#include <limits>
#include <thread>

namespace {

constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t sum;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<std::uint64_t>::max() : sum;
}

std::uint64_t saturatingMultiply(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t product;
    return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<std::uint64_t>::max() : product;
}

void split(std::uint64_t nanoseconds, clock_sec_t *secs, unsigned int *fraction, std::uint64_t unit)
{
    *secs = static_cast<clock_sec_t>(nanoseconds / kNanosPerSecond);
    *fraction = static_cast<unsigned int>((nanoseconds % kNanosPerSecond) / unit);
}

std::uint64_t calendarNanoseconds()
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * kNanosPerSecond + static_cast<std::uint64_t>(now.tv_nsec);
}

} // namespace

extern "C" {

void clock_get_calendar_microtime(clock_sec_t *secs, clock_usec_t *microsecs)
{
    split(calendarNanoseconds(), secs, microsecs, 1000);
}

void clock_get_calendar_nanotime(clock_sec_t *secs, clock_nsec_t *nanosecs)
{
    split(calendarNanoseconds(), secs, nanosecs, 1);
}

void clock_get_calendar_absolute_and_microtime(clock_sec_t *secs, clock_usec_t *microsecs, uint64_t *abstime)
{
    *abstime = mach_absolute_time();
    clock_get_calendar_microtime(secs, microsecs);
}

void clock_get_system_microtime(clock_sec_t *secs, clock_usec_t *microsecs)
{
    split(mach_absolute_time(), secs, microsecs, 1000);
}

void clock_get_system_nanotime(clock_sec_t *secs, clock_nsec_t *nanosecs)
{
    split(mach_absolute_time(), secs, nanosecs, 1);
}

void clock_timebase_info(mach_timebase_info_t info)
{
    mach_timebase_info(info);
}

void clock_get_uptime(uint64_t *result)
{
    *result = mach_absolute_time();
}

void clock_interval_to_deadline(uint32_t interval, uint32_t scale_factor, uint64_t *result)
{
    uint64_t relative;
    clock_interval_to_absolutetime_interval(interval, scale_factor, &relative);
    clock_absolutetime_interval_to_deadline(relative, result);
}

void nanoseconds_to_deadline(uint64_t interval, uint64_t *result)
{
    clock_absolutetime_interval_to_deadline(interval, result);
}

void clock_interval_to_absolutetime_interval(uint32_t interval, uint32_t scale_factor, uint64_t *result)
{
    *result = saturatingMultiply(interval, scale_factor);
}

void clock_absolutetime_interval_to_deadline(uint64_t abstime, uint64_t *result)
{
    *result = saturatingAdd(mach_absolute_time(), abstime);
}

void clock_continuoustime_interval_to_deadline(uint64_t abstime, uint64_t *result)
{
    *result = saturatingAdd(mach_continuous_time(), abstime);
}

void clock_delay_until(uint64_t deadline)
{
    // Sleep through most of a long delay, then yield-spin for precision. Callers of IODelay
    // only rely on "at least this long".
    constexpr uint64_t kSpinWindow = 200'000; // 200 µs
    for (uint64_t now = mach_absolute_time(); now < deadline; now = mach_absolute_time()) {
        if (deadline - now > kSpinWindow) {
            std::this_thread::sleep_for(std::chrono::nanoseconds(deadline - now - kSpinWindow));
        } else {
            std::this_thread::yield();
        }
    }
}

void absolutetime_to_nanoseconds(uint64_t abstime, uint64_t *result)
{
    *result = abstime; // timebase 1/1
}

void nanoseconds_to_absolutetime(uint64_t nanoseconds, uint64_t *result)
{
    *result = nanoseconds; // timebase 1/1
}

uint64_t absolutetime_to_continuoustime(uint64_t abstime)
{
    // The two clocks differ by the time spent suspended; read that offset now.
    return abstime + (mach_continuous_time() - mach_absolute_time());
}

uint64_t continuoustime_to_absolutetime(uint64_t conttime)
{
    const uint64_t offset = mach_continuous_time() - mach_absolute_time();
    return conttime > offset ? conttime - offset : 0;
}

} // extern "C"
