// Kernel-internal side of the kernel log (the public-internal API is openiokit/KernelLog.h):
// what IOLog, kprintf and os_log need to format a message and attribute it to a caller.
#pragma once

#include <openiokit/KernelLog.h>

#include <cstdarg>
#include <cstdint>
#include <string>

namespace openiokit {

// printf-style formatting into a std::string (any length).
std::string formatMessage(const char *format, std::va_list args) __attribute__((format(printf, 1, 0)));

// The module whose code made a call that will return to `returnAddress`
// (__builtin_return_address(0) taken in the logging entry point).
std::string moduleForReturnAddress(const void *returnAddress);

} // namespace openiokit
