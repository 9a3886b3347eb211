#include "UserIterator.h"

#include <IOKit/IORegistryEntry.h>

namespace openiokit::daemon {

IORegistryIterator* KernelIterator::registryIterator() const
{
    return OSDynamicCast(IORegistryIterator, iterator_.get());
}

OSSharedPtr<OSObject> KernelIterator::next()
{
    std::lock_guard guard(lock_);
    return OSSharedPtr<OSObject>(iterator_->getNextObject(), OSRetain);
}

void KernelIterator::reset()
{
    std::lock_guard guard(lock_);
    iterator_->reset();
}

bool KernelIterator::isValid()
{
    std::lock_guard guard(lock_);
    return iterator_->isValid();
}

IOReturn KernelIterator::enterEntry()
{
    std::lock_guard guard(lock_);
    IORegistryIterator* it = registryIterator();
    if (!it) {
        return kIOReturnBadArgument;
    }
    it->enterEntry();
    return kIOReturnSuccess;
}

IOReturn KernelIterator::exitEntry()
{
    std::lock_guard guard(lock_);
    IORegistryIterator* it = registryIterator();
    if (!it) {
        return kIOReturnBadArgument;
    }
    return it->exitEntry() ? kIOReturnSuccess : kIOReturnNoDevice;
}

}  // namespace openiokit::daemon
