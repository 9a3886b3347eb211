// UserIterator.h: what an io_iterator_t names in the daemon. Kernel iterators (matching
// results, registry iterators) and matching notifications (IOServiceAddMatchingNotification,
// whose iterator yields the services the notification collected) share the interface.
#pragma once

#include <IOKit/IOReturn.h>
#include <libkern/c++/OSIterator.h>
#include <libkern/c++/OSSharedPtr.h>

#include <mutex>

class IORegistryIterator;

namespace openiokit::daemon {

class UserIterator {
public:
    virtual ~UserIterator() = default;
    // The next object (retained), or NULL at the end.
    virtual OSSharedPtr<OSObject> next() = 0;
    virtual void reset() = 0;
    virtual bool isValid() = 0;
    // IORegistryIteratorEnterEntry / ExitEntry: registry iterators only.
    virtual IOReturn enterEntry() { return kIOReturnBadArgument; }
    virtual IOReturn exitEntry() { return kIOReturnBadArgument; }
};

// A kernel OSIterator (OSCollectionIterator, IORegistryIterator ...), one caller at a time as
// the kernel's iterators are not thread-safe.
class KernelIterator final : public UserIterator {
public:
    explicit KernelIterator(OSSharedPtr<OSIterator> iterator) : iterator_(std::move(iterator)) {}
    OSSharedPtr<OSObject> next() override;
    void reset() override;
    bool isValid() override;
    IOReturn enterEntry() override;
    IOReturn exitEntry() override;

private:
    IORegistryIterator* registryIterator() const;
    std::mutex lock_;
    OSSharedPtr<OSIterator> iterator_;
};

}  // namespace openiokit::daemon
