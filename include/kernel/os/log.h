// <os/log.h>: unified logging for kexts. Every os_log* call lands in the kernel log (see
// openiokit/KernelLog.h), attributed to the calling kext via its __dso_handle, exactly as Apple's
// macros pass &__dso_handle. Privacy and type qualifiers such as %{public}s, %{private}d or
// %{bool}d are accepted and stripped before printf formatting; nothing is redacted, since the
// log never leaves the host.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct os_log_s *os_log_t;

typedef uint8_t os_log_type_t;
enum {
    OS_LOG_TYPE_DEFAULT = 0x00,
    OS_LOG_TYPE_INFO = 0x01,
    OS_LOG_TYPE_DEBUG = 0x02,
    OS_LOG_TYPE_ERROR = 0x10,
    OS_LOG_TYPE_FAULT = 0x11,
};

extern struct os_log_s _os_log_default;
extern struct os_log_s _os_log_disabled;
#define OS_LOG_DEFAULT (&_os_log_default)
#define OS_LOG_DISABLED (&_os_log_disabled)

// Handles are never freed (as in the kernel); equal (subsystem, category) give the same handle.
os_log_t os_log_create(const char *subsystem, const char *category);
bool os_log_type_enabled(os_log_t oslog, os_log_type_t type);

// The entry point the macros expand to. `dso` is the caller's image (&__dso_handle).
void _os_log_internal(void *dso, os_log_t log, os_log_type_t type, const char *format, ...);

// Every ELF image linked by g++/gcc has its own hidden __dso_handle.
extern void *__dso_handle;

#define os_log_with_type(log, type, format, ...) \
    _os_log_internal(&__dso_handle, (log), (type), (format), ##__VA_ARGS__)
#define os_log(log, format, ...) os_log_with_type(log, OS_LOG_TYPE_DEFAULT, format, ##__VA_ARGS__)
#define os_log_info(log, format, ...) os_log_with_type(log, OS_LOG_TYPE_INFO, format, ##__VA_ARGS__)
#define os_log_debug(log, format, ...) os_log_with_type(log, OS_LOG_TYPE_DEBUG, format, ##__VA_ARGS__)
#define os_log_error(log, format, ...) os_log_with_type(log, OS_LOG_TYPE_ERROR, format, ##__VA_ARGS__)
#define os_log_fault(log, format, ...) os_log_with_type(log, OS_LOG_TYPE_FAULT, format, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif
