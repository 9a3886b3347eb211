// ClientTask.h: the kernel's `task` for one connected client process. Identity comes from the
// primary connection's SO_PEERCRED (uid = the security token clientHasPrivilege reads) and
// /proc/<pid>/comm; the handle table is the process's port name space; messages to its ports go
// to the notification sockets it handed over.
//
// Lifetime: the daemon's task list and every channel thread hold a reference. When the primary
// connection closes (exit, kill -9, or the process closed it), processDied() releases every
// name the process held — a connection's last name going away is its no-senders notification
// (clientDied, §3.3) — and then runs the kernel's task-exit path (taskDied).
#pragma once

#include "HandleTable.h"

#include <openiokit/Task.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace openiokit::daemon {

class ClientTask final : public task {
public:
    static RefPtr<ClientTask> make(uid_t uid, pid_t pid);

    uid_t uid() const override { return uid_; }
    pid_t pid() const override { return pid_; }
    std::string name() const override { return name_; }
    kern_return_t deliverMessage(ipc_port* port, const PortMessage& message, IOOptionBits options) override;

    HandleTable& handles() { return handles_; }

    // Drops one user reference on `name` and finishes the entry if it was the last.
    IOReturn releaseName(mach_port_name_t name);

    // Channels (sockets) serving this task, so shutdown can wake their threads.
    void addChannelFd(int fd);
    void removeChannelFd(int fd);
    void shutdownChannels();

    // The primary connection closed: release every name, then the kernel's task exit.
    void processDied();
    bool exited() const { return exited_.load(); }
    // A request that finished after processDied may have made new names: release them too.
    void sweepIfExited();

private:
    ClientTask(uid_t uid, pid_t pid, std::string name) : uid_(uid), pid_(pid), name_(std::move(name)) {}

    uid_t uid_;
    pid_t pid_;
    std::string name_;
    HandleTable handles_;
    std::mutex channelsLock_;
    std::vector<int> channelFds_;
    std::atomic<bool> exited_{false};
};

// What happens when a name's last user reference goes: a connection gets its no-senders
// notification (connectionDied), then every reference the entry held is dropped.
void finishEntry(HandleEntry entry);

}  // namespace openiokit::daemon
