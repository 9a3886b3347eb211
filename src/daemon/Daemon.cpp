// Daemon.cpp: accepting processes and serving their channels (see Daemon.h).
#include "Daemon.h"

#include "DaemonLog.h"
#include "Dispatcher.h"
#include "UserClientConnection.h"
#include "UserClientMemory.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <thread>

namespace openiokit::daemon {

namespace {
constexpr uint16_t op(ipc::Op o)
{
    return static_cast<uint16_t>(o);
}
}  // namespace

Daemon::Daemon(std::filesystem::path socketPath) : socketPath_(std::move(socketPath)) {}

Daemon::~Daemon()
{
    openiokit::setUserReferencesDestroyedHandler(nullptr);
}

void Daemon::installKernelHooks()
{
    openiokit::setUserReferencesDestroyedHandler([this](OSObject* object) { onUserReferencesDestroyed(object); });
}

void Daemon::onUserReferencesDestroyed(OSObject* object)
{
    std::vector<RefPtr<ClientTask>> tasks;
    {
        std::lock_guard guard(lock_);
        tasks = tasks_;
    }
    std::vector<HandleEntry> dropped;
    for (const auto& task : tasks) {
        auto entries = task->handles().markDead(object);
        std::move(entries.begin(), entries.end(), std::back_inserter(dropped));
    }
    // A destroyed connection gets neither clientClose nor clientDied (§3.7): the references
    // simply go, outside the tables' locks.
}

void Daemon::run(int listenFd, int signalFd)
{
    pollfd fds[2] = {{listenFd, POLLIN, 0}, {signalFd, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            daemonLog("poll failed: %s", strerror(errno));
            return;
        }
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(signalFd, &info, sizeof(info)) == sizeof(info)) {
                daemonLog("received signal %u; shutting down", info.ssi_signo);
            }
            return;
        }
        if (fds[0].revents & POLLIN) {
            acceptOne(listenFd);
        }
    }
}

void Daemon::acceptOne(int listenFd)
{
    ipc::Fd fd(::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            daemonLog("accept failed: %s", strerror(errno));
        }
        return;
    }
    ipc::Socket socket(std::move(fd));
    auto credentials = socket.peerCredentials();
    if (!credentials) {
        daemonLog("refusing a connection without peer credentials: %s", strerror(credentials.error()));
        return;
    }
    RefPtr<ClientTask> task = ClientTask::make(credentials->uid, credentials->pid);
    {
        std::lock_guard guard(lock_);
        if (stopping_) {
            return;
        }
        tasks_.push_back(task);
    }
    startChannel(std::move(task), std::move(socket), /*primary*/ true);
}

void Daemon::startChannel(RefPtr<ClientTask> task, ipc::Socket socket, bool primary)
{
    {
        std::lock_guard guard(lock_);
        liveThreads_++;
    }
    task->addChannelFd(socket.fd());
    std::thread([this, task = std::move(task), socket = std::move(socket), primary]() mutable {
        serveChannel(std::move(task), std::move(socket), primary);
        // The task and socket are gone by now: after this the thread touches nothing the
        // daemon owns, so stopServing may return and the Daemon be destroyed.
        std::lock_guard guard(lock_);
        liveThreads_--;
        threadsChanged_.notify_all();  // under the lock: the waiter may destroy it next
    }).detach();
}

void Daemon::serveChannel(RefPtr<ClientTask> task, ipc::Socket socket, bool primary)
{
    std::vector<uint8_t> storage;
    std::vector<uint8_t> reply;
    reply.reserve(8192);
    for (;;) {
        auto message = socket.receive(storage);
        if (!message) {
            if (message.error().status == ipc::ReceiveStatus::Corrupt) {
                daemonLog("closing the connection of pid %d (%s): %s", task->pid(), task->name().c_str(),
                          message.error().reason.c_str());
            }
            break;
        }
        const uint16_t requestOp = message->header.op;
        if (requestOp & ipc::kReplyBit || requestOp == ipc::kPortMessageOp) {
            daemonLog("closing the connection of pid %d (%s): it sent a reply or port message as a request",
                      task->pid(), task->name().c_str());
            break;
        }
        reply.clear();
        Request request{*this,
                        *task.get(),
                        requestOp,
                        ipc::Reader(message->payload),
                        message->fds,
                        ipc::Writer(reply),
                        {},
                        false};
        request.out.i32(0);  // the IOReturn, filled in below
        IOReturn result;
        if (requestOp == op(ipc::Op::Hello)) {
            const uint32_t version = request.in.u32();
            result = !request.decoded() ? kIOReturnBadArgument
                     : version != ipc::kVersion ? kIOReturnUnsupported
                                                : kIOReturnSuccess;
        } else if (requestOp == op(ipc::Op::AttachChannel)) {
            if (message->fds.size() == 1 && request.in.finished()) {
                ipc::Fd channel = std::move(message->fds.front());
                message->fds.clear();
                startChannel(task, ipc::Socket(std::move(channel)), false);
                result = kIOReturnSuccess;
            } else {
                result = kIOReturnBadArgument;
                request.decoded();
            }
        } else if (Handler handler = handlerFor(requestOp)) {
            result = handler(request);
        } else {
            daemonLog("pid %d (%s) sent unknown request %u", task->pid(), task->name().c_str(), requestOp);
            result = -303;  // MIG_BAD_ID, what a Mach server answers for an unknown routine
        }
        task->sweepIfExited();
        if (result != kIOReturnSuccess && !request.fieldsOnError) {
            reply.resize(4);
        }
        const uint32_t code = static_cast<uint32_t>(result);
        for (int i = 0; i < 4; i++) {
            reply[i] = static_cast<uint8_t>(code >> (8 * i));
        }
        std::vector<int> replyFds;
        for (const ipc::Fd& fd : request.outFds) {
            replyFds.push_back(fd.get());
        }
        if (socket.send(requestOp | ipc::kReplyBit, message->header.requestID, reply, replyFds) != 0) {
            break;  // the caller is gone; its death is handled by the primary channel
        }
        // An out-of-line request or reply (up to 64 MiB) must not pin its memory to this thread.
        if (storage.size() > ipc::kMaxRecord) {
            storage.resize(ipc::kMaxRecord);
            storage.shrink_to_fit();
        }
        if (reply.capacity() > ipc::kMaxRecord) {
            reply = {};
            reply.reserve(8192);
        }
    }
    task->removeChannelFd(socket.fd());
    if (primary) {
        task->processDied();
        openiokit::releaseTaskMappings(task.get());
        removeTask(task.get());
    }
    socket.shutdown();
}

void Daemon::removeTask(ClientTask* task)
{
    RefPtr<ClientTask> removed;
    std::lock_guard guard(lock_);
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
        if (it->get() == task) {
            removed = std::move(*it);
            tasks_.erase(it);
            break;
        }
    }
}

void Daemon::stopServing(std::chrono::milliseconds timeout)
{
    std::vector<RefPtr<ClientTask>> tasks;
    {
        std::lock_guard guard(lock_);
        stopping_ = true;
        tasks = tasks_;
    }
    for (const auto& task : tasks) {
        task->shutdownChannels();
    }
    std::unique_lock lock(lock_);
    if (!threadsChanged_.wait_for(lock, timeout, [&] { return liveThreads_ == 0; })) {
        daemonLog("%zu channel(s) still busy in a call after %lld ms; shutting down anyway", liveThreads_,
                  static_cast<long long>(timeout.count()));
    }
}

}  // namespace openiokit::daemon
