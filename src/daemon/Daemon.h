// Daemon.h: iokitd's run time: the listening socket, one ClientTask per connected process, a
// thread per channel, the kernel's user-reference hook, and clean shutdown (docs/iokitd.md).
//
// Threads: each channel (a process's primary connection, and one more per client thread that
// makes calls) is served by its own thread, which receives a request, runs it and replies.
// Calls from different processes and from different threads of one process therefore run
// concurrently, and a slow externalMethod holds up only the caller that made it.
#pragma once

#include "ClientTask.h"
#include "Socket.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

namespace openiokit::daemon {

class Daemon {
public:
    explicit Daemon(std::filesystem::path socketPath);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Installs the kernel hook that turns destroyed objects' names into dead names.
    void installKernelHooks();

    // Accepts connections until a SIGTERM/SIGINT arrives on `signalFd`. `listenFd` is bound
    // and listening.
    void run(int listenFd, int signalFd);

    // Stops serving: wakes every channel thread, waits for them (up to `timeout`), and forgets
    // every task (their processDied has run).
    void stopServing(std::chrono::milliseconds timeout);

    // A channel of `task` (primary: its death is the process's death).
    void startChannel(RefPtr<ClientTask> task, ipc::Socket socket, bool primary);

private:
    void serveChannel(RefPtr<ClientTask> task, ipc::Socket socket, bool primary);
    void acceptOne(int listenFd);
    void onUserReferencesDestroyed(OSObject* object);
    void removeTask(ClientTask* task);

    std::filesystem::path socketPath_;
    std::mutex lock_;
    std::condition_variable threadsChanged_;
    std::vector<RefPtr<ClientTask>> tasks_;
    size_t liveThreads_ = 0;
    bool stopping_ = false;
};

}  // namespace openiokit::daemon
