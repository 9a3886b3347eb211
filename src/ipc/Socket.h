// Socket.h: one end of an AF_UNIX SOCK_SEQPACKET connection carrying protocol records (see
// Wire.h). Owns its descriptor. send() frames a header and payload into one record, moving a
// large payload into a sealed memfd; receive() returns the header, the payload and any
// attached descriptors, or a one-sentence reason why the record is unusable.
#pragma once

#include "Fd.h"
#include "Wire.h"

#include <expected>
#include <span>
#include <string>
#include <sys/types.h>
#include <vector>

namespace openiokit::ipc {

struct Header {
    uint32_t magic = kMagic;
    uint16_t version = kVersion;
    uint16_t op = 0;
    uint32_t requestID = 0;
    uint32_t payloadLength = 0;
    uint32_t flags = 0;
};

// A received record. `payload` views `storage` (inline records) or the out-of-line copy.
struct Message {
    Header header;
    std::span<const uint8_t> payload;
    std::vector<Fd> fds;  // rights other than the out-of-line payload's memfd
};

enum class ReceiveStatus { Ok, Closed, Corrupt, WouldBlock };

struct ReceiveError {
    ReceiveStatus status;
    std::string reason;  // one sentence, for the kernel log
};

struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

class Socket {
public:
    Socket() = default;
    explicit Socket(Fd fd) : fd_(std::move(fd)) {}

    // A connected pair (for notification ports and per-thread channels).
    static std::expected<std::pair<Socket, Socket>, int> pair();
    // Connects to a listening socket at `path`; errno on failure.
    static std::expected<Socket, int> connect(const std::string& path);

    // Sends one record; `fds` are attached (SCM_RIGHTS) and stay owned by the caller.
    // Returns 0 or an errno. `nonBlocking` fails with EAGAIN instead of waiting for room.
    int send(uint16_t op, uint32_t requestID, std::span<const uint8_t> payload, std::span<const int> fds = {},
             bool nonBlocking = false);

    // Receives one record into `storage` (reused between calls).
    std::expected<Message, ReceiveError> receive(std::vector<uint8_t>& storage);

    std::expected<PeerCredentials, int> peerCredentials() const;

    int fd() const { return fd_.get(); }
    bool valid() const { return fd_.valid(); }
    void shutdown();
    Fd release() { return std::move(fd_); }

private:
    Fd fd_;
};

}  // namespace openiokit::ipc
