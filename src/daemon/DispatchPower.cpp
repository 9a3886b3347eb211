// DispatchPower.cpp: the simulated system sleep and wake (issue 9) that `pmset sleepnow` /
// `pmset wake` ask for. Root only, as IOPMSleepSystem needs an administrator's root-domain
// connection on macOS. OpenIOKit extension: macOS sleeps for real; here the kernel's power tree
// is lowered and raised (openiokit/PowerManagement.h) and root-domain interest clients get
// kIOMessageSystemWillSleep / WillPowerOn / HasPoweredOn.
#include "DaemonLog.h"
#include "Dispatcher.h"

#include <IOKit/IOUserClient.h>
#include <openiokit/PowerManagement.h>

#include <mutex>

namespace openiokit::daemon {

namespace {

using ipc::Op;

enum class PowerAction : uint32_t {
    Sleep = 0,
    Wake = 1,
};

// One transition at a time: a second sleep request waits for the first to finish, then sees
// the system asleep and does nothing.
std::mutex& transitionLock()
{
    static std::mutex lock;
    return lock;
}

IOReturn systemPower(Request& r)
{
    const uint32_t action = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (IOUserClient::clientHasPrivilege(&r.task, kIOClientPrivilegeAdministrator) != kIOReturnSuccess) {
        daemonLog("system power request from pid %d (%s) refused: not root", r.task.pid(), r.task.name().c_str());
        return kIOReturnNotPrivileged;
    }
    if (action != static_cast<uint32_t>(PowerAction::Sleep) && action != static_cast<uint32_t>(PowerAction::Wake)) {
        daemonLog("system power request from pid %d (%s): unknown action %u (0 sleep, 1 wake)", r.task.pid(),
                  r.task.name().c_str(), action);
        return kIOReturnBadArgument;
    }
    const bool sleep = action == static_cast<uint32_t>(PowerAction::Sleep);
    std::lock_guard guard(transitionLock());
    if (pm::isSystemAsleep() == sleep) {
        // Already there: as on macOS, asking again changes nothing and is not an error.
        daemonLog("System %s requested by pid %d (%s): already %s", sleep ? "Sleep" : "Wake", r.task.pid(),
                  r.task.name().c_str(), sleep ? "asleep" : "awake");
        return kIOReturnSuccess;
    }
    daemonLog("System %s requested by pid %d (%s)", sleep ? "Sleep" : "Wake", r.task.pid(), r.task.name().c_str());
    const IOReturn result = sleep ? pm::systemSleep() : pm::systemWake();
    daemonLog("System %s %s (0x%x)", sleep ? "Sleep" : "Wake", result == kIOReturnSuccess ? "complete" : "failed",
              result);
    return result;
}

}  // namespace

void registerPowerHandlers(HandlerTable& t)
{
    t[static_cast<uint16_t>(Op::SystemPower)] = systemPower;
}

}  // namespace openiokit::daemon
