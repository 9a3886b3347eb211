// struct task and struct ipc_port: reference counting, the live-port registry and process exit
// (see openiokit/Task.h).
#include <openiokit/Task.h>

#include "IOUserClientPrivate.h"

#include <mutex>
#include <unordered_set>

// --- task --------------------------------------------------------------------------------------

task::~task() = default;

void task::retain() const
{
    references_.fetch_add(1, std::memory_order_relaxed);
}

void task::release() const
{
    if (references_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        delete this;
    }
}

void task::taskDied()
{
    if (dead_.exchange(true, std::memory_order_acq_rel)) {
        return;
    }
    openiokit::terminateTaskUserClients(this);
}

// --- ipc_port ----------------------------------------------------------------------------------

namespace {

// Every live ipc_port, so that a pointer recovered from an async reference can be checked
// before use (a 32-bit reference truncates it; a driver may keep one past its release).
struct PortRegistry {
    std::mutex lock;
    std::unordered_set<const ipc_port*> live;

    static PortRegistry& shared()
    {
        static PortRegistry registry;
        return registry;
    }
};

}  // namespace

ipc_port::ipc_port(task* receiver, mach_port_name_t name)
    : receiver_(openiokit::RefPtr<task>::retain(receiver)), name_(name)
{
}

ipc_port::~ipc_port() = default;

ipc_port* ipc_port::make(task* receiver, mach_port_name_t name)
{
    if (!receiver) {
        return nullptr;
    }
    auto* port = new ipc_port(receiver, name);
    PortRegistry& registry = PortRegistry::shared();
    std::lock_guard guard(registry.lock);
    registry.live.insert(port);
    return port;
}

ipc_port* ipc_port::copyValid(const void* candidate)
{
    PortRegistry& registry = PortRegistry::shared();
    std::lock_guard guard(registry.lock);
    auto found = registry.live.find(static_cast<const ipc_port*>(candidate));
    if (found == registry.live.end()) {
        return nullptr;
    }
    ipc_port* port = const_cast<ipc_port*>(*found);
    // Under the registry lock a live port's count is above zero: release() unregisters it
    // (under the same lock) before deleting.
    port->retain();
    return port;
}

void ipc_port::retain() const
{
    references_.fetch_add(1, std::memory_order_relaxed);
}

void ipc_port::release() const
{
    PortRegistry& registry = PortRegistry::shared();
    {
        std::lock_guard guard(registry.lock);
        if (references_.fetch_sub(1, std::memory_order_acq_rel) != 1) {
            return;
        }
        registry.live.erase(this);
    }
    delete this;
}

kern_return_t ipc_port::send(const openiokit::PortMessage& message, IOOptionBits options)
{
    if (receiver_->isDead()) {
        return MACH_SEND_INVALID_DEST;
    }
    return receiver_->deliverMessage(this, message, options);
}
