#include "DaemonLog.h"

#include <openiokit/KernelLog.h>

#include <cstdarg>
#include <cstdio>

namespace openiokit::daemon {

void daemonLog(const char* format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    KernelLog::append("iokitd", 0 /* OS_LOG_TYPE_DEFAULT */, line);
}

}  // namespace openiokit::daemon
