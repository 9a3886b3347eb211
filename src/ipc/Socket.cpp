// Socket.cpp: record framing over SOCK_SEQPACKET, SCM_RIGHTS and SO_PEERCRED (see Socket.h).
#include "Socket.h"

#include "Codec.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace openiokit::ipc {

namespace {

// Stores `v` little-endian at `out` (no buffer, no allocation: this runs for every record).
template <typename T>
void storeLittle(uint8_t* out, T v)
{
    for (size_t i = 0; i < sizeof(T); i++) {
        out[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

void encodeHeader(uint8_t (&out)[kHeaderSize], const Header& h)
{
    storeLittle(out + 0, h.magic);
    storeLittle(out + 4, h.version);
    storeLittle(out + 6, h.op);
    storeLittle(out + 8, h.requestID);
    storeLittle(out + 12, h.payloadLength);
    storeLittle(out + 16, h.flags);
}

Header decodeHeader(std::span<const uint8_t> in)
{
    Reader r(in.first(kHeaderSize));
    Header h;
    h.magic = r.u32();
    h.version = r.u16();
    h.op = r.u16();
    h.requestID = r.u32();
    h.payloadLength = r.u32();
    h.flags = r.u32();
    return h;
}

// A sealed memfd holding `payload`, for records above kMaxInlinePayload.
std::expected<Fd, int> outOfLine(std::span<const uint8_t> payload)
{
    Fd fd(memfd_create("openiokit-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (!fd.valid()) {
        return std::unexpected(errno);
    }
    size_t done = 0;
    while (done < payload.size()) {
        const ssize_t n = ::write(fd.get(), payload.data() + done, payload.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return std::unexpected(errno);
        }
        done += static_cast<size_t>(n);
    }
    fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    return fd;
}

ReceiveError corrupt(std::string reason)
{
    return ReceiveError{ReceiveStatus::Corrupt, std::move(reason)};
}

}  // namespace

std::expected<std::pair<Socket, Socket>, int> Socket::pair()
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        return std::unexpected(errno);
    }
    return std::pair{Socket(Fd(fds[0])), Socket(Fd(fds[1]))};
}

std::expected<Socket, int> Socket::connect(const std::string& path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        return std::unexpected(ENAMETOOLONG);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    Fd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return std::unexpected(errno);
    }
    while (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        if (errno != EINTR) {
            return std::unexpected(errno);
        }
    }
    return Socket(std::move(fd));
}

int Socket::send(uint16_t op, uint32_t requestID, std::span<const uint8_t> payload, std::span<const int> fds,
                 bool nonBlocking)
{
    if (fds.size() + 1 > kMaxFds || payload.size() > kMaxOutOfLinePayload) {
        return EMSGSIZE;
    }
    Header h;
    h.op = op;
    h.requestID = requestID;
    h.payloadLength = static_cast<uint32_t>(payload.size());
    Fd ool;
    int allFds[kMaxFds];
    size_t fdCount = 0;
    if (payload.size() > kMaxInlinePayload) {
        auto made = outOfLine(payload);
        if (!made) {
            return made.error();
        }
        ool = std::move(*made);
        h.flags |= kFlagOutOfLine;
        allFds[fdCount++] = ool.get();
        payload = {};
    }
    for (int fd : fds) {
        allFds[fdCount++] = fd;
    }
    uint8_t header[kHeaderSize];
    encodeHeader(header, h);

    iovec iov[2] = {{header, kHeaderSize}, {const_cast<uint8_t*>(payload.data()), payload.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = payload.empty() ? 1 : 2;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    if (fdCount > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fdCount);
        cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fdCount);
        std::memcpy(CMSG_DATA(cmsg), allFds, sizeof(int) * fdCount);
    }
    const int flags = MSG_NOSIGNAL | (nonBlocking ? MSG_DONTWAIT : 0);
    for (;;) {
        if (::sendmsg(fd_.get(), &msg, flags) >= 0) {
            return 0;
        }
        if (errno != EINTR) {
            return errno;
        }
    }
}

std::expected<Message, ReceiveError> Socket::receive(std::vector<uint8_t>& storage)
{
    if (storage.size() < kMaxRecord) {
        storage.resize(kMaxRecord);
    }
    iovec iov{storage.data(), kMaxRecord};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n;
    do {
        n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return std::unexpected(ReceiveError{ReceiveStatus::WouldBlock, "no record waiting"});
        }
        if (errno == ECONNRESET) {
            return std::unexpected(ReceiveError{ReceiveStatus::Closed, "connection reset"});
        }
        return std::unexpected(ReceiveError{ReceiveStatus::Closed, std::string("recvmsg failed: ") + strerror(errno)});
    }
    // Collect the rights first, so every error path below closes them.
    Message out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int fd;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                out.fds.emplace_back(fd);
            }
        }
    }
    if (n == 0) {
        return std::unexpected(ReceiveError{ReceiveStatus::Closed, "peer closed the connection"});
    }
    if (msg.msg_flags & MSG_TRUNC) {
        return std::unexpected(corrupt("record longer than " + std::to_string(kMaxRecord) + " bytes"));
    }
    if (msg.msg_flags & MSG_CTRUNC) {
        return std::unexpected(corrupt("more than " + std::to_string(kMaxFds) + " descriptors attached"));
    }
    if (static_cast<size_t>(n) < kHeaderSize) {
        return std::unexpected(corrupt("truncated record of " + std::to_string(n) + " bytes (header is " +
                                       std::to_string(kHeaderSize) + ")"));
    }
    out.header = decodeHeader({storage.data(), static_cast<size_t>(n)});
    const Header& h = out.header;
    if (h.magic != kMagic) {
        return std::unexpected(corrupt("bad magic number; not an OpenIOKit record"));
    }
    if (h.version != kVersion) {
        return std::unexpected(corrupt("protocol version " + std::to_string(h.version) + " is not supported (this is " +
                                       std::to_string(kVersion) + ")"));
    }
    if (h.flags & ~kKnownFlags) {
        return std::unexpected(corrupt("unknown header flags"));
    }
    const size_t inlineLength = static_cast<size_t>(n) - kHeaderSize;
    if (!(h.flags & kFlagOutOfLine)) {
        if (h.payloadLength != inlineLength) {
            return std::unexpected(corrupt("payload length field " + std::to_string(h.payloadLength) +
                                           " does not match the " + std::to_string(inlineLength) + " bytes received"));
        }
        out.payload = {storage.data() + kHeaderSize, inlineLength};
        return out;
    }
    // Out of line: the first descriptor is a memfd of exactly payloadLength bytes.
    if (inlineLength != 0 || out.fds.empty()) {
        return std::unexpected(corrupt("out-of-line record without its memfd"));
    }
    if (h.payloadLength > kMaxOutOfLinePayload) {
        return std::unexpected(corrupt("out-of-line payload above the " + std::to_string(kMaxOutOfLinePayload) +
                                       "-byte cap"));
    }
    Fd ool = std::move(out.fds.front());
    out.fds.erase(out.fds.begin());
    struct stat st{};
    if (fstat(ool.get(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != h.payloadLength) {
        return std::unexpected(corrupt("out-of-line memfd does not hold the announced length"));
    }
    storage.resize(kHeaderSize + h.payloadLength);
    size_t done = 0;
    while (done < h.payloadLength) {
        const ssize_t r = ::pread(ool.get(), storage.data() + kHeaderSize + done, h.payloadLength - done,
                                  static_cast<off_t>(done));
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            return std::unexpected(corrupt("out-of-line memfd could not be read"));
        }
        done += static_cast<size_t>(r);
    }
    out.payload = {storage.data() + kHeaderSize, h.payloadLength};
    return out;
}

std::expected<PeerCredentials, int> Socket::peerCredentials() const
{
    ucred cred{};
    socklen_t length = sizeof(cred);
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) {
        return std::unexpected(errno);
    }
    return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

void Socket::shutdown()
{
    if (fd_.valid()) {
        ::shutdown(fd_.get(), SHUT_RDWR);
    }
}

}  // namespace openiokit::ipc
