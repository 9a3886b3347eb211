#include "Options.h"

#include <cstdlib>
#include <cstring>

namespace openiokit::daemon {

std::filesystem::path Options::socketPath() const
{
    const char* fromEnvironment = std::getenv(kSocketEnvironment);
    if (fromEnvironment && *fromEnvironment) {
        return fromEnvironment;
    }
    return stateDir / "iokitd.sock";
}

const char* Options::usage()
{
    return "usage: iokitd [--state-dir DIR] [--extensions DIR]... [--autounload-delay SECONDS]\n"
           "              [--load PATH.kext]... [--foreground]\n"
           "  --state-dir DIR         socket, pid file and DIR/Extensions (default /run/openiokit)\n"
           "  --extensions DIR        also search DIR for kexts (repeatable)\n"
           "  --autounload-delay S    unload unused kexts S seconds after quiet (default 60)\n"
           "  --load PATH.kext        load a kext at start-up (repeatable)\n"
           "  --foreground            do not detach; log to stderr\n"
           "The socket is $OPENIOKIT_SOCKET if set, else DIR/iokitd.sock.\n";
}

std::expected<Options, std::string> Options::parse(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; i++) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) {
                return std::unexpected(arg + " needs a value");
            }
            return std::string(argv[++i]);
        };
        if (arg == "--foreground" || arg == "-f") {
            options.foreground = true;
        } else if (arg == "--state-dir" || arg == "--extensions" || arg == "--load" || arg == "--autounload-delay") {
            auto v = value();
            if (!v) {
                return std::unexpected(v.error());
            }
            if (arg == "--state-dir") {
                options.stateDir = *v;
            } else if (arg == "--extensions") {
                options.extensions.emplace_back(*v);
            } else if (arg == "--load") {
                options.loads.emplace_back(*v);
            } else {
                char* end = nullptr;
                const double seconds = std::strtod(v->c_str(), &end);
                if (end == v->c_str() || *end != '\0' || seconds < 0) {
                    return std::unexpected("--autounload-delay needs a number of seconds >= 0, not '" + *v + "'");
                }
                options.autounloadDelaySeconds = seconds;
            }
        } else if (arg == "--help" || arg == "-h") {
            return std::unexpected(std::string());
        } else {
            return std::unexpected("unknown argument '" + arg + "'");
        }
    }
    return options;
}

}  // namespace openiokit::daemon
