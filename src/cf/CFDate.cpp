// CFDate and the absolute-time clock (seconds since 2001-01-01 00:00:00 UTC).
#include <CoreFoundation/CFDate.h>

#include <cmath>
#include <ctime>

#include "CFRuntime.h"

const CFTimeInterval kCFAbsoluteTimeIntervalSince1970 = 978307200.0;
const CFTimeInterval kCFAbsoluteTimeIntervalSince1904 = 3061152000.0;

CFAbsoluteTime CFAbsoluteTimeGetCurrent(void)
{
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<double>(now.tv_sec) - kCFAbsoluteTimeIntervalSince1970 + now.tv_nsec * 1e-9;
}

struct __CFDate final : cf::Object {
    explicit __CFDate(CFAbsoluteTime at) : cf::Object(cf::kTypeDate), at(at) {}
    bool equal(const cf::Object& other) const override { return at == static_cast<const __CFDate&>(other).at; }
    CFHashCode hash() const override { return static_cast<CFHashCode>(static_cast<int64_t>(at)); }
    std::string describe() const override
    {
        const time_t seconds = static_cast<time_t>(std::floor(at + kCFAbsoluteTimeIntervalSince1970));
        tm utc{};
        gmtime_r(&seconds, &utc);
        char text[64];
        std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S +0000", &utc);
        return header() + "{time = " + text + "}";
    }
    const CFAbsoluteTime at;
};

CFTypeID CFDateGetTypeID(void) { return cf::kTypeDate; }

CFDateRef CFDateCreate(CFAllocatorRef, CFAbsoluteTime at) { return new __CFDate(at); }

CFAbsoluteTime CFDateGetAbsoluteTime(CFDateRef theDate)
{
    auto* d = cf::checked<__CFDate>(theDate, cf::kTypeDate, "CFDateGetAbsoluteTime");
    return d ? d->at : 0;
}

CFTimeInterval CFDateGetTimeIntervalSinceDate(CFDateRef theDate, CFDateRef otherDate)
{
    return CFDateGetAbsoluteTime(theDate) - CFDateGetAbsoluteTime(otherDate);
}

CFComparisonResult CFDateCompare(CFDateRef theDate, CFDateRef otherDate, void*)
{
    const double a = CFDateGetAbsoluteTime(theDate), b = CFDateGetAbsoluteTime(otherDate);
    return a < b ? kCFCompareLessThan : a > b ? kCFCompareGreaterThan : kCFCompareEqualTo;
}
