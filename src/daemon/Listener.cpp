// Listener.cpp: single-instance socket set-up (see Listener.h).
#include "Listener.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace openiokit::daemon {

namespace {

std::string readPid(const std::filesystem::path& pidFile)
{
    std::ifstream in(pidFile);
    std::string pid;
    std::getline(in, pid);
    return pid.empty() ? "unknown" : pid;
}

}  // namespace

std::expected<Listener, std::string> Listener::open(const std::filesystem::path& socketPath,
                                                    const std::filesystem::path& pidFile)
{
    Listener listener;
    listener.socketPath_ = socketPath;
    listener.pidFile_ = pidFile;
    const std::string path = socketPath.string();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        return std::unexpected("the socket path " + path + " is longer than " +
                               std::to_string(sizeof(address.sun_path) - 1) + " bytes");
    }
    std::error_code ec;
    std::filesystem::create_directories(socketPath.parent_path(), ec);

    // The lock file decides who serves the path, even when two daemons start together.
    const std::string lockPath = path + ".lock";
    listener.lock_.reset(::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!listener.lock_.valid()) {
        return std::unexpected("cannot create " + lockPath + ": " + strerror(errno));
    }
    if (flock(listener.lock_.get(), LOCK_EX | LOCK_NB) != 0) {
        return std::unexpected("another iokitd (pid " + readPid(pidFile) + ") is already serving " + path);
    }
    // We hold the lock, so a socket file here was left by a daemon that died: replace it.
    if (::unlink(path.c_str()) == 0) {
        fprintf(stderr, "iokitd: replaced the stale socket %s\n", path.c_str());
    }

    listener.socket_.reset(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!listener.socket_.valid()) {
        return std::unexpected(std::string("cannot create a socket: ") + strerror(errno));
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::bind(listener.socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        return std::unexpected("cannot bind " + path + ": " + strerror(errno));
    }
    ::chmod(path.c_str(), 0666);
    if (::listen(listener.socket_.get(), 128) != 0) {
        return std::unexpected("cannot listen on " + path + ": " + strerror(errno));
    }
    std::ofstream(pidFile) << ::getpid() << "\n";
    return listener;
}

Listener::~Listener()
{
    close();
}

void Listener::close()
{
    if (socket_.valid()) {
        socket_.reset();
        ::unlink(socketPath_.c_str());
        ::unlink(pidFile_.c_str());
    }
}

}  // namespace openiokit::daemon
