// kextload: load kexts (dependencies first, from iokitd's extension directories) and send their
// personalities to the catalogue, which starts matching (docs/tools.md).
#include "../common/BundleInfo.h"
#include "../common/CFRef.h"
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>
#include <IOKit/kext/KextManager.h>
#include <libkern/OSKextLib.h>

#include <filesystem>

using namespace openiokit::tools;

namespace {

enum ExitCode : int {
    kExitSuccess = 0,
    kExitLoadFailed = 1,  // one or more kexts failed to load (the first failure is reported)
};

ManPage manPage()
{
    return ManPage{
        .name = "kextload - load kernel extensions into iokitd",
        .synopsis = "kextload [-h] [-v] [-q] [-b bundle_id] ... [kext] ...",
        .description =
            "Loads each kext named by path or by bundle identifier (searched in iokitd's\n"
            "extension directories), its dependencies first, and sends its personalities to the\n"
            "IOCatalogue, which starts matching. A bundle that cannot be loaded is reported with\n"
            "the file and what is wrong with it; the others are still loaded. Requires root: a\n"
            "non-root caller is refused before anything is sent, and iokitd checks anyway.",
        .exitStatus = "0   every kext is loaded (or was already)\n"
                      "1   a kext failed to load\n"
                      "64  bad options, or nothing to load (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "77  not running as root (EX_NOPERM)",
        .examples = "kextload build/kexts/SimBus.kext          # load a bundle by path\n"
                    "kextload -b com.openiokit.SimBus          # load by identifier from the extension dirs",
    };
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("kextload", manPage());
    std::vector<std::string> bundleIDs;
    std::vector<std::string> paths;
    bool verbose = false;
    bool quiet = false;
    CLI::App& app = tool.app();
    app.add_option("-b,--bundle-id", bundleIDs, "Load the kext whose CFBundleIdentifier is <bundle_id>.")
        ->allow_extra_args(false)->type_name("bundle_id");
    app.add_flag("-v,--verbose", verbose, "Print each request and its outcome.");
    app.add_flag("-q,--quiet", quiet, "Print nothing, not even errors; the exit status tells.");
    app.add_option("kext", paths, "A kext bundle directory to load.");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    auto error = [&](const std::string& line) {
        if (!quiet) {
            fmt::print(stderr, "{}\n", line);
        }
    };
    auto info = [&](const std::string& line) {
        if (!quiet) {
            fmt::print("{}\n", line);
            std::fflush(stdout);
        }
    };
    if (!isRoot()) {
        error("You must be running as root to load kexts.");
        return kExitNoPermission;
    }
    if (bundleIDs.empty() && paths.empty()) {
        error("No kernel extensions specified; name kernel extension bundles\n"
              "    following options, or use `-b'.");
        return kExitUsage;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }

    int result = kExitSuccess;
    // The kernel's explanation, then the tool's summary line (as kextload prints both).
    auto report = [&](const std::string& what, OSReturn code) {
        if (tool.reportIfUnreachable(code)) {
            return false;
        }
        if (code == kOSReturnSuccess) {
            if (verbose) {
                info(fmt::format("{} loaded successfully (or already loaded).", what));
            }
            return true;
        }
        CFRef<CFStringRef> message(OpenIOKitCopyLastErrorMessage());
        const std::string sentence = toString(message.get());
        if (!sentence.empty()) {
            error(fmt::format("(kernel) {}", sentence));
        }
        error(fmt::format("{} failed to load - {}.", what, errorString(code)));
        if (result == kExitSuccess) {
            result = kExitLoadFailed;
        }
        return true;
    };

    for (const std::string& path : paths) {
        // Checked here so the message names the file: the daemon would only see a path.
        if (auto bundle = readBundleInfo(path); !bundle) {
            error(fmt::format("Can't create {}. {}", path, bundle.error()));
            result = kExitLoadFailed;
            continue;
        }
        if (verbose) {
            info(fmt::format("Requesting load of {}.", path));
        }
        const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
        CFRef<CFStringRef> string = makeString(absolute);
        CFRef<CFURLRef> url(CFURLCreateWithFileSystemPath(kCFAllocatorDefault, string.get(), kCFURLPOSIXPathStyle, true));
        if (!report(path, KextManagerLoadKextWithURL(url.get(), nullptr))) {
            return kExitUnavailable;
        }
    }
    for (const std::string& id : bundleIDs) {
        if (verbose) {
            info(fmt::format("Requesting load of {}.", id));
        }
        CFRef<CFStringRef> string = makeString(id);
        if (!report(id, KextManagerLoadKextWithIdentifier(string.get(), nullptr))) {
            return kExitUnavailable;
        }
    }
    return result;
}
