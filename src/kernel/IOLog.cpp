// IOLog, IOLogv and kprintf: printf-formatted lines into the kernel log, attributed to the
// image (kext) that called them. The return address must be taken here, in the exported entry
// point, before any internal call.
#include "libkern/KernelLog.h"

#include <IOKit/IOLib.h>
#include <os/log.h>

namespace {

void logFrom(const void *returnAddress, const char *format, std::va_list args)
{
    if (format == nullptr) {
        return;
    }
    std::string text = openiokit::formatMessage(format, args);
    openiokit::KernelLog::append(openiokit::moduleForReturnAddress(returnAddress), OS_LOG_TYPE_DEFAULT, text);
}

} // namespace

extern "C" {

void IOLog(const char *format, ...)
{
    const void *caller = __builtin_return_address(0);
    std::va_list args;
    va_start(args, format);
    logFrom(caller, format, args);
    va_end(args);
}

void IOLogv(const char *format, va_list ap)
{
    logFrom(__builtin_return_address(0), format, ap);
}

void kprintf(const char *format, ...)
{
    const void *caller = __builtin_return_address(0);
    std::va_list args;
    va_start(args, format);
    logFrom(caller, format, args);
    va_end(args);
}

} // extern "C"
