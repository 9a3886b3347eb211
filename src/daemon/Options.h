// Options.h: iokitd's command line (docs/iokitd.md).
//   iokitd [--state-dir DIR] [--extensions DIR]... [--autounload-delay SECONDS]
//          [--load PATH.kext]... [--foreground]
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace openiokit::daemon {

struct Options {
    static constexpr const char* kDefaultStateDir = "/run/openiokit";
    static constexpr const char* kSocketEnvironment = "OPENIOKIT_SOCKET";

    std::filesystem::path stateDir = kDefaultStateDir;
    std::vector<std::filesystem::path> extensions;  // after DIR/Extensions
    double autounloadDelaySeconds = 60;             // xnu's sConsiderUnloadDelay
    std::vector<std::filesystem::path> loads;
    bool foreground = false;

    // $OPENIOKIT_SOCKET, else DIR/iokitd.sock.
    std::filesystem::path socketPath() const;
    std::filesystem::path pidFile() const { return stateDir / "iokitd.pid"; }

    // The options, or a usage error sentence.
    static std::expected<Options, std::string> parse(int argc, char** argv);
    static const char* usage();
};

}  // namespace openiokit::daemon
