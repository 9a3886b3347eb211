// <mach/mach_error.h>: turn any kern_return_t / IOReturn / OSReturn into the text xnu's libsyscall
// prints, e.g. 0xE00002C7 -> "(iokit/common) unsupported function". Both SDKs see this header;
// src/common/mach_error.cpp implements it once for the kernel and the client library.
#pragma once

#include <mach/error.h>

#ifdef __cplusplus
extern "C" {
#endif

// Apple returns `char *` (pointing at static text); kept for source compatibility. Never free it.
char *mach_error_string(mach_error_t error_value);
// The subsystem part alone, e.g. "(iokit/common)"; "(?/?)" when the system/subsystem is unknown.
char *mach_error_type(mach_error_t error_value);
// Prints "<str> <mach_error_string(error_value)>" to stderr, as libsyscall does.
void mach_error(const char *str, mach_error_t error_value);

#ifdef __cplusplus
}
#endif
