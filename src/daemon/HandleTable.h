// HandleTable.h: one process's names for kernel objects, as a Mach port name space is (xnu
// gives each task its own names; OpenIOKit's handles are the same idea over a socket).
//
// - A name stands for one (object, kind) pair: handing the same registry entry to a process
//   twice yields the same name with one more user reference, as a second send right to the
//   same port does in Mach. IOObjectRelease drops one user reference; at zero the name is gone.
// - Each name holds what it names: a retained OSObject, or a shared daemon-side object.
// - Termination turns names into dead names (destroyUserReferences, iokit-semantics.md §3.7):
//   calls on them fail with MACH_SEND_INVALID_DEST; releasing them still works.
// - Lookups fail in a fixed order: unknown or dead name (MACH_SEND_INVALID_DEST), then wrong
//   kind (kIOReturnBadArgument). Another process's number is simply unknown here.
#pragma once

#include <IOKit/IOReturn.h>
#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSSharedPtr.h>
#include <mach/port.h>

#include <expected>
#include <memory>
#include <optional>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace openiokit::daemon {

class UserIterator;
class InterestNotification;
class NotificationPort;

enum class HandleKind : uint8_t {
    Object,        // io_object_t / io_service_t / io_registry_entry_t: a registry object
    Connect,       // io_connect_t: holds the connection reference openConnection returned
    Iterator,      // io_iterator_t (also matching notifications)
    Notification,  // io_object_t from IOServiceAddInterestNotification
    Port,          // a notification port's receive right
    Dead,          // a dead name
};

struct HandleEntry {
    HandleKind kind = HandleKind::Dead;
    uint32_t userReferences = 0;
    OSSharedPtr<OSObject> object;                         // Object, Connect
    std::shared_ptr<UserIterator> iterator;               // Iterator
    std::shared_ptr<InterestNotification> interest;       // Notification
    std::shared_ptr<NotificationPort> port;               // Port
};

class HandleTable {
public:
    HandleTable() = default;
    HandleTable(const HandleTable&) = delete;
    HandleTable& operator=(const HandleTable&) = delete;

    // The name for `object` of `kind` (Object or Connect), with one more user reference. A new
    // name retains `object`.
    mach_port_name_t insertObject(OSObject* object, HandleKind kind);
    mach_port_name_t insertIterator(std::shared_ptr<UserIterator> iterator);
    mach_port_name_t insertInterest(std::shared_ptr<InterestNotification> notification);
    mach_port_name_t insertPort(std::shared_ptr<NotificationPort> port);
    // Sets the port a Port name stands for (the port is made once its name is known).
    void replacePort(mach_port_name_t name, std::shared_ptr<NotificationPort> port);

    // A copy of the entry (references included), or the lookup error.
    std::expected<HandleEntry, IOReturn> lookup(mach_port_name_t name) const;
    std::expected<HandleEntry, IOReturn> lookup(mach_port_name_t name, HandleKind kind) const;

    // One more user reference (IOObjectRetain).
    IOReturn retain(mach_port_name_t name);
    // One user reference less; when it was the last, the removed entry is returned so that the
    // caller finishes it (no-senders for a connection) outside the table's lock.
    std::expected<std::optional<HandleEntry>, IOReturn> release(mach_port_name_t name);

    // Every live Object/Connect name of `object` becomes a dead name. Returns the references
    // the names held, for the caller to drop outside the lock.
    std::vector<HandleEntry> markDead(OSObject* object);

    // Empties the table (process exit) and returns everything it held.
    std::vector<HandleEntry> takeAll();

    size_t size() const;

private:
    mach_port_name_t allocateNameLocked();
    mach_port_name_t insertLocked(HandleEntry entry);

    mutable std::mutex lock_;
    std::unordered_map<mach_port_name_t, HandleEntry> entries_;
    // (object, kind) -> name, for the same-object-same-name rule.
    std::unordered_map<const OSObject*, mach_port_name_t> objectNames_;
    std::unordered_map<const OSObject*, mach_port_name_t> connectNames_;
    uint32_t nextIndex_ = 1;
};

}  // namespace openiokit::daemon
