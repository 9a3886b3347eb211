// HandleTable.cpp: per-process names (see HandleTable.h).
#include "HandleTable.h"

#include <mach/kern_return.h>

#include <utility>

namespace openiokit::daemon {

namespace {

// Names look like Mach's: an index in the upper bits, a generation-like low byte, never 0 or
// MACH_PORT_DEAD. Indices are not reused until the 24-bit space wraps, so a stale name is
// almost always unknown rather than naming a newer object.
constexpr uint32_t kNameLowBits = 0x03;

}  // namespace

mach_port_name_t HandleTable::allocateNameLocked()
{
    for (;;) {
        const uint32_t index = nextIndex_++ & 0x00FFFFFF;
        if (index == 0) {
            continue;
        }
        const mach_port_name_t name = (index << 8) | kNameLowBits;
        if (!entries_.contains(name)) {
            return name;
        }
    }
}

mach_port_name_t HandleTable::insertLocked(HandleEntry entry)
{
    const mach_port_name_t name = allocateNameLocked();
    entry.userReferences = 1;
    entries_.emplace(name, std::move(entry));
    return name;
}

mach_port_name_t HandleTable::insertObject(OSObject* object, HandleKind kind)
{
    std::lock_guard guard(lock_);
    auto& index = kind == HandleKind::Connect ? connectNames_ : objectNames_;
    if (auto found = index.find(object); found != index.end()) {
        entries_.at(found->second).userReferences++;
        return found->second;
    }
    HandleEntry entry;
    entry.kind = kind;
    entry.object.reset(object, OSRetain);
    const mach_port_name_t name = insertLocked(std::move(entry));
    index.emplace(object, name);
    return name;
}

mach_port_name_t HandleTable::insertIterator(std::shared_ptr<UserIterator> iterator)
{
    std::lock_guard guard(lock_);
    HandleEntry entry;
    entry.kind = HandleKind::Iterator;
    entry.iterator = std::move(iterator);
    return insertLocked(std::move(entry));
}

mach_port_name_t HandleTable::insertInterest(std::shared_ptr<InterestNotification> notification)
{
    std::lock_guard guard(lock_);
    HandleEntry entry;
    entry.kind = HandleKind::Notification;
    entry.interest = std::move(notification);
    return insertLocked(std::move(entry));
}

mach_port_name_t HandleTable::insertPort(std::shared_ptr<NotificationPort> port)
{
    std::lock_guard guard(lock_);
    HandleEntry entry;
    entry.kind = HandleKind::Port;
    entry.port = std::move(port);
    return insertLocked(std::move(entry));
}

void HandleTable::replacePort(mach_port_name_t name, std::shared_ptr<NotificationPort> port)
{
    std::shared_ptr<NotificationPort> old;
    std::lock_guard guard(lock_);
    auto found = entries_.find(name);
    if (found != entries_.end() && found->second.kind == HandleKind::Port) {
        old = std::exchange(found->second.port, std::move(port));
    }
}

std::expected<HandleEntry, IOReturn> HandleTable::lookup(mach_port_name_t name) const
{
    std::lock_guard guard(lock_);
    auto found = entries_.find(name);
    if (found == entries_.end() || found->second.kind == HandleKind::Dead ||
        (found->second.kind == HandleKind::Port && !found->second.port)) {
        return std::unexpected(MACH_SEND_INVALID_DEST);
    }
    return found->second;
}

std::expected<HandleEntry, IOReturn> HandleTable::lookup(mach_port_name_t name, HandleKind kind) const
{
    auto entry = lookup(name);
    if (entry && entry->kind != kind) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return entry;
}

IOReturn HandleTable::retain(mach_port_name_t name)
{
    std::lock_guard guard(lock_);
    auto found = entries_.find(name);
    if (found == entries_.end()) {
        return MACH_SEND_INVALID_DEST;
    }
    found->second.userReferences++;
    return kIOReturnSuccess;
}

std::expected<std::optional<HandleEntry>, IOReturn> HandleTable::release(mach_port_name_t name)
{
    std::lock_guard guard(lock_);
    auto found = entries_.find(name);
    if (found == entries_.end()) {
        return std::unexpected(MACH_SEND_INVALID_DEST);
    }
    if (--found->second.userReferences > 0) {
        return std::optional<HandleEntry>{};
    }
    HandleEntry entry = std::move(found->second);
    entries_.erase(found);
    if (entry.kind == HandleKind::Object) {
        objectNames_.erase(entry.object.get());
    } else if (entry.kind == HandleKind::Connect) {
        connectNames_.erase(entry.object.get());
    }
    return std::optional<HandleEntry>(std::move(entry));
}

std::vector<HandleEntry> HandleTable::markDead(OSObject* object)
{
    std::vector<HandleEntry> dropped;
    std::lock_guard guard(lock_);
    for (auto* index : {&objectNames_, &connectNames_}) {
        auto found = index->find(object);
        if (found == index->end()) {
            continue;
        }
        HandleEntry& entry = entries_.at(found->second);
        HandleEntry old;
        old.kind = entry.kind;
        old.object = std::move(entry.object);
        dropped.push_back(std::move(old));
        entry.kind = HandleKind::Dead;
        index->erase(found);
    }
    return dropped;
}

std::vector<HandleEntry> HandleTable::takeAll()
{
    std::vector<HandleEntry> all;
    std::lock_guard guard(lock_);
    all.reserve(entries_.size());
    for (auto& [name, entry] : entries_) {
        all.push_back(std::move(entry));
    }
    entries_.clear();
    objectNames_.clear();
    connectNames_.clear();
    return all;
}

size_t HandleTable::size() const
{
    std::lock_guard guard(lock_);
    return entries_.size();
}

}  // namespace openiokit::daemon
