// openiokit/Task.h: the kernel's view of a client process (`struct task`, task_t) and of a
// port it receives on (`struct ipc_port`, the kernel's mach_port_t). OpenIOKit-internal API,
// not Apple's: kexts only ever see the opaque task_t and mach_port_t.
//
// Both are abstract owners so that the IOUserClient machinery can be tested without IPC: the
// daemon implements one `task` per connected client process (delivering messages over its
// socket); tests implement fakes that record what they receive.
//
// - A task has a uid (the Mach security token clientHasPrivilege reads), a pid and a name
//   (IOUserClientCreator = "pid <n>, <name>"), optional entitlements, and receives messages.
// - An ipc_port is a receive right named `name` in one task. A kernel holder of a send right to
//   it (an async reference, a notification port) owns one reference; sending to a port whose
//   task has died fails with MACH_SEND_INVALID_DEST, as Mach does.
// - taskDied() is the process-exit hook: xnu's iokit_task_terminate (phase 2), which calls
//   clientDied() on user clients the task owned and had not closed.
#pragma once

#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <IOKit/OSMessageNotification.h>
#include <mach/kern_return.h>
#include <mach/mach_types.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

class IOUserClient;
class OSObject;

namespace openiokit {

// One message to a port: the Mach message id and the bytes that follow the mach_msg_header_t,
// laid out exactly as xnu sends them (e.g. OSNotificationHeader64 + IOAsyncCompletionContent +
// arguments for an async completion).
struct PortMessage {
    uint32_t msgID = 0;
    std::vector<uint8_t> body;
};

// A strong reference to a task or port (anything with retain()/release()).
template <typename T>
class RefPtr {
public:
    RefPtr() = default;
    static RefPtr adopt(T* object) { return RefPtr(object); }
    static RefPtr retain(T* object)
    {
        if (object) {
            object->retain();
        }
        return RefPtr(object);
    }
    RefPtr(const RefPtr& other) : object_(other.object_)
    {
        if (object_) {
            object_->retain();
        }
    }
    RefPtr(RefPtr&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
    RefPtr& operator=(RefPtr other) noexcept
    {
        std::swap(object_, other.object_);
        return *this;
    }
    ~RefPtr()
    {
        if (object_) {
            object_->release();
        }
    }
    T* get() const { return object_; }
    T* operator->() const { return object_; }
    explicit operator bool() const { return object_ != nullptr; }
    // Gives the reference to the caller.
    T* leak() { return std::exchange(object_, nullptr); }

private:
    explicit RefPtr(T* object) : object_(object) {}
    T* object_ = nullptr;
};

}  // namespace openiokit

struct ipc_port;

struct task {
public:
    task(const task&) = delete;
    task& operator=(const task&) = delete;

    void retain() const;
    void release() const;

    // The uid of the task's security token (clientHasPrivilege "root" means uid 0).
    virtual uid_t uid() const = 0;
    virtual pid_t pid() const = 0;
    // The process name, as IOCopyLogNameForPID would report it.
    virtual std::string name() const = 0;
    // Every client process is LP64 (async references get kIOUCAsync64Flag).
    virtual bool is64Bit() const { return true; }
    // The audit session id clientHasPrivilege("consolesession") compares with the console
    // user's; UINT32_MAX = no session.
    virtual uint32_t auditSessionID() const { return UINT32_MAX; }
    // The value of an entitlement (a +1 reference), or NULL. Default: none, as an unsigned
    // process has.
    virtual OSObject* copyEntitlement(const char* /*entitlement*/) const { return nullptr; }

    // Queues `message` for `port`, a receive right of this task. Returns KERN_SUCCESS or the
    // send error Mach would report (MACH_SEND_INVALID_DEST when the port or task is gone).
    // `options` may hold kIOUserNotifyOptionCanDrop: fail rather than queue without bound.
    // Called on arbitrary kernel threads, never with IOUserClient locks held by the caller.
    virtual kern_return_t deliverMessage(ipc_port* port, const openiokit::PortMessage& message,
                                         IOOptionBits options) = 0;

    // Process exit: after this, no message reaches the task's ports, and every user client the
    // task alone owned that was not closed gets clientDied() (xnu iokit_task_terminate).
    // Idempotent.
    void taskDied();
    bool isDead() const { return dead_.load(std::memory_order_acquire); }

    // OpenIOKit-internal: the user clients this task opened (xnu task_io_user_clients).
    // Guarded by the global user-client owners lock; see IOUserClient::registerOwner.
    std::vector<IOUserClient*>& ownedUserClientsLocked() { return ownedUserClients_; }

protected:
    task() = default;  // one reference, owned by the creator
    virtual ~task();

private:
    mutable std::atomic<int> references_{1};
    std::atomic<bool> dead_{false};
    std::vector<IOUserClient*> ownedUserClients_;
};

struct ipc_port {
public:
    // A new receive right named `name` in `receiver` (which it keeps a reference on). The
    // caller owns the one reference returned.
    static ipc_port* make(task* receiver, mach_port_name_t name);
    // `port` with a new reference if it is a live ipc_port, else NULL: protects the kernel from
    // a stale or truncated pointer found in an async reference.
    static ipc_port* copyValid(const void* port);

    ipc_port(const ipc_port&) = delete;
    ipc_port& operator=(const ipc_port&) = delete;

    void retain() const;
    void release() const;

    task* receiver() const { return receiver_.get(); }
    mach_port_name_t name() const { return name_; }

    // Sends to the receiver: MACH_SEND_INVALID_DEST if it has died.
    kern_return_t send(const openiokit::PortMessage& message, IOOptionBits options);

private:
    ipc_port(task* receiver, mach_port_name_t name);
    ~ipc_port();

    mutable std::atomic<int> references_{1};
    openiokit::RefPtr<task> receiver_;
    mach_port_name_t name_;
};
