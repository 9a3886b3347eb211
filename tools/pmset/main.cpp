// pmset: the two power-management actions OpenIOKit simulates (docs/tools.md, issue 9):
// `pmset sleepnow` as on macOS, and `pmset wake` (an OpenIOKit extension: a Mac wakes from
// hardware events, here nothing else would).
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>

using namespace openiokit::tools;

namespace {

enum ExitCode : int {
    kExitFailed = 1,         // iokitd could not complete the transition
    kExitNotPrivileged = 2,  // iokitd refused the caller (kIOReturnNotPrivileged)
};

ManPage manPage()
{
    return ManPage{
        .name = "pmset - simulated system sleep and wake of iokitd",
        .synopsis = "pmset [-h] sleepnow\n"
                    "pmset [-h] wake",
        .description =
            "sleepnow: as on macOS, puts the system to sleep now and prints \"Sleeping now...\".\n"
            "iokitd sends kIOMessageSystemWillSleep to the root domain's interest clients, then\n"
            "lowers every driver in the power tree to the highest state that needs no power from\n"
            "its parent, children before parents. pmset returns once every change has completed.\n"
            "wake (OpenIOKit extension): sends kIOMessageSystemWillPowerOn, raises the drivers\n"
            "again, parents first, then sends kIOMessageSystemHasPoweredOn; prints \"Waking now...\".\n"
            "Asking for the state the system is already in changes nothing. iokitd logs each\n"
            "request in the kernel log (see kernlog). Other pmset settings do not exist here.\n"
            "Requires root: a non-root caller is refused before anything is sent, and iokitd\n"
            "checks anyway.",
        .exitStatus = "0   done\n"
                      "1   iokitd could not complete the transition\n"
                      "2   iokitd refused the caller (not privileged)\n"
                      "64  bad options or an unknown action (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "77  not running as root (EX_NOPERM)",
        .examples = "pmset sleepnow                            # drivers see the system sleep\n"
                    "pmset wake                                # and wake again",
    };
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("pmset", manPage());
    std::string action;
    tool.app()
        .add_option("action", action, "sleepnow: sleep the system now; wake: wake it (OpenIOKit).")
        ->check(CLI::IsMember({"sleepnow", "wake"}))
        ->type_name("sleepnow|wake");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    // Checked here rather than by CLI11, which would report a missing action before an
    // unknown option.
    if (action.empty()) {
        fmt::print(stderr, "pmset: no action given: sleepnow or wake (see 'pmset --help').\n");
        return kExitUsage;
    }
    if (!isRoot()) {
        tool.error("you must be running as root to sleep or wake the system.");
        return kExitNoPermission;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }
    const bool sleep = action == "sleepnow";
    // macOS's pmset announces the sleep before asking for it.
    fmt::print("{}\n", sleep ? "Sleeping now..." : "Waking now...");
    std::fflush(stdout);
    const IOReturn result = sleep ? OpenIOKitSystemSleep() : OpenIOKitSystemWake();
    if (result == kIOReturnSuccess) {
        return kExitOK;
    }
    if (tool.reportIfUnreachable(result)) {
        return kExitUnavailable;
    }
    if (result == kIOReturnNotPrivileged) {
        tool.error("iokitd refused: you must be running as root to sleep or wake the system.");
        return kExitNotPrivileged;
    }
    tool.error("the system could not {} - {}.", sleep ? "sleep" : "wake", errorString(result));
    return kExitFailed;
}
