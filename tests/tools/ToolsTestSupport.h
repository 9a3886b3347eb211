// ToolsTestSupport.h: an iokitd in a temp state dir and the tools run against it as child
// processes, with output normalised for golden comparison.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace toolstest {

// A fresh mkdtemp directory, removed with its contents afterwards.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// iokitd --foreground with the given kexts loaded (--load) and the in-tree kext directories
// as extension directories.
class Daemon {
public:
    explicit Daemon(const std::vector<std::string>& loads = {});
    ~Daemon();
    const std::string& socketPath() const { return socket_; }
    std::string log() const;

private:
    TempDir dir_;
    std::string socket_;
    std::string logPath_;
    pid_t pid_ = -1;
};

struct Result {
    int exitCode = -1;  // -1: killed by a signal or timed out
    std::string out;
    std::string err;
};

struct RunOptions {
    uid_t uid = 0;          // setuid to this first when not 0
    std::string socket;     // OPENIOKIT_SOCKET for the child ("" = inherit)
};

// Runs OPENIOKIT_TOOLS_DIR/<tool> with `args`; waits at most 120 s.
Result runTool(const std::string& tool, const std::vector<std::string>& args, const RunOptions& options = {});

std::string testKext(const std::string& name);  // OPENIOKIT_TEST_KEXT_DIR/<name>.kext
std::string kext(const std::string& name);      // OPENIOKIT_KEXT_DIR/<name>.kext

// Replaces what differs from run to run: registry ids, retain counts, busy times, load
// addresses, sizes, UUIDs, time stamps, temp paths.
std::string normalise(const std::string& text);

// Compares `actual` with golden/<name>; with OPENIOKIT_UPDATE_GOLDEN=1 writes it instead.
void expectGolden(const std::string& name, const std::string& actual);

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace toolstest
