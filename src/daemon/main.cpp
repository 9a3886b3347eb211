// iokitd: the OpenIOKit "kernel" host (docs/iokitd.md). Start-up order: options, detach (before
// any thread exists), kernel initialisation, kexts given with --load, the socket; then serve
// until SIGTERM/SIGINT, and shut down cleanly: stop serving (every process's connections die as
// at exit), unload every kext (terminating its services leaf-first), remove the socket.
#include "Daemon.h"
#include "DaemonLog.h"
#include "Listener.h"
#include "Options.h"

#include <IOKit/IOService.h>
#include <openiokit/KernelLog.h>
#include <openiokit/Kexts.h>

#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <cstring>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace openiokit;
using namespace openiokit::daemon;

namespace {

// Forks; the parent waits for the child to report readiness (a byte on the pipe) and exits
// with 0, or 1 if the child failed before that. Returns the write end in the child.
int detach()
{
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        perror("iokitd: pipe");
        std::exit(1);
    }
    const pid_t child = ::fork();
    if (child < 0) {
        perror("iokitd: fork");
        std::exit(1);
    }
    if (child > 0) {
        ::close(ready[1]);
        char byte = 0;
        const ssize_t n = ::read(ready[0], &byte, 1);
        std::_Exit(n == 1 ? 0 : 1);
    }
    ::close(ready[0]);
    ::setsid();
    return ready[1];
}

}  // namespace

int main(int argc, char** argv)
{
    auto parsed = Options::parse(argc, argv);
    if (!parsed) {
        if (!parsed.error().empty()) {
            std::fprintf(stderr, "iokitd: %s\n", parsed.error().c_str());
        }
        std::fputs(Options::usage(), stderr);
        return parsed.error().empty() ? 0 : 64;  // EX_USAGE
    }
    const Options options = *parsed;
    const int readyFd = options.foreground ? -1 : detach();

    // Signals arrive on a descriptor; block them before any thread starts so none takes them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const int signalFd = signalfd(-1, &signals, SFD_CLOEXEC);

    // The lock and socket come first: a second daemon must refuse before touching anything.
    auto listener = Listener::open(options.socketPath(), options.pidFile());
    if (!listener) {
        std::fprintf(stderr, "iokitd: %s\n", listener.error().c_str());
        return 1;
    }

    KernelLog::setTimestampPrefix(true);
    IOService::initialize();
    std::vector<std::filesystem::path> searchPath{options.stateDir / "Extensions"};
    searchPath.insert(searchPath.end(), options.extensions.begin(), options.extensions.end());
    kexts::setExtensionsDirectories(searchPath);
    kexts::setAutounloadDelay(std::chrono::milliseconds(static_cast<long long>(options.autounloadDelaySeconds * 1000)));

    Daemon daemon(options.socketPath());
    daemon.installKernelHooks();
    for (const auto& bundle : options.loads) {
        auto loaded = kexts::loadKextWithPath(bundle);
        if (!loaded) {
            std::fprintf(stderr, "iokitd: cannot load %s: %s\n", bundle.c_str(), loaded.error().message.c_str());
            return 1;
        }
    }
    daemonLog("serving %s (pid %d)", options.socketPath().c_str(), static_cast<int>(::getpid()));
    if (readyFd >= 0) {
        const char byte = 1;
        (void)::write(readyFd, &byte, 1);
        ::close(readyFd);
    }

    daemon.run(listener->fd(), signalFd);

    // Shutdown: no new connections, every process's connections end (clientDied as at exit),
    // then every kext's services terminate and the kexts unload.
    listener->close();
    daemon.stopServing(std::chrono::seconds(10));
    kexts::unloadAllForShutdown();
    daemonLog("stopped");
    return 0;
}
