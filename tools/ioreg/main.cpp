// ioreg: show the I/O Kit registry as macOS's ioreg(8) does (docs/tools.md).
#include "../common/IOObjectRef.h"
#include "../common/Tool.h"
#include "Archive.h"
#include "Options.h"
#include "TextTree.h"

#include <IOKit/IOKitLib.h>

#include <sys/ioctl.h>
#include <unistd.h>

using namespace openiokit::tools;
using namespace openiokit::tools::ioreg;

namespace {

enum ExitCode : int {
    kExitUnknownPlane = 1,  // -p names a plane the registry does not have
};

ManPage manPage()
{
    return ManPage{
        .name = "ioreg - show the I/O Kit registry",
        .synopsis = "ioreg [-a] [-i] [-l] [-r] [-t] [-x] [-c class] [-d depth] [-k key] [-n name]\n"
                    "      [-p plane] [-w width]",
        .description =
            "Prints iokitd's I/O Kit registry as a tree, one line per entry:\n"
            "  +-o Name@location  <class X, id 0x..., registered, matched, active, busy 0, retain N>\n"
            "The state words apply to IOService objects (\"!registered\", \"!matched\" when not yet,\n"
            "\"inactive\" once terminated), then the busy count and, for a service that has been\n"
            "busy, the time it spent so \"(N ms)\"; retain is the kernel retain count. With -l, or for entries matched by -c, -k or -n, the\n"
            "properties follow in a \"{ ... }\" block. Options may be bundled as on macOS (-lw0).\n"
            "Lines are cut at the terminal width when writing to a terminal, never otherwise.",
        .exitStatus = "0   success\n"
                      "1   the plane named with -p does not exist\n"
                      "64  bad options (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "70  the archive could not be written (EX_SOFTWARE)",
        .examples = "ioreg -lw0                                # everything, with properties, uncut\n"
                    "ioreg -r -c IOSimDevice -l                # each simulated device and its drivers\n"
                    "ioreg -a -r -n IOResources > r.plist      # an XML archive for scripts",
    };
}

uint32_t terminalWidth()
{
    winsize size{};
    if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
        return size.ws_col;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("ioreg", manPage());
    Options options;
    options.width = terminalWidth();
    CLI::App& app = tool.app();
    app.add_flag("-a", options.archive, "Archive the output as an XML property list.");
    app.add_option("-c", options.className, "Show properties of objects of this class or a subclass.")
        ->type_name("class");
    app.add_option("-d", options.depth, "Limit tree traversal to this depth (1 = roots only; 0 = no limit).")
        ->type_name("depth");
    app.add_flag("-i", options.inheritance, "Show each object's class inheritance.");
    app.add_option("-k", options.key, "Show properties of objects that have this property key.")->type_name("key");
    app.add_flag("-l", options.allProperties, "Show properties of all displayed objects.");
    app.add_option("-n", options.name, "Show properties of objects with this name (or name@location).")
        ->type_name("name");
    app.add_option("-p", options.plane, "Traverse this registry plane (default IOService).")->type_name("plane");
    app.add_flag("-r", options.subtrees, "Show only subtrees rooted at objects matching -c, -k or -n.");
    app.add_flag("-t", options.treeLocation, "With -r, show each subtree's location (its ancestors).");
    app.add_option("-w", options.width, "Cut lines at this width; 0 never cuts.")->type_name("width");
    app.add_flag("-x", options.hex, "Show numbers and data in hexadecimal.");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }
    IOObjectRef root(IORegistryGetRootEntry(kIOMainPortDefault));
    if (!root) {
        tool.error("cannot read the registry root.");
        return kExitSoftware;
    }
    // IORegistryEntryGetChildIterator refuses an unknown plane (kIOReturnBadArgument).
    io_iterator_t probe = IO_OBJECT_NULL;
    const kern_return_t planeCheck = IORegistryEntryGetChildIterator(root.get(), options.plane.c_str(), &probe);
    IOObjectRef probeOwner(probe);
    if (planeCheck != KERN_SUCCESS) {
        tool.error("no registry plane named {}.", options.plane);
        return kExitUnknownPlane;
    }
    if (options.archive) {
        const std::string xml = archive(options);
        if (xml.empty()) {
            tool.error("the registry could not be written as a property list.");
            return kExitSoftware;
        }
        fmt::print("{}", xml);
        return kExitOK;
    }
    TextTree(options).print();
    return kExitOK;
}
