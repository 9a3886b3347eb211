// Connection.h: IOKitLib's link to iokitd (docs/wire-protocol.md).
//
// One primary connection per process (opened lazily; its closing is the process's death for
// the daemon), and one channel per calling thread, made by handing the daemon one end of a
// socket pair over the primary. A call is then a send and a receive on the caller's own
// channel: no lock, no thread hop, and calls from different threads run concurrently in the
// daemon. After fork() the child starts afresh (Mach ports are not inherited either).
#pragma once

#include "Codec.h"
#include "Socket.h"
#include "Wire.h"

#include <IOKit/IOReturn.h>

#include <vector>

namespace openiokit::client {

// A reply: the IOReturn, then the fields (valid until the calling thread's next call).
struct Reply {
    IOReturn result = kIOReturnSuccess;
    ipc::Reader fields{{}};
    std::vector<ipc::Fd> fds;
    bool ok() const { return result == kIOReturnSuccess; }
};

// One request, encoded in the calling thread's buffer. Usage:
//   Call call(ipc::Op::IteratorNext); call.w().u32(iterator); Reply r = call.run();
class Call {
public:
    explicit Call(ipc::Op op);
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    ipc::Writer& w() { return writer_; }
    // A descriptor to attach (borrowed; the caller keeps it).
    void attach(int fd) { fds_.push_back(fd); }
    // Sends and waits for the reply. MACH_SEND_INVALID_DEST when iokitd cannot be reached or
    // went away; kIOReturnIPCError when its reply is malformed.
    Reply run();

private:
    ipc::Op op_;
    ipc::Writer writer_;
    std::vector<int> fds_;
};

// The socket path ($OPENIOKIT_SOCKET or the default).
const char* socketPath();

// True if a malformed reply field was seen: callers turn that into kIOReturnIPCError.
inline IOReturn decodeError(const Reply& reply)
{
    return reply.fields.ok() ? reply.result : kIOReturnIPCError;
}

}  // namespace openiokit::client
