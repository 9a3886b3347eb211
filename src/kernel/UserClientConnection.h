// The kernel entry points behind a user-space connection: what the daemon calls for each IPC
// request on a service or connect handle, reproducing xnu's MIG server routines
// (is_io_service_open_extended, is_io_service_close, is_io_connect_method,
// is_io_connect_set_notification_port_64, is_io_connect_get_service) and its port callbacks
// (iokit_client_died on no-senders, destroyUserReferences on termination).
//
// Reference protocol: openConnection hands back one reference on the client; it stands for the
// connect port and the caller (the daemon's handle table) releases it once the connection is
// gone — after connectionDied, or after the destroyed-references handler fired for the client.
// Every other call borrows: the caller must hold a reference for its duration.
//
// Return values are what the user-space caller sees. Once termination destroyed a connection
// (iokit-semantics.md §3.7) calls on it fail with MACH_SEND_INVALID_DEST, the error Mach gives
// for a dead port; the daemon turns the user's handles into dead names when the handler runs.
#pragma once

#include <IOKit/IOUserClient.h>

#include <functional>

namespace openiokit {

// IOServiceOpen. `type` is the connect type passed to newUserClient. On success `*client` is a
// retained, opened user client: IOUserClientCreator = "pid <n>, <name>", owned by `owningTask`,
// with its terminate-defer bit cleared. On failure the half-made client got clientClose() and
// was released. Codes: kIOReturnBadArgument (no service, task or out pointer), whatever
// newUserClient returned, kIOReturnError (success without a client), kIOReturnNotPrivileged
// (IOUserClientEntitlements names one the task lacks).
IOReturn openConnection(IOService* service, task_t owningTask, uint32_t type, IOUserClient** client);

// IOServiceClose. The first close runs clientClose() under the client's write lock, inside
// ipcEnter/ipcExit, after waiting for external methods in flight; later closes are logged and
// ignored (shared instances close every time). kIOReturnSuccess whatever clientClose returns.
IOReturn closeConnection(IOUserClient* client);

// IOConnectCallMethod & co, once the IPC layer has built `arguments` (version 2, scalars and
// structures in place): externalMethod under the client's default locking — concurrent calls
// share the read lock; close and death take the write lock and wait for them.
IOReturn callMethod(IOUserClient* client, uint32_t selector, IOExternalMethodArguments* arguments);

// IOConnectSetNotificationPort: registerNotificationPort under the write lock. The port
// reference passes to the client (released by releaseNotificationPort).
IOReturn setNotificationPort(IOUserClient* client, uint32_t type, mach_port_t port, io_user_reference_t reference);

// IOConnectGetService: the client's getService(), retained, or kIOReturnUnsupported.
IOReturn copyService(IOUserClient* client, IOService** service);

// No more senders on the connect port (the last user handle went away, e.g. the process exited
// without IOServiceClose): clientDied() under the write lock, unless termination destroyed the
// connection first. Runs at most once; returns clientDied's result, or kIOReturnNotReady.
IOReturn connectionDied(IOUserClient* client);

// Called (on the terminating thread) for every object whose user references were destroyed,
// so the daemon can turn the user's handles to it into dead names. Set once by the daemon;
// the default does nothing.
using UserReferencesDestroyedHandler = std::function<void(OSObject* object)>;
void setUserReferencesDestroyedHandler(UserReferencesDestroyedHandler handler);
void notifyUserReferencesDestroyed(OSObject* object);

}  // namespace openiokit
