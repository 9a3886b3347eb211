// Listener.h: the daemon's socket file. Only one iokitd may serve a path: a lock file beside
// the socket decides (a second daemon refuses with a message naming the running one); a socket
// file left by a crashed daemon is replaced. The socket is mode 0666 — every local user may
// connect, as every process may reach the kernel; privilege is decided per request from the
// caller's peer credentials.
#pragma once

#include "Fd.h"

#include <expected>
#include <filesystem>
#include <string>

namespace openiokit::daemon {

class Listener {
public:
    // Binds and listens on `socketPath`, writing `pidFile`. The error is one sentence.
    static std::expected<Listener, std::string> open(const std::filesystem::path& socketPath,
                                                     const std::filesystem::path& pidFile);
    Listener(Listener&&) = default;
    Listener& operator=(Listener&&) = default;
    ~Listener();

    int fd() const { return socket_.get(); }
    // Closes the socket and removes the socket and pid files.
    void close();

private:
    Listener() = default;
    std::filesystem::path socketPath_;
    std::filesystem::path pidFile_;
    ipc::Fd socket_;
    ipc::Fd lock_;
};

}  // namespace openiokit::daemon
