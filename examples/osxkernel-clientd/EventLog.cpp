#include "EventLog.h"

#include <mach/mach_error.h>

#include <cstdio>

namespace clientd {

void EventLog::write(std::string_view event, std::string_view details) const
{
    std::string line = "osxkernel-clientd " + name_ + " ";
    line.append(event);
    if (!details.empty()) {
        line += ' ';
        line.append(details);
    }
    line += '\n';
    // One write per line: several daemons may share a terminal or a file.
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

std::string EventLog::result(IOReturn code)
{
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", static_cast<unsigned>(code));
    return std::string("result=") + hex + " (" + mach_error_string(code) + ")";
}

}  // namespace clientd
