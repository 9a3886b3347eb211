// osxkernel-clientd: a client daemon of com.osxkernel.driver (docs/demo.md). It waits for the
// driver, opens it, calls it every --interval, watches it with an interest notification, goes
// back to waiting when the driver terminates, and closes cleanly on SIGTERM/SIGINT (exit 0).
// Only IOKitLib and CoreFoundation are used, so the same source builds on macOS.
//
//   osxkernel-clientd [--name NAME] [--interval MS] [--once | --calls N] [--wait-events] [--map-status]
#include "ClientDaemon.h"

#include <CoreFoundation/CoreFoundation.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace {

constexpr int kExitUsage = 64;     // EX_USAGE
constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: IOKit cannot be reached

const char* kUsage =
    "usage: osxkernel-clientd [--name NAME] [--interval MS] [--once | --calls N] [--wait-events] [--map-status]\n"
    "  --name NAME     name printed in every log line (default clientd)\n"
    "  --interval MS   milliseconds between two calls to the driver (default 500; 0 = back to back)\n"
    "  --once          exit 0 after the first successful call (same as --calls 1)\n"
    "  --calls N       exit 0 after N successful calls\n"
    "  --wait-events   keep one asynchronous \"wait for event\" request pending\n"
    "  --map-status    map the driver's status page and print its client count on each open\n";

// The signal handler writes the signal number here; the run loop reads it (self-pipe).
int gSignalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const int saved = errno;
    const unsigned char byte = static_cast<unsigned char>(signal);
    (void)!::write(gSignalPipe[1], &byte, 1);
    errno = saved;
}

void signalReadable(CFFileDescriptorRef descriptor, CFOptionFlags, void* info)
{
    unsigned char byte = 0;
    if (::read(CFFileDescriptorGetNativeDescriptor(descriptor), &byte, 1) == 1) {
        static_cast<clientd::ClientDaemon*>(info)->shutdown(byte == SIGINT ? "sigint" : "sigterm");
    }
    CFFileDescriptorEnableCallBacks(descriptor, kCFFileDescriptorReadCallBack);
}

bool parseNumber(const char* text, double* value)
{
    char* end = nullptr;
    errno = 0;
    *value = std::strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && *value >= 0;
}

}  // namespace

int main(int argc, char** argv)
{
    clientd::Options options;
    for (int i = 1; i < argc; i++) {
        const std::string arg = argv[i];
        const bool needsValue = arg == "--name" || arg == "--interval" || arg == "--calls";
        if (needsValue && i + 1 >= argc) {
            std::fprintf(stderr, "osxkernel-clientd: %s needs a value\n%s", arg.c_str(), kUsage);
            return kExitUsage;
        }
        double number = 0;
        if (arg == "--name") {
            options.name = argv[++i];
        } else if (arg == "--interval" || arg == "--calls") {
            const char* text = argv[++i];
            if (!parseNumber(text, &number)) {
                std::fprintf(stderr, "osxkernel-clientd: %s needs a number >= 0, not '%s'\n%s", arg.c_str(), text, kUsage);
                return kExitUsage;
            }
            if (arg == "--interval") {
                options.intervalSeconds = number / 1000.0;
            } else {
                options.calls = static_cast<uint64_t>(number);
            }
        } else if (arg == "--once") {
            options.calls = 1;
        } else if (arg == "--wait-events") {
            options.waitEvents = true;
        } else if (arg == "--map-status") {
            options.mapStatus = true;
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else {
            std::fprintf(stderr, "osxkernel-clientd: unknown argument '%s'\n%s", arg.c_str(), kUsage);
            return kExitUsage;
        }
    }

    clientd::EventLog log(options.name);
    clientd::ClientDaemon daemon(options, log);
    log.write("start", "pid=" + std::to_string(::getpid()));

    if (::pipe2(gSignalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        std::perror("osxkernel-clientd: pipe");
        return 1;
    }
    CFFileDescriptorContext context{0, &daemon, nullptr, nullptr, nullptr};
    CFFileDescriptorRef signals = CFFileDescriptorCreate(kCFAllocatorDefault, gSignalPipe[0], true, &signalReadable, &context);
    CFRunLoopSourceRef signalSource = CFFileDescriptorCreateRunLoopSource(kCFAllocatorDefault, signals, 0);
    CFRunLoopAddSource(CFRunLoopGetCurrent(), signalSource, kCFRunLoopDefaultMode);
    CFFileDescriptorEnableCallBacks(signals, kCFFileDescriptorReadCallBack);
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    int status = 0;
    if (!daemon.start()) {
        status = kExitUnavailable;
    } else {
        while (!daemon.finished()) {
            CFRunLoopRun();
        }
    }
    CFFileDescriptorInvalidate(signals);
    CFRelease(signalSource);
    CFRelease(signals);
    log.write("exit", "status=" + std::to_string(status));
    return status;
}
