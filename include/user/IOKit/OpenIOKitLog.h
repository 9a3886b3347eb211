// <IOKit/OpenIOKitLog.h>: reading iokitd's kernel log ring (OpenIOKit extension; macOS has
// log(1) over the unified log). Each entry is one IOLog/os_log line with its time and module.
#pragma once

#include <IOKit/IOReturn.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t sequence;      // 1, 2, 3 ... in append order
    int64_t timeMicros;     // wall clock, microseconds since the Unix epoch
    uint8_t type;           // os_log_type_t; IOLog lines are OS_LOG_TYPE_DEFAULT (0)
    const char *module;     // bundle identifier, "kernel" or "iokitd"
    const char *text;       // one line, no newline
} OpenIOKitLogEntry;

// Called for each entry; return false to stop.
typedef bool (*OpenIOKitLogCallback)(void *context, const OpenIOKitLogEntry *entry);

// Delivers the ring's entries with sequence >= *fromSequence (0 = the oldest kept), at most
// `maxEntries` (0 = all available), and sets *fromSequence past the last one delivered. With
// waitMilliseconds > 0 and nothing new, waits up to that long for a line first (follow mode:
// call again with the updated *fromSequence).
IOReturn OpenIOKitLogRead(uint64_t *fromSequence, uint32_t maxEntries, uint32_t waitMilliseconds,
                          OpenIOKitLogCallback callback, void *context);

#ifdef __cplusplus
}
#endif
