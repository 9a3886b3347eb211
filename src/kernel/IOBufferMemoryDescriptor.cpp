// IOBufferMemoryDescriptor: a memfd of whole pages, mapped MAP_SHARED here; the mapping is the
// buffer (see IOBufferMemoryDescriptor.h). Length and capacity as xnu's: the length starts at
// the capacity and setLength/appendBytes move it within it.
#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOLib.h>

#include "HostPage.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

OSDefineMetaClassAndStructors(IOBufferMemoryDescriptor, IOGeneralMemoryDescriptor);

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::inTaskWithOptions(task_t inTask, IOOptionBits options,
                                                                      vm_size_t capacity, vm_offset_t alignment)
{
    auto* me = new IOBufferMemoryDescriptor;
    if (!me->initWithPhysicalMask(inTask, options, capacity, alignment, 0)) {
        me->release();
        return nullptr;
    }
    return me;
}

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::inTaskWithOptions(task_t inTask, IOOptionBits options,
                                                                      vm_size_t capacity, vm_offset_t alignment,
                                                                      uint32_t kernTag, uint32_t userTag)
{
    // The VM tags only label memory for accounting tools; there is nothing to label here.
    return inTaskWithOptions(inTask, options, capacity, alignment);
}

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::inTaskWithPhysicalMask(task_t inTask, IOOptionBits options,
                                                                           mach_vm_size_t capacity,
                                                                           mach_vm_address_t physicalMask)
{
    auto* me = new IOBufferMemoryDescriptor;
    if (!me->initWithPhysicalMask(inTask, options, capacity, 0, physicalMask)) {
        me->release();
        return nullptr;
    }
    return me;
}

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::withOptions(IOOptionBits options, vm_size_t capacity,
                                                                vm_offset_t alignment)
{
    return inTaskWithOptions(kernel_task, options, capacity, alignment);
}

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::withCapacity(vm_size_t capacity, IODirection withDirection,
                                                                 bool withContiguousMemory)
{
    return inTaskWithOptions(kernel_task,
                             (withDirection & kIOMemoryDirectionMask) |
                                 (withContiguousMemory ? kIOMemoryPhysicallyContiguous : 0),
                             capacity, withContiguousMemory ? capacity : 1);
}

IOBufferMemoryDescriptor* IOBufferMemoryDescriptor::withBytes(const void* bytes, vm_size_t withLength,
                                                              IODirection withDirection, bool withContiguousMemory)
{
    if (!bytes && withLength) {
        return nullptr;
    }
    IOBufferMemoryDescriptor* me = withCapacity(withLength, withDirection, withContiguousMemory);
    if (me) {
        std::memcpy(me->getBytesNoCopy(), bytes, withLength);
    }
    return me;
}

bool IOBufferMemoryDescriptor::initWithPhysicalMask(task_t inTask, IOOptionBits options, mach_vm_size_t capacity,
                                                    mach_vm_address_t alignment, mach_vm_address_t physicalMask)
{
    memfd_ = -1;
    if (!inTask) {
        IOLog("IOBufferMemoryDescriptor: no task given\n");
        return false;
    }
    if (capacity == 0) {
        IOLog("IOBufferMemoryDescriptor: zero capacity\n");
        return false;
    }
    if (physicalMask && !alignment) {
        alignment = physicalMask & ~(physicalMask - 1);  // as xnu: the mask's lowest set bit
    }
    // A contiguous request's "alignment" is its size in xnu's withCapacity; only real alignment
    // beyond a page could not be honoured by mmap.
    if (!(options & kIOMemoryPhysicallyContiguous) && alignment > openiokit::hostPageSize()) {
        IOLog("IOBufferMemoryDescriptor: alignment %llu is above the page size %zu\n",
              static_cast<unsigned long long>(alignment), openiokit::hostPageSize());
        return false;
    }
    const size_t pages = (capacity + openiokit::hostPageSize() - 1) / openiokit::hostPageSize();
    const size_t mapped = pages * openiokit::hostPageSize();
    const int fd = memfd_create("IOBufferMemoryDescriptor", MFD_CLOEXEC);
    if (fd < 0) {
        IOLog("IOBufferMemoryDescriptor: memfd_create failed: %s\n", std::strerror(errno));
        return false;
    }
    if (ftruncate(fd, static_cast<off_t>(mapped)) != 0) {
        IOLog("IOBufferMemoryDescriptor: cannot size the buffer to %zu bytes: %s\n", mapped, std::strerror(errno));
        close(fd);
        return false;
    }
    void* address = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (address == MAP_FAILED) {
        IOLog("IOBufferMemoryDescriptor: cannot map %zu bytes: %s\n", mapped, std::strerror(errno));
        close(fd);
        return false;
    }
    const IOOptionBits direction = options & kIOMemoryDirectionMask;
    if (!IOGeneralMemoryDescriptor::initWithAddress(address, capacity, direction)) {
        munmap(address, mapped);
        close(fd);
        return false;
    }
    _flags = (options & kIOBufferDescriptorMemoryFlags) | kIOMemoryTypeVirtual | (options & kIOMemorySharingTypeMask);
    _capacity = capacity;
    memfd_ = fd;
    mappedLength_ = mapped;
    return true;
}

void IOBufferMemoryDescriptor::free()
{
    if (_address && mappedLength_) {
        munmap(_address, mappedLength_);
        _address = nullptr;
    }
    if (memfd_ >= 0) {
        close(memfd_);
        memfd_ = -1;
    }
    IOGeneralMemoryDescriptor::free();
}

void IOBufferMemoryDescriptor::setLength(vm_size_t length)
{
    if (length > _capacity) {
        IOLog("IOBufferMemoryDescriptor::setLength: %zu is above the capacity %zu; capped\n",
              static_cast<size_t>(length), static_cast<size_t>(_capacity));
        length = _capacity;
    }
    _length = length;
}

void IOBufferMemoryDescriptor::setDirection(IODirection direction)
{
    _flags = (_flags & ~kIOMemoryDirectionMask) | (direction & kIOMemoryDirectionMask);
}

vm_size_t IOBufferMemoryDescriptor::getCapacity() const
{
    return _capacity;
}

void* IOBufferMemoryDescriptor::getBytesNoCopy()
{
    return _address;
}

void* IOBufferMemoryDescriptor::getBytesNoCopy(vm_size_t start, vm_size_t withLength)
{
    if (start >= _length || withLength > _length - start) {
        return nullptr;
    }
    return static_cast<uint8_t*>(_address) + start;
}

bool IOBufferMemoryDescriptor::appendBytes(const void* bytes, vm_size_t withLength)
{
    const vm_size_t count = std::min<vm_size_t>(withLength, _capacity - _length);
    if (bytes && count) {
        std::memcpy(static_cast<uint8_t*>(_address) + _length, bytes, count);
    }
    _length += count;
    return true;
}

bool IOBufferMemoryDescriptor::sharedBacking(openiokit::SharedBacking* backing) const
{
    if (memfd_ < 0) {
        return false;
    }
    if (backing) {
        backing->fd = memfd_;
        backing->offset = 0;
    }
    return true;
}
