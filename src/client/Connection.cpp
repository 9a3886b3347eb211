// Connection.cpp: the process's primary connection and the per-thread channels (see the header).
#include "Connection.h"

#include <IOKit/OpenIOKit.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <pthread.h>

namespace openiokit::client {

namespace {

struct Process {
    std::mutex lock;
    ipc::Socket primary;
    std::vector<uint8_t> storage;
    // Bumped when the primary connection is replaced (fork, daemon gone): thread channels made
    // for an older one are dropped.
    std::atomic<uint64_t> generation{1};
};

Process& process()
{
    static Process* p = [] {
        auto* made = new Process;  // never destroyed: threads may call until exit
        pthread_atfork([] { process().lock.lock(); }, [] { process().lock.unlock(); },
                       [] {
                           Process& self = process();
                           self.lock.unlock();
                           // Close the parent's descriptor copies without shutting them down.
                           self.primary.release();
                           self.generation.fetch_add(1);
                       });
        return made;
    }();
    return *p;
}

struct ThreadChannel {
    ipc::Socket socket;
    uint64_t generation = 0;
    uint32_t nextRequestID = 1;
    std::vector<uint8_t> request;
    std::vector<uint8_t> storage;
};

thread_local ThreadChannel tChannel;

// Sends `op` on the primary connection and waits for its reply (process lock held).
IOReturn primaryRequestLocked(Process& p, ipc::Op op, std::span<const uint8_t> payload, std::span<const int> fds)
{
    if (p.primary.send(static_cast<uint16_t>(op), 0, payload, fds) != 0) {
        return MACH_SEND_INVALID_DEST;
    }
    auto reply = p.primary.receive(p.storage);
    if (!reply || reply->header.op != (static_cast<uint16_t>(op) | ipc::kReplyBit)) {
        return MACH_SEND_INVALID_DEST;
    }
    ipc::Reader r(reply->payload);
    const IOReturn result = r.i32();
    return r.ok() ? result : kIOReturnIPCError;
}

// The primary connection, opened if needed (process lock held).
bool ensurePrimaryLocked(Process& p)
{
    if (p.primary.valid()) {
        return true;
    }
    auto socket = ipc::Socket::connect(socketPath());
    if (!socket) {
        return false;
    }
    p.primary = std::move(*socket);
    std::vector<uint8_t> hello;
    ipc::Writer(hello).u32(ipc::kVersion);
    if (primaryRequestLocked(p, ipc::Op::Hello, hello, {}) != kIOReturnSuccess) {
        p.primary = ipc::Socket();
        return false;
    }
    return true;
}

// The calling thread's channel, made if needed; false if iokitd cannot be reached.
bool ensureChannel()
{
    Process& p = process();
    const uint64_t generation = p.generation.load();
    if (tChannel.socket.valid() && tChannel.generation == generation) {
        return true;
    }
    tChannel.socket.release();  // a channel of an older connection (or of the parent process)
    std::lock_guard guard(p.lock);
    if (!ensurePrimaryLocked(p)) {
        return false;
    }
    auto pair = ipc::Socket::pair();
    if (!pair) {
        return false;
    }
    const int theirs = pair->second.fd();
    if (primaryRequestLocked(p, ipc::Op::AttachChannel, {}, std::span<const int>(&theirs, 1)) != kIOReturnSuccess) {
        return false;
    }
    tChannel.socket = std::move(pair->first);
    tChannel.generation = p.generation.load();
    return true;
}

// The daemon went away (or spoke nonsense): forget the connection so the next call reconnects.
void dropConnection()
{
    tChannel.socket = ipc::Socket();
    Process& p = process();
    std::lock_guard guard(p.lock);
    if (p.primary.valid()) {
        p.primary = ipc::Socket();
        p.generation.fetch_add(1);
    }
}

}  // namespace

const char* socketPath()
{
    // Read each time the primary connection is made, so a process (a test) can point
    // IOKitLib at a daemon before its first call.
    const char* fromEnvironment = std::getenv(kOpenIOKitSocketEnvironment);
    return fromEnvironment && *fromEnvironment ? fromEnvironment : kOpenIOKitDefaultSocketPath;
}

namespace {
// The thread's request buffer, emptied; one that grew for a large structure gives its memory back.
std::vector<uint8_t>& freshRequestBuffer()
{
    if (tChannel.request.capacity() > ipc::kMaxRecord) {
        tChannel.request = {};
    }
    tChannel.request.clear();
    return tChannel.request;
}
}  // namespace

Call::Call(ipc::Op op) : op_(op), writer_(freshRequestBuffer()) {}

Reply Call::run()
{
    Reply reply;
    ThreadChannel& channel = tChannel;  // one TLS lookup (__tls_get_addr in a shared library)
    if (!ensureChannel()) {
        reply.result = MACH_SEND_INVALID_DEST;
        return reply;
    }
    const uint32_t id = channel.nextRequestID++;
    if (channel.socket.send(static_cast<uint16_t>(op_), id, channel.request, fds_) != 0) {
        // Nothing reached a daemon: the channel belonged to one that has gone (restarted since
        // the last call). Send once more on a fresh connection.
        dropConnection();
        if (!ensureChannel() || channel.socket.send(static_cast<uint16_t>(op_), id, channel.request, fds_) != 0) {
            dropConnection();
            reply.result = MACH_SEND_INVALID_DEST;
            return reply;
        }
    }
    if (channel.storage.size() > ipc::kMaxRecord) {  // the last reply was a large one
        channel.storage = {};
    }
    auto message = channel.socket.receive(channel.storage);
    if (!message || message->header.requestID != id ||
        message->header.op != (static_cast<uint16_t>(op_) | ipc::kReplyBit)) {
        dropConnection();
        reply.result = MACH_SEND_INVALID_DEST;
        return reply;
    }
    reply.fields = ipc::Reader(message->payload);
    reply.result = reply.fields.i32();
    reply.fds = std::move(message->fds);
    if (!reply.fields.ok()) {
        reply.result = kIOReturnIPCError;
    }
    return reply;
}

}  // namespace openiokit::client

extern "C" const char* OpenIOKitDaemonSocketPath(void)
{
    return openiokit::client::socketPath();
}
