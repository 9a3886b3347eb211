// ClientTask.cpp: one client process as a kernel task (see the header).
#include "ClientTask.h"

#include "NotificationPort.h"
#include "UserClientConnection.h"
#include "UserIterator.h"
#include "UserNotifications.h"

#include <IOKit/IOUserClient.h>

#include <fstream>
#include <sys/socket.h>

namespace openiokit::daemon {

namespace {

std::string processName(pid_t pid)
{
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (!std::getline(comm, name) || name.empty()) {
        return "unknown";
    }
    return name;
}

}  // namespace

RefPtr<ClientTask> ClientTask::make(uid_t uid, pid_t pid)
{
    return RefPtr<ClientTask>::adopt(new ClientTask(uid, pid, processName(pid)));
}

kern_return_t ClientTask::deliverMessage(ipc_port* port, const PortMessage& message, IOOptionBits options)
{
    if (!port) {
        return MACH_SEND_INVALID_DEST;
    }
    auto entry = handles_.lookup(port->name(), HandleKind::Port);
    if (!entry || entry->port->port() != port) {
        return MACH_SEND_INVALID_DEST;  // the receive right was destroyed
    }
    return entry->port->send(message, options);
}

IOReturn ClientTask::releaseName(mach_port_name_t name)
{
    auto released = handles_.release(name);
    if (!released) {
        return released.error();
    }
    if (*released) {
        finishEntry(std::move(**released));
    }
    return kIOReturnSuccess;
}

void finishEntry(HandleEntry entry)
{
    if (entry.kind == HandleKind::Connect) {
        if (auto* client = OSDynamicCast(IOUserClient, entry.object.get())) {
            openiokit::connectionDied(client);
        }
    }
    // The entry's references (object, iterator, notification, port) drop here.
}

void ClientTask::addChannelFd(int fd)
{
    std::lock_guard guard(channelsLock_);
    channelFds_.push_back(fd);
}

void ClientTask::removeChannelFd(int fd)
{
    std::lock_guard guard(channelsLock_);
    std::erase(channelFds_, fd);
}

void ClientTask::shutdownChannels()
{
    std::lock_guard guard(channelsLock_);
    for (int fd : channelFds_) {
        ::shutdown(fd, SHUT_RDWR);
    }
}

void ClientTask::processDied()
{
    exited_.store(true);
    shutdownChannels();
    for (HandleEntry& entry : handles_.takeAll()) {
        finishEntry(std::move(entry));
    }
    taskDied();
}

}  // namespace openiokit::daemon

namespace openiokit::daemon {

void ClientTask::sweepIfExited()
{
    if (!exited_.load()) {
        return;
    }
    for (HandleEntry& entry : handles_.takeAll()) {
        finishEntry(std::move(entry));
    }
}

}  // namespace openiokit::daemon
