// IOUserClient's private state (xnu keeps it in IOUserClient's XNU_KERNEL_PRIVATE ivars),
// shared by the files that implement IOUserClient and the connection entry points.
#pragma once

#include <IOKit/IOLocks.h>
#include <IOKit/IOUserClient.h>
#include <openiokit/Task.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

// What became of the connection (xnu: the IKOT_IOKIT_CONNECT port of the client).
// xnu makes the port when the open's reply is sent, so a client terminated while it is being
// created still gets a live connection (destroyUserReferences found no port to destroy).
enum class ConnectionState : uint8_t {
    Unopened,   // no open has returned it yet
    Live,       // user space can reach the client
    NoSenders,  // the last send right went away (connectionDied): clientDied ran or runs
    Destroyed,  // destroyUserReferences detached it (termination): no clientClose/clientDied
};

struct IOUserClientPrivateState {
    IOUserClientPrivateState() : lock(IORWLockAlloc(), &IORWLockFree) {}

    // The client's reader/writer lock: external methods read, close/death/notification-port
    // set-up write. Writer-preferring, so a waiting close holds back new calls.
    std::unique_ptr<IORWLock, void (*)(IORWLock*)> lock;

    // User IPC in flight (xnu __ipc).
    std::atomic<int32_t> ipc{0};
    // Finalization was refused because `ipc` was not 0 (xnu __ipcFinal); guarded by
    // openiokit::userClientPortLock().
    bool ipcFinal = false;

    // First close latched (xnu `closed`), so clientClose runs once per non-shared client.
    std::atomic<bool> closed{false};
    std::atomic<ConnectionState> connection{ConnectionState::Unopened};

    // Set once by the first open; guarded by openiokit::userClientOwnersLock() while written.
    std::atomic<bool> sharedInstance{false};
    bool opened = false;
    std::atomic<bool> defaultLocking{false};
    std::atomic<bool> defaultLockingSingleThreadExternalMethod{false};
    std::atomic<bool> defaultLockingSetProperties{false};
    // reserve() ran (xnu: `reserved != NULL`).
    std::atomic<bool> reserved{false};

    // Tasks that opened this client (xnu `owners`), each holding a reference on its task;
    // guarded by openiokit::userClientOwnersLock().
    std::vector<openiokit::RefPtr<task>> owners;
};

namespace openiokit {

// xnu gIOObjectPortLock: orders ipcFinal against the last ipcExit.
std::mutex& userClientPortLock();
// xnu gIOUserClientOwnersLock: the owner records on both sides (client and task).
std::mutex& userClientOwnersLock();

// Process exit for `dying` (xnu iokit_task_terminate phase 2); UserClientConnection.cpp.
void terminateTaskUserClients(task* dying);

}  // namespace openiokit
