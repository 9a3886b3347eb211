// DaemonLog.h: lines the daemon itself logs, into the kernel log as module "iokitd".
#pragma once

namespace openiokit::daemon {

void daemonLog(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace openiokit::daemon
