// simbusctl: plug, unplug, list and interrupt devices on the simulated bus of the
// com.openiokit.SimBus kext (docs/tools.md, docs/simbus.md).
#include "../common/Tool.h"
#include "SimBusConnection.h"

#include <SimBusUserClient.h>

#include <map>

using namespace openiokit::tools;
using namespace openiokit::tools::simbus;

namespace {

enum ExitCode : int {
    kExitNoDevice = 1,       // no device with that name is plugged
    kExitRefused = 2,        // the bus refused the request (name taken, bad argument, full ...)
    kExitNoBus = 3,          // no IOSimBus service: the SimBus kext is not loaded
    kExitNotPrivileged = 4,  // iokitd / the bus refused the caller as not privileged
};

ManPage manPage()
{
    return ManPage{
        .name = "simbusctl - plug and unplug devices on the OpenIOKit simulated bus",
        .synopsis = "simbusctl plug NAME [KEY=VALUE ...]\n"
                    "simbusctl unplug NAME [--async]\n"
                    "simbusctl list\n"
                    "simbusctl trigger NAME [SOURCE]",
        .description =
            "Talks to the IOSimBus service of the com.openiokit.SimBus kext. plug publishes an\n"
            "IOSimDevice nub named NAME with the given properties (true/false become booleans,\n"
            "numbers numbers, the rest strings) and returns once matching ran for it. unplug\n"
            "terminates the nub as a bus does on hot-unplug: by default it returns once the nub\n"
            "and every driver on it have stopped; --async returns at once. list prints every\n"
            "device (name, location, registry ID). trigger raises software interrupt SOURCE\n"
            "(0-3, default 0) on the device, delivered to drivers through\n"
            "IOInterruptEventSource. plug, unplug and trigger require root.",
        .exitStatus = "0   success\n"
                      "1   no device with that name is plugged\n"
                      "2   the bus refused the request (name in use, bad name or property, bus full)\n"
                      "3   no IOSimBus service (load com.openiokit.SimBus first)\n"
                      "4   iokitd refused the caller as not privileged\n"
                      "64  bad options or arguments (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "77  not running as root (EX_NOPERM)",
        .examples = "simbusctl plug disk0 vendor=0x1234 removable=true\n"
                    "simbusctl trigger disk0 1\n"
                    "simbusctl unplug disk0\n"
                    "simbusctl list",
    };
}

int failure(const Tool& tool, kern_return_t result, const std::string& name)
{
    if (tool.reportIfUnreachable(result)) {
        return kExitUnavailable;
    }
    switch (result) {
    case kIOReturnNotFound:
        tool.error("no device named {} is plugged.", name);
        return kExitNoDevice;
    case kIOReturnNotPrivileged:
        tool.error("not privileged - {}.", errorString(result));
        return kExitNotPrivileged;
    case kIOReturnExclusiveAccess:
        tool.error("a device named {} is already plugged.", name);
        return kExitRefused;
    case kIOReturnNoInterrupt:
        tool.error("{} has no such interrupt source (0-{}).", name, kIOSimDeviceInterruptCount - 1);
        return kExitRefused;
    default:
        tool.error("{} refused - {}.", name, errorString(result));
        return kExitRefused;
    }
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("simbusctl", manPage());
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    std::string name;
    std::vector<std::string> assignments;
    bool async = false;
    uint32_t source = 0;
    CLI::App* plug = app.add_subcommand("plug", "Plug a device NAME with properties KEY=VALUE.");
    plug->add_option("NAME", name, "The device name (its registry name).")->required();
    plug->add_option("KEY=VALUE", assignments, "A property of the nub.");
    CLI::App* unplug = app.add_subcommand("unplug", "Unplug device NAME.");
    unplug->add_option("NAME", name, "The device name.")->required();
    unplug->add_flag("--async", async, "Return at once instead of when the drivers have stopped.");
    CLI::App* list = app.add_subcommand("list", "List the plugged devices.");
    CLI::App* trigger = app.add_subcommand("trigger", "Raise an interrupt on device NAME.");
    trigger->add_option("NAME", name, "The device name.")->required();
    trigger->add_option("SOURCE", source, "The interrupt source, 0-3 (default 0).")
        ->check(CLI::Range(0, kIOSimDeviceInterruptCount - 1));
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }

    std::map<std::string, std::string> properties;
    for (const std::string& a : assignments) {
        const auto equals = a.find('=');
        if (equals == std::string::npos || equals == 0) {
            tool.error("property '{}' is not KEY=VALUE.", a);
            return kExitUsage;
        }
        properties[a.substr(0, equals)] = a.substr(equals + 1);
    }
    if (name.size() > kIOSimBusMaxNameLength) {
        tool.error("device name is longer than {} bytes.", kIOSimBusMaxNameLength);
        return kExitUsage;
    }
    if (!list->parsed() && !isRoot()) {
        tool.error("you must be running as root to plug, unplug or trigger devices.");
        return kExitNoPermission;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }
    auto connection = SimBusConnection::open();
    if (!connection) {
        if (connection.error() == kIOReturnNotFound) {
            tool.error("no IOSimBus service is registered (is com.openiokit.SimBus loaded?).");
            return kExitNoBus;
        }
        return failure(tool, connection.error(), "the bus");
    }
    if (plug->parsed()) {
        auto id = connection->plug(name, properties);
        if (!id) {
            return failure(tool, id.error(), name);
        }
        fmt::print("{} plugged (registry ID {:#x}).\n", name, *id);
    } else if (unplug->parsed()) {
        if (kern_return_t r = connection->unplug(name, async); r != KERN_SUCCESS) {
            return failure(tool, r, name);
        }
        fmt::print("{} {}.\n", name, async ? "unplug started" : "unplugged");
    } else if (trigger->parsed()) {
        if (kern_return_t r = connection->trigger(name, source); r != KERN_SUCCESS) {
            return failure(tool, r, name);
        }
        fmt::print("{}: interrupt {} raised.\n", name, source);
    } else {
        auto devices = connection->list();
        if (!devices) {
            return failure(tool, devices.error(), "the bus");
        }
        fmt::print("{:<24} {:<10} {}\n", "NAME", "LOCATION", "REGISTRY ID");
        for (const Device& d : *devices) {
            fmt::print("{:<24} {:<10} {:#x}\n", d.name, d.location, d.registryID);
        }
    }
    return kExitOK;
}
