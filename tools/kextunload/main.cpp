// kextunload: terminate driver instances, remove personalities and unload kexts, exactly as
// kext_tools' kextunload does (iokit-semantics.md §1.1; docs/tools.md): all -c classes first,
// then -b identifiers, then bundle paths; the first non-fatal error is the exit status, "not
// privileged" from the kernel is fatal.
#include "../common/BundleInfo.h"
#include "../common/CFRef.h"
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>
#include <IOKit/kext/KextManager.h>
#include <libkern/OSKextLib.h>

#include <algorithm>
#include <regex>
#include <sstream>

using namespace openiokit::tools;

namespace {

// kextunload_main.h's exit codes.
enum ExitCode : int {
    kExitSuccess = 0,
    kExitNotFound = 1,
    kExitNotPrivileged = 2,
    kExitPartialFailure = 3,
    kExitUnspecified = 11,
};

struct Arguments {
    std::vector<std::string> bundleIDs;
    std::vector<std::string> classNames;
    std::vector<std::string> paths;
    bool personalitiesOnly = false;
    bool quiet = false;
    std::string verbose;  // "" = off; otherwise the level or 0x flags given
};

// The outcome of one step: an exit status, and whether it ends the run (not privileged).
struct Status {
    int code = kExitSuccess;
    bool fatal = false;
};

class Unloader {
public:
    Unloader(const Tool& tool, const Arguments& args) : tool_(tool), args_(args) {}

    // kext_tools' terminateKextClasses.
    Status terminateClasses()
    {
        Status status;
        for (const std::string& className : args_.classNames) {
            std::vector<char> name(className.begin(), className.end());
            name.push_back('\0');
            const kern_return_t result = IOCatalogueTerminate(kIOMainPortDefault, kIOCatalogServiceTerminate, name.data());
            if (unreachable(result, status)) {
                return status;
            }
            if (result == kIOReturnNotPrivileged) {
                error("You must be running as root to terminate IOService instances.");
                return Status{kExitNotPrivileged, true};
            }
            if (result != KERN_SUCCESS) {
                status.code = kExitPartialFailure;
                error("Failed to terminate class {} - {}.", className, errorString(result));
            } else {
                info("All instances of class {} terminated.", className);
            }
        }
        if (status.code == kExitPartialFailure) {
            error("Check the system/kernel logs for error messages from the I/O Kit.");
        }
        return status;
    }

    // kext_tools' unloadKextsByIdentifier / unloadKextsByURL (the same loop).
    Status unloadAll(const std::vector<std::string>& identifiers)
    {
        Status status;
        for (const std::string& identifier : identifiers) {
            const Status one = unloadOne(identifier);
            if (status.code == kExitSuccess && one.code != kExitSuccess) {
                status.code = one.code;
            }
            if (one.fatal) {
                return one;
            }
        }
        if (status.code != kExitSuccess && args_.personalitiesOnly) {
            error("Check the system/kernel logs for error messages from the I/O Kit.");
        }
        return status;
    }

private:
    // kext_tools' unloadKextWithIdentifier.
    Status unloadOne(const std::string& identifier)
    {
        kern_return_t result;
        if (args_.personalitiesOnly) {
            std::vector<char> name(identifier.begin(), identifier.end());
            name.push_back('\0');
            result = IOCatalogueTerminate(kIOMainPortDefault, kIOCatalogModuleTerminate, name.data());
        } else {
            verboseLine("Requesting unload of {}.", identifier);
            CFRef<CFStringRef> id = makeString(identifier);
            result = KextManagerUnloadKextWithIdentifier(id.get());
        }
        Status status;
        if (unreachable(result, status)) {
            return status;
        }
        if (result == kIOReturnNotPrivileged) {
            error("You must be running as root to unload kexts.");
            return Status{kExitNotPrivileged, true};
        }
        if (result != KERN_SUCCESS) {
            if (args_.personalitiesOnly) {
                error("Terminate for {} failed - {}.", identifier, errorString(result));
            } else {
                // What OSKextUnloadKextWithIdentifier logs: the kernel's lines, then its own.
                relayKernelMessage();
                error("Failed to unload {} - {}.", identifier, errorString(result));
            }
            return Status{kExitPartialFailure, false};
        }
        if (args_.personalitiesOnly) {
            info("{}: services terminated and personalities removed (kext not unloaded).", identifier);
        } else {
            info("{} unloaded and personalities removed.", identifier);
        }
        return status;
    }

    void relayKernelMessage()
    {
        CFRef<CFStringRef> message(OpenIOKitCopyLastErrorMessage());
        std::istringstream lines(toString(message.get()));
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty()) {
                error("(kernel) {}", line);
            }
        }
    }

    bool unreachable(kern_return_t result, Status& status)
    {
        if (tool_.reportIfUnreachable(result)) {
            status = Status{kExitUnavailable, true};
            return true;
        }
        return false;
    }

    template <typename... A>
    void info(fmt::format_string<A...> format, A&&... a) const
    {
        if (!args_.quiet) {
            fmt::print("{}\n", fmt::format(format, std::forward<A>(a)...));
            std::fflush(stdout);
        }
    }
    template <typename... A>
    void verboseLine(fmt::format_string<A...> format, A&&... a) const
    {
        if (!args_.quiet && !args_.verbose.empty() && args_.verbose != "0") {
            fmt::print("{}\n", fmt::format(format, std::forward<A>(a)...));
        }
    }
    template <typename... A>
    void error(fmt::format_string<A...> format, A&&... a) const
    {
        if (!args_.quiet) {
            fmt::print(stderr, "{}\n", fmt::format(format, std::forward<A>(a)...));
        }
    }

    const Tool& tool_;
    const Arguments& args_;
};

// kext_tools takes "-v", "-v N" and "-vN" (N a level 0-6 or 0x flags); CLI11 cannot make a
// value optional without swallowing a following path, so these become "--verbose=N" first.
std::vector<std::string> normaliseVerbose(std::vector<std::string> args)
{
    static const std::regex level("^([0-6]|0[xX][0-9a-fA-F]+)$");
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); i++) {
        const std::string& a = args[i];
        if (a == "--") {
            out.insert(out.end(), args.begin() + static_cast<long>(i), args.end());
            break;
        }
        if (a == "-v" || a == "-verbose" || a == "--verbose") {
            if (i + 1 < args.size() && std::regex_match(args[i + 1], level)) {
                out.push_back("--verbose=" + args[++i]);
            } else {
                out.push_back("--verbose=1");
            }
        } else if (a.size() > 2 && a.starts_with("-v") && std::regex_match(a.substr(2), level)) {
            out.push_back("--verbose=" + a.substr(2));
        } else {
            out.push_back(a);
        }
    }
    return out;
}

ManPage manPage()
{
    return ManPage{
        .name = "kextunload - terminate driver instances and unload kernel extensions",
        .synopsis = "kextunload [-h] [-v [0-6]] [-q] [-p] [-c class_name] ... [-b bundle_id] ... [kext] ...",
        .description =
            "Asks iokitd to terminate driver instances, remove driver personalities and unload\n"
            "kexts. Classes given with -c are handled first, then bundle identifiers given with\n"
            "-b (or -m), then kext bundles named by path. Requires root: a non-root caller is\n"
            "refused before anything is sent, and iokitd checks the caller's credentials anyway.\n"
            "Informational messages go to standard output, errors to standard error; lines the\n"
            "kernel logged about a failed unload are relayed prefixed \"(kernel) \".",
        .exitStatus = "0   every request succeeded\n"
                      "1   a kext bundle named by path could not be read (NotFound)\n"
                      "2   iokitd refused the caller as not privileged (NotPrivileged, fatal)\n"
                      "3   a terminate or unload failed (PartialFailure; the first one counts)\n"
                      "11  unspecified failure\n"
                      "64  bad options, or nothing to unload (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "77  not running as root (EX_NOPERM)",
        .examples = "kextunload -b com.example.driver          # terminate, remove personalities, unload\n"
                    "kextunload -p -b com.example.driver       # terminate + remove personalities only\n"
                    "kextunload -c ExampleDriver               # terminate every ExampleDriver instance\n"
                    "kextunload /Library/Extensions/Example.kext",
    };
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("kextunload", manPage());
    Arguments args;
    CLI::App& app = tool.app();
    app.add_option("-b,-m,--bundle-id,--module", args.bundleIDs,
                   "Unload the kext and personalities for CFBundleIdentifier <bundle_id>.")
        ->allow_extra_args(false)->type_name("bundle_id");
    app.add_option("-c,--class", args.classNames,
                   "Terminate all instances of IOService class <class_name> but do not unload its kext "
                   "or remove its personalities.")
        ->allow_extra_args(false)->type_name("class_name");
    app.add_flag("-p,--personalities-only", args.personalitiesOnly,
                 "Terminate services and remove personalities only; do not unload kexts (applies only to "
                 "unload by bundle identifier or kext).");
    app.add_flag("-q,--quiet", args.quiet, "Quiet mode: print no informational or error messages.");
    app.add_option("--verbose", args.verbose, "-v [0-6 | 0x<flags>]: verbose mode; print what is requested.")
        ->type_name("level");
    app.add_option("kext", args.paths, "Unload the kext bundle at this path and all personalities for it.");

    if (auto exit = tool.parse(normaliseVerbose(arguments(argc, argv)))) {
        return *exit;
    }
    // kext_tools adds each name once (addToArrayIfAbsent), keeping the first position.
    auto unique = [](std::vector<std::string>& names) {
        std::vector<std::string> seen;
        for (std::string& n : names) {
            if (std::find(seen.begin(), seen.end(), n) == seen.end()) {
                seen.push_back(std::move(n));
            }
        }
        names = std::move(seen);
    };
    unique(args.bundleIDs);
    unique(args.classNames);
    unique(args.paths);
    // kext_tools' checkArgs: root first, then something to do.
    if (!isRoot()) {
        if (!args.quiet) {
            fmt::print(stderr, "You must be running as root to unload kexts, terminate services, or remove driver "
                               "personalities.\n");
        }
        return kExitNoPermission;
    }
    if (args.bundleIDs.empty() && args.classNames.empty() && args.paths.empty()) {
        if (!args.quiet) {
            fmt::print(stderr, "No kernel extensions specified.\n"
                               "usage: kextunload [-h] [-v [0-6]]\n"
                               "        [-p] [-c class_name] ... [-b bundle_id] ... [kext] ...\n");
        }
        return kExitUsage;
    }

    // kext_tools' createKextsIfNecessary: an unreadable bundle is NotFound, not fatal.
    int result = kExitSuccess;
    std::vector<std::string> pathIDs;
    for (const std::string& path : args.paths) {
        auto bundle = readBundleInfo(path);
        if (!bundle) {
            if (!args.quiet) {
                fmt::print(stderr, "Can't create {}. {}\n", path, bundle.error());
            }
            result = kExitNotFound;
            continue;
        }
        if (std::find(pathIDs.begin(), pathIDs.end(), bundle->identifier) == pathIDs.end()) {
            pathIDs.push_back(bundle->identifier);
        }
    }

    Unloader unloader(tool, args);
    auto merge = [&](Status step) {
        if (result == kExitSuccess && step.code != kExitSuccess) {
            result = step.code;
        }
        if (step.fatal) {
            result = step.code;
        }
        return step.fatal;
    };
    if (merge(unloader.terminateClasses()) || merge(unloader.unloadAll(args.bundleIDs)) ||
        merge(unloader.unloadAll(pathIDs))) {
        return result;
    }
    return result;
}
