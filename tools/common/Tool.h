// Tool.h: what every OpenIOKit command-line tool shares (docs/tools.md): CLI11 set up with a
// man-page style --help, one-line errors "<tool>: <sentence>", documented exit codes, the
// root check, and the "cannot reach iokitd" diagnosis.
#pragma once

#include <CLI/CLI.hpp>
#include <IOKit/IOReturn.h>
#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openiokit::tools {

// sysexits.h values the tools use besides each tool's own codes.
inline constexpr int kExitOK = 0;
inline constexpr int kExitUsage = 64;        // EX_USAGE: bad options or arguments
inline constexpr int kExitDataError = 65;    // EX_DATAERR: input that is not what it must be
inline constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: iokitd cannot be reached
inline constexpr int kExitSoftware = 70;     // EX_SOFTWARE: the daemon answered nonsense
inline constexpr int kExitNoPermission = 77; // EX_NOPERM: needs root

// The sections of a man page; OPTIONS comes from CLI11's option list.
struct ManPage {
    std::string name;         // "kextunload - terminate driver instances and unload kexts"
    std::string synopsis;     // one or more usage lines
    std::string description;  // paragraphs
    std::string exitStatus;   // one line per code
    std::string examples;     // command lines with a comment each
};

class Tool {
public:
    Tool(std::string name, ManPage page);

    CLI::App& app() { return app_; }
    const std::string& name() const { return name_; }

    // Parses argv. Returns an exit code when the tool must stop now (--help: 0; a parse error:
    // the one-line message and kExitUsage), nullopt to go on.
    std::optional<int> parse(int argc, char** argv);
    // The same for arguments already rewritten (argv[1...], in order).
    std::optional<int> parse(std::vector<std::string> arguments);

    // "<tool>: <message>" on stderr.
    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) const
    {
        fmt::print(stderr, "{}: {}\n", name_, fmt::format(format, std::forward<Args>(args)...));
    }

    // Nullopt when iokitd answers; otherwise prints "<tool>: cannot reach iokitd at PATH
    // (<reason>)" and returns kExitUnavailable.
    std::optional<int> requireDaemon() const;
    // For a call that failed with `result`: true (and the message printed) when the reason is
    // that iokitd cannot be reached.
    bool reportIfUnreachable(kern_return_t result) const;

private:
    std::string name_;
    CLI::App app_;
};

bool isRoot();
// argv[1...] as strings.
std::vector<std::string> arguments(int argc, char** argv);
// mach_error_string(result), e.g. "(iokit/common) not found".
std::string errorString(kern_return_t result);

}  // namespace openiokit::tools
