// IntegrationSupport.h: running iokitd and client processes for the integration tests.
#pragma once

#include "IPCTestProtocol.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <sys/types.h>

namespace integration {

// A fresh directory under $TMPDIR (mkdtemp), removed with its contents by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// An iokitd in the foreground with the IPCTestDriver kext loaded; its socket lives in a temp
// dir and OPENIOKIT_SOCKET points this process (and its children) at it.
class Daemon {
public:
    explicit Daemon(bool loadTestKext = true);
    ~Daemon();

    pid_t pid() const { return pid_; }
    const std::string& socketPath() const { return socket_; }
    const std::string& stateDir() const { return dir_.path(); }
    // SIGTERM and wait; the exit status.
    int stop();
    // Everything the daemon wrote to stderr so far.
    std::string log() const;

    // Starts another iokitd on the same state dir; returns its exit status and stderr (for the
    // single-instance tests). Waits at most 30 s.
    std::pair<int, std::string> runSecond(const std::vector<std::string>& extraArgs = {}) const;

private:
    TempDir dir_;
    std::string socket_;
    std::string logPath_;
    pid_t pid_ = -1;
};

// Waits (polling, up to `timeout`) until `condition` is true.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = std::chrono::seconds(30));

// Forks; the child runs `body` and exits with its return value (0 = success). Returns the pid.
pid_t forkChild(const std::function<int()>& body);
// waitpid with a timeout (then SIGKILL): the exit status, or -1 for a signal/timeout.
int waitChild(pid_t pid, std::chrono::seconds timeout = std::chrono::seconds(60));

// The test driver's service (a name the caller releases), after waiting for it to appear.
io_service_t findDriver();
// Opens the test driver; ASSERTs on failure through the returned code.
kern_return_t openDriver(io_connect_t* connect);
// kIPCTestStats: opens, closes, died, in flight.
struct Stats {
    uint64_t opens, closes, died, inFlight;
};
Stats stats(io_connect_t connect);

}  // namespace integration
