// kernlog: prints iokitd's kernel log ring (IOLog / os_log lines of the kernel and kexts), and
// with --follow streams new lines as they come (docs/tools.md).
#include "../common/Tool.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKitLog.h>

#include <csignal>
#include <ctime>

using namespace openiokit::tools;

namespace {

volatile std::sig_atomic_t gStop = 0;

struct Printer {
    bool raw;
    bool sequence;
};

bool printEntry(void* context, const OpenIOKitLogEntry* entry)
{
    const auto* printer = static_cast<const Printer*>(context);
    if (printer->sequence) {
        fmt::print("{} ", entry->sequence);
    }
    if (!printer->raw) {
        const time_t seconds = static_cast<time_t>(entry->timeMicros / 1000000);
        std::tm local{};
        localtime_r(&seconds, &local);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
        fmt::print("{}.{:06} {}: ", stamp, entry->timeMicros % 1000000, entry->module ? entry->module : "kernel");
    }
    fmt::print("{}\n", entry->text ? entry->text : "");
    return gStop == 0;
}

ManPage manPage()
{
    return ManPage{
        .name = "kernlog - print the kernel log of iokitd",
        .synopsis = "kernlog [-h] [--since SEQ] [-n COUNT] [--raw] [--sequence] [-f | --follow]",
        .description =
            "Prints the lines kept in iokitd's kernel log ring, oldest first, one per line as\n"
            "\"YYYY-MM-DD HH:MM:SS.uuuuuu module: text\" (local time; module is the kext's bundle\n"
            "identifier, \"kernel\" or \"iokitd\"). With --follow it then waits for new lines and\n"
            "prints them as they are logged, until interrupted (SIGINT/SIGTERM).\n"
            "Lines are numbered 1, 2, 3 ... in order; --since SEQ starts at line SEQ (lines\n"
            "already dropped from the ring are skipped), --sequence prints the numbers.",
        .exitStatus = "0   success (or interrupted while following)\n"
                      "64  bad options (EX_USAGE)\n"
                      "69  iokitd cannot be reached or went away (EX_UNAVAILABLE)",
        .examples = "kernlog                                   # everything in the ring\n"
                    "kernlog --follow --since 120              # from line 120, then stream",
    };
}

}  // namespace

int main(int argc, char** argv)
{
    Tool tool("kernlog", manPage());
    uint64_t since = 0;
    uint32_t count = 0;
    bool follow = false;
    Printer printer{false, false};
    CLI::App& app = tool.app();
    app.add_option("--since", since, "Start at line SEQ (default: the oldest kept).")->type_name("SEQ");
    app.add_option("-n,--count", count, "Print at most COUNT lines (without --follow).")->type_name("COUNT");
    app.add_flag("-f,--follow", follow, "Keep waiting for new lines and print them as they come.");
    app.add_flag("--raw", printer.raw, "Print only the text of each line.");
    app.add_flag("--sequence", printer.sequence, "Print each line's sequence number first.");
    if (auto exit = tool.parse(argc, argv)) {
        return *exit;
    }
    if (follow) {
        std::signal(SIGINT, [](int) { gStop = 1; });
        std::signal(SIGTERM, [](int) { gStop = 1; });
    }
    uint64_t next = since;
    IOReturn result = OpenIOKitLogRead(&next, follow ? 0 : count, 0, printEntry, &printer);
    std::fflush(stdout);
    while (result == kIOReturnSuccess && follow && gStop == 0) {
        // Bounded waits, so an interrupt is noticed within a second.
        result = OpenIOKitLogRead(&next, 0, 1000, printEntry, &printer);
        std::fflush(stdout);
    }
    if (tool.reportIfUnreachable(result)) {
        return kExitUnavailable;
    }
    if (result != kIOReturnSuccess && gStop == 0) {
        tool.error("reading the kernel log failed - {}.", errorString(result));
        return kExitSoftware;
    }
    return kExitOK;
}
