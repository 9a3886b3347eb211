#include "Tool.h"

#include "ManPageFormatter.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>
#include <mach/mach_error.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace openiokit::tools {

namespace {

// Why connecting to the daemon's socket fails now: connect(2)'s strerror, as the library
// reports only MACH_SEND_INVALID_DEST (a dead port), not why.
std::string unreachableReason(const char* path)
{
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return std::strerror(errno);
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof address.sun_path) {
        ::close(fd);
        return "socket path too long";
    }
    std::strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    const int saved = errno;
    ::close(fd);
    return rc == 0 ? "connection lost" : std::strerror(saved);
}

}  // namespace

Tool::Tool(std::string name, ManPage page) : name_(std::move(name)), app_(page.name, name_)
{
    app_.formatter(std::make_shared<ManPageFormatter>(std::move(page)));
    app_.set_help_flag("-h,--help", "Print this help and exit.");
}

std::optional<int> Tool::parse(int argc, char** argv)
{
    return parse(arguments(argc, argv));
}

std::optional<int> Tool::parse(std::vector<std::string> args)
{
    // CLI11 takes the arguments last-first.
    std::reverse(args.begin(), args.end());
    try {
        app_.parse(args);
    } catch (const CLI::CallForHelp&) {
        fmt::print("{}", app_.help());
        return kExitOK;
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        // "The following argument ..." reads on after "tool: "; "SOURCE: ..." keeps its case.
        const std::string firstWord = what.substr(0, what.find_first_of(" :"));
        const bool acronym = firstWord.size() > 1 && std::all_of(firstWord.begin(), firstWord.end(), [](char c) {
                                 return std::isupper(static_cast<unsigned char>(c));
                             });
        if (!what.empty() && !acronym) {
            what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
        }
        error("{} (see '{} --help').", what, name_);
        return kExitUsage;
    }
    return std::nullopt;
}

std::optional<int> Tool::requireDaemon() const
{
    uint32_t busy = 0;
    const kern_return_t result = IOKitGetBusyState(kIOMainPortDefault, &busy);
    if (reportIfUnreachable(result)) {
        return kExitUnavailable;
    }
    return std::nullopt;
}

bool Tool::reportIfUnreachable(kern_return_t result) const
{
    if (result != MACH_SEND_INVALID_DEST) {
        return false;
    }
    const char* path = OpenIOKitDaemonSocketPath();
    error("cannot reach iokitd at {} ({})", path, unreachableReason(path));
    return true;
}

std::vector<std::string> arguments(int argc, char** argv)
{
    return std::vector<std::string>(argv + std::min(argc, 1), argv + argc);
}

bool isRoot()
{
    return ::geteuid() == 0;
}

std::string errorString(kern_return_t result)
{
    return mach_error_string(result);
}

}  // namespace openiokit::tools
