// DispatchNotifications.cpp: notification ports and notifications (the receive rights behind
// IONotificationPortCreate, is_io_service_add_interest_notification_64,
// is_io_service_add_notification_64).
#include "DaemonLog.h"
#include "Dispatcher.h"
#include "NotificationPort.h"
#include "UserNotifications.h"
#include "XMLBridge.h"

#include <IOKit/IOService.h>
#include <libkern/c++/OSContainers.h>

#include <sys/socket.h>

namespace openiokit::daemon {

namespace {

using ipc::Op;
constexpr size_t kMaxName = 128;
// The most bytes of messages a port queues for a client that does not read (the socket's send
// buffer; Linux doubles the value set).
constexpr int kPortQueueBytes = 64 * 1024;

bool isSeqPacketSocket(int fd)
{
    int type = 0;
    int domain = 0;
    socklen_t length = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0) {
        return false;
    }
    length = sizeof(domain);
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) {
        return false;
    }
    return type == SOCK_SEQPACKET && domain == AF_UNIX;
}

IOReturn portCreate(Request& r)
{
    if (r.fds.size() != 1) {
        daemonLog("PortCreate from pid %d: expected one socket descriptor, got %zu", r.task.pid(), r.fds.size());
        return kIOReturnBadArgument;
    }
    ipc::Fd fd = std::move(r.fds.front());
    r.fds.clear();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (!isSeqPacketSocket(fd.get())) {
        daemonLog("PortCreate from pid %d: the descriptor is not a SOCK_SEQPACKET Unix socket", r.task.pid());
        return kIOReturnBadArgument;
    }
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &kPortQueueBytes, sizeof(kPortQueueBytes));
    // The name is chosen first so the kernel port carries it.
    HandleTable& handles = r.task.handles();
    auto placeholder = std::shared_ptr<NotificationPort>();
    const mach_port_name_t name = handles.insertPort(placeholder);
    auto port = std::make_shared<NotificationPort>(&r.task, name, ipc::Socket(std::move(fd)));
    handles.replacePort(name, std::move(port));
    r.out.u32(name);
    return kIOReturnSuccess;
}

IOReturn portDestroy(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = r.task.handles().lookup(name, HandleKind::Port);
    if (!entry) {
        return entry.error();
    }
    return r.task.releaseName(name);
}

std::expected<RefPtr<ipc_port>, IOReturn> receivePort(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name, HandleKind::Port);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    return RefPtr<ipc_port>::retain(entry->port->port());
}

void readReference(Request& r, OSAsyncReference64 reference)
{
    for (uint32_t i = 0; i < ipc::kAsyncReferenceCount; i++) {
        reference[i] = r.in.u64();
    }
}

IOReturn addInterestNotification(Request& r)
{
    const mach_port_name_t portName = r.in.u32();
    const mach_port_name_t serviceName = r.in.u32();
    const std::string type = r.in.cstr(kMaxName);
    OSAsyncReference64 reference;
    readReference(r, reference);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto port = receivePort(r, portName);
    if (!port) {
        return port.error();
    }
    auto service = lookupService(r, serviceName);
    if (!service) {
        return service.error();
    }
    OSSharedPtr<const OSSymbol> symbol(OSSymbol::withCString(type.c_str()), OSNoRetain);
    auto notification = InterestNotification::make(service->get(), symbol.get(), port->get(), reference);
    if (!notification) {
        return notification.error();
    }
    r.out.u32(r.task.handles().insertInterest(std::move(*notification)));
    return kIOReturnSuccess;
}

IOReturn addMatchingNotification(Request& r)
{
    const mach_port_name_t portName = r.in.u32();
    const std::string type = r.in.cstr(kMaxName);
    const std::string_view xml = r.in.str(ipc::kMaxOutOfLinePayload);
    OSAsyncReference64 reference;
    readReference(r, reference);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto port = receivePort(r, portName);
    if (!port) {
        return port.error();
    }
    auto parsed = parseXML(xml);
    OSDictionary* matching = parsed ? OSDynamicCast(OSDictionary, parsed->get()) : nullptr;
    if (!matching) {
        daemonLog("AddMatchingNotification from pid %d: matching is not a dictionary%s%s", r.task.pid(),
                  parsed ? "" : ": ", parsed ? "" : parsed.error().c_str());
        return kIOReturnBadArgument;
    }
    OSSharedPtr<const OSSymbol> symbol(OSSymbol::withCString(type.c_str()), OSNoRetain);
    auto notification = MatchingNotification::make(symbol.get(), matching, port->get(), reference);
    if (!notification) {
        return notification.error();
    }
    // Unarmed until the user drains the iterator, so no ping can need the name before this.
    std::shared_ptr<MatchingNotification> held = *notification;
    const mach_port_name_t name = r.task.handles().insertIterator(held);
    held->setName(name);
    r.out.u32(name);
    return kIOReturnSuccess;
}

}  // namespace

void registerNotificationHandlers(HandlerTable& t)
{
    auto set = [&](Op op, Handler h) { t[static_cast<uint16_t>(op)] = h; };
    set(Op::PortCreate, portCreate);
    set(Op::PortDestroy, portDestroy);
    set(Op::AddInterestNotification, addInterestNotification);
    set(Op::AddMatchingNotification, addMatchingNotification);
}

}  // namespace openiokit::daemon
