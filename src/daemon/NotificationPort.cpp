// NotificationPort.cpp: kernel messages to a client's notification socket (see the header).
#include "NotificationPort.h"

#include "Codec.h"
#include "DaemonLog.h"

#include <IOKit/IOUserClient.h>

#include <cerrno>
#include <vector>

namespace openiokit::daemon {

namespace {
constexpr kern_return_t kMachSendTimedOut = 0x10000004;  // MACH_SEND_TIMED_OUT
constexpr kern_return_t kMachSendNoBuffer = 0x1000000d;  // MACH_SEND_NO_BUFFER
}  // namespace

NotificationPort::NotificationPort(task* receiver, mach_port_name_t name, ipc::Socket socket)
    : port_(RefPtr<ipc_port>::adopt(ipc_port::make(receiver, name))), name_(name), socket_(std::move(socket))
{
}

NotificationPort::~NotificationPort()
{
    socket_.shutdown();
}

kern_return_t NotificationPort::send(const PortMessage& message, IOOptionBits options)
{
    std::vector<uint8_t> payload;
    payload.reserve(4 + message.body.size());
    ipc::Writer(payload).u32(message.msgID).raw(message.body.data(), message.body.size());
    const int error = socket_.send(ipc::kPortMessageOp, name_, payload, {}, /*nonBlocking*/ true);
    if (error == 0) {
        return KERN_SUCCESS;
    }
    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) {
        if (options & kIOUserNotifyOptionCanDrop) {
            return kMachSendTimedOut;
        }
        if (!overflowLogged_.exchange(true)) {
            daemonLog("notification port 0x%x is full (the client does not read it); dropping messages", name_);
        }
        return kMachSendNoBuffer;
    }
    return MACH_SEND_INVALID_DEST;
}

}  // namespace openiokit::daemon
