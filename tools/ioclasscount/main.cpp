// ioclasscount: live instance counts per class from OSMetaClass (docs/tools.md) — the number
// that decides whether a kext can unload (iokit-semantics.md §1.6).
#include "../common/CFRef.h"
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>

#include <map>
#include <strings.h>

using namespace openiokit::tools;

namespace {

enum ExitCode : int {
    kExitUnknownClass = 1,  // a class named on the command line is not registered
};

ManPage manPage()
{
    return ManPage{
        .name = "ioclasscount - display instance counts of OSObject classes",
        .synopsis = "ioclasscount [-h] [classname] ...",
        .description =
            "With no class named, prints \"ClassName = N\" for every registered class, one per line,\n"
            "sorted by name ignoring case. With class names, prints their counts on one line joined\n"
            "by \", \" as macOS does; a name no loaded kext or the kernel registers shows\n"
            "\"<no such class>\" instead of a count. A registered class with no live instance\n"
            "shows 0. N is OSMetaClass's instance count: live instances of the class itself plus\n"
            "one for each direct subclass that has live instances. A kext cannot unload while any\n"
            "class it defines has a count above zero.",
        .exitStatus = "0   success\n"
                      "1   a class named is not registered (the line is still printed; macOS exits 0)\n"
                      "64  bad options (EX_USAGE)\n"
                      "69  iokitd cannot be reached (EX_UNAVAILABLE)\n"
                      "70  iokitd answered something unreadable (EX_SOFTWARE)",
        .examples = "ioclasscount IOSimDevice IOSimBus          # \"IOSimDevice = 1, IOSimBus = 1\"\n"
                    "ioclasscount | sort -t= -k2 -n | tail       # the most instantiated",
    };
}

// Case-insensitive name order, as ioclasscount sorts (kCFCompareCaseInsensitive); ties by bytes.
struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const
    {
        const int c = ::strcasecmp(a.c_str(), b.c_str());
        return c != 0 ? c < 0 : a < b;
    }
};

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("ioclasscount", manPage());
    std::vector<std::string> classes;
    tool.app().add_option("classname", classes, "A class to count (default: all).");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    if (auto exit = tool.requireDaemon()) {
        return *exit;
    }
    CFRef<CFDictionaryRef> counts(OpenIOKitCopyClassInstanceCounts());
    if (!counts) {
        tool.error("iokitd did not return class instance counts.");
        return kExitSoftware;
    }
    std::map<std::string, long long, CaseInsensitiveLess> all;
    const CFIndex n = CFDictionaryGetCount(counts.get());
    std::vector<const void*> keys(static_cast<size_t>(n));
    std::vector<const void*> values(static_cast<size_t>(n));
    CFDictionaryGetKeysAndValues(counts.get(), keys.data(), values.data());
    for (CFIndex i = 0; i < n; i++) {
        long long count = 0;
        if (CFNumberRef number = asNumber(values[static_cast<size_t>(i)])) {
            CFNumberGetValue(number, kCFNumberLongLongType, &count);
        }
        all[toString(asString(keys[static_cast<size_t>(i)]))] = count;
    }
    if (classes.empty()) {
        for (const auto& [name, count] : all) {
            fmt::print("{} = {}\n", name, count);
        }
        return kExitOK;
    }
    int result = kExitOK;
    std::string line;
    for (const std::string& name : classes) {
        if (!line.empty()) {
            line += ", ";
        }
        auto found = all.find(name);  // exact: the order's ties fall back to bytes
        if (found == all.end()) {
            line += fmt::format("{} = <no such class>", name);
            result = kExitUnknownClass;
            continue;
        }
        line += fmt::format("{} = {}", name, found->second);
    }
    fmt::print("{}\n", line);
    return result;
}
