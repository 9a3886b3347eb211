// NotificationPort.h: the daemon's end of an IONotificationPort. The client made a socket pair
// and gave us one end (PortCreate); everything the kernel sends to the port (async completions,
// matching pings, interest messages) is written there as one record per Mach message.
//
// The queue is the socket's buffer: a client that never reads fills it and further messages
// are dropped (MACH_SEND_TIMED_OUT for kIOUserNotifyOptionCanDrop senders, MACH_SEND_NO_BUFFER
// otherwise, logged once per port), so the daemon's memory does not grow.
#pragma once

#include <IOKit/IOTypes.h>
#include <openiokit/Task.h>

#include "Socket.h"

#include <atomic>

namespace openiokit::daemon {

class NotificationPort {
public:
    NotificationPort(task* receiver, mach_port_name_t name, ipc::Socket socket);
    ~NotificationPort();
    NotificationPort(const NotificationPort&) = delete;
    NotificationPort& operator=(const NotificationPort&) = delete;

    // The kernel's ipc_port for this receive right (borrowed; retain to keep).
    ipc_port* port() const { return port_.get(); }
    mach_port_name_t name() const { return name_; }

    kern_return_t send(const PortMessage& message, IOOptionBits options);

private:
    RefPtr<ipc_port> port_;
    mach_port_name_t name_;
    ipc::Socket socket_;
    std::atomic<bool> overflowLogged_{false};
};

}  // namespace openiokit::daemon
