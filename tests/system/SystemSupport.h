// SystemSupport.h: the seed's system with real processes — an iokitd in a temp state dir, the
// tools, osxkernel-clientd daemons and the fixture client run as children, their output read
// back. The test process itself never talks to iokitd: everything goes through the programs a
// user would run.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace systemtest {

using namespace std::chrono_literals;

// A fresh mkdtemp directory, removed with its contents afterwards.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A child process whose stdout and stderr go to a file. The destructor kills (SIGKILL) and reaps
// it if it still runs.
class Process {
public:
    // argv[0] is the program's path. uid != 0: setuid to it first. env: extra NAME=VALUE.
    Process(const std::vector<std::string>& argv, const std::string& logPath, const std::vector<std::string>& env,
            uid_t uid = 0);
    ~Process();
    Process(Process&& other) noexcept;
    Process& operator=(Process&&) = delete;
    Process(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signo) const;
    // The exit status once it exits (-1: killed by a signal), or nullopt after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout = 30s);
    bool exited();
    std::string output() const;
    // How many lines of the output contain `needle`.
    size_t count(const std::string& needle) const;

private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    std::string logPath_;
};

struct Result {
    int exitCode = -1;  // -1: killed or timed out
    std::string output;  // stdout and stderr
};

// iokitd --foreground in its own temp state dir; in-tree kexts in its extension path.
class Daemon {
public:
    explicit Daemon(double autounloadDelaySeconds);
    ~Daemon();

    pid_t pid() const { return daemon_->pid(); }
    const std::string& dir() const { return dir_.path(); }
    std::vector<std::string> environment() const { return {"OPENIOKIT_SOCKET=" + socket_}; }

    // Runs a tool from the build's tools/ directory (at most 60 s).
    Result tool(const std::string& name, const std::vector<std::string>& args, uid_t uid = 0) const;
    // Starts an osxkernel-clientd named `name` with extra arguments.
    Process clientd(const std::string& name, const std::vector<std::string>& args = {}) const;
    // Starts the fixture client (seed_open_client) with arguments.
    Process fixtureClient(const std::string& name, const std::vector<std::string>& args, uid_t uid = 0) const;

    // ioclasscount's count for a class (0 when it is not registered).
    long classCount(const std::string& className) const;
    bool kextLoaded(const std::string& bundleID) const;
    // The sequence number of the newest kernel log line (0 if none).
    uint64_t lastLogSequence() const;
    // The kernel log's texts from sequence `since` on.
    std::vector<std::string> kernelLog(uint64_t since) const;
    // iokitd's resident set (VmRSS) in KiB.
    long residentKiB() const;

    // The common set-up: SimBus loaded, a device `device` with `property`=true plugged.
    void loadSimBusAndPlug(const std::string& device, const std::string& property) const;

private:
    TempDir dir_;
    std::string socket_;
    std::optional<Process> daemon_;
    mutable int serial_ = 0;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s);

// Lines of `lines` that contain `needle`.
size_t countContaining(const std::vector<std::string>& lines, const std::string& needle);

// OPENIOKIT_RACE_ITERATIONS, default 200 (20 under sanitizers, whose processes start ~10x slower).
int raceIterations();

std::string driverKext();  // <build>/kexts/com_osxkernel_driver.kext
std::string simBusKext();
std::string testKext(const std::string& name);  // <build>/tests/kexts/bundles/<name>.kext

}  // namespace systemtest
