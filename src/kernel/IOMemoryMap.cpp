// IOMemoryMap: a descriptor's range made visible in a task. In kernel_task the existing kernel
// address is reused (as xnu does for a compatible kIOMapAnywhere mapping of kernel memory), or,
// for kIOMapReadOnly over a memfd, a separate read-only mmap is made so writes through it fault.
// A mapping into another task only records the range: the daemon gives that process the pages
// (UserClientMemory.h), so the kernel knows no address for it.
#include <IOKit/IOLib.h>
#include <IOKit/IOMemoryDescriptor.h>
#include <openiokit/Task.h>

#include "HostPage.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

OSDefineMetaClassAndStructors(IOMemoryMap, OSObject);

IOMemoryMap* IOMemoryMap::makeMapping(IOMemoryDescriptor* memory, task_t intoTask, IOOptionBits options,
                                      mach_vm_size_t offset, mach_vm_size_t length)
{
    mach_vm_address_t address = 0;
    void* owned = nullptr;
    size_t ownedLength = 0;
    if (intoTask == kernel_task) {
        auto* base = static_cast<uint8_t*>(memory->kernelAddress());
        openiokit::SharedBacking backing;
        if ((options & kIOMapReadOnly) && memory->sharedBacking(&backing)) {
            // mmap wants a page-aligned file offset: map from the page holding the first byte.
            const uint64_t start = backing.offset + offset;
            const uint64_t pageStart = start & ~static_cast<uint64_t>(openiokit::hostPageSize() - 1);
            ownedLength = static_cast<size_t>(start - pageStart + length);
            owned = mmap(nullptr, ownedLength, PROT_READ, MAP_SHARED, backing.fd, static_cast<off_t>(pageStart));
            if (owned == MAP_FAILED) {
                IOLog("IOMemoryMap: read-only mapping of %llu bytes failed: %s\n",
                      static_cast<unsigned long long>(length), std::strerror(errno));
                return nullptr;
            }
            address = reinterpret_cast<mach_vm_address_t>(owned) + (start - pageStart);
        } else if (base) {
            address = reinterpret_cast<mach_vm_address_t>(base + offset);
        } else {
            IOLog("IOMemoryMap: %s has no kernel address to map\n", memory->getMetaClass()->getClassName());
            return nullptr;
        }
    } else if (!memory->sharedBacking(nullptr)) {
        IOLog("IOMemoryMap: %s cannot be mapped into another task (its pages are not shareable)\n",
              memory->getMetaClass()->getClassName());
        return nullptr;
    }

    auto* map = new IOMemoryMap;
    if (!map->init() || !(map->lock_ = IOLockAlloc())) {
        if (owned) {
            munmap(owned, ownedLength);
        }
        map->release();
        return nullptr;
    }
    memory->retain();
    intoTask->retain();
    map->memory_ = memory;
    map->task_ = intoTask;
    map->options_ = options;
    map->offset_ = offset;
    map->length_ = length;
    map->address_ = address;
    map->ownedMapping_ = owned;
    map->ownedMappingLength_ = ownedLength;
    return map;
}

IOVirtualAddress IOMemoryMap::getVirtualAddress(void)
{
    return getAddress();
}

mach_vm_address_t IOMemoryMap::getAddress()
{
    IOLockLock(lock_);
    const mach_vm_address_t address = address_;
    IOLockUnlock(lock_);
    return address;
}

mach_vm_size_t IOMemoryMap::getSize()
{
    return length_;
}

IOByteCount IOMemoryMap::getLength(void)
{
    return length_;
}

task_t IOMemoryMap::getAddressTask()
{
    return task_;
}

IOMemoryDescriptor* IOMemoryMap::getMemoryDescriptor()
{
    return memory_;
}

IOOptionBits IOMemoryMap::getMapOptions(void)
{
    return options_;
}

IOReturn IOMemoryMap::unmap()
{
    IOLockLock(lock_);
    void* owned = std::exchange(ownedMapping_, nullptr);
    address_ = 0;
    IOLockUnlock(lock_);
    if (owned) {
        munmap(owned, ownedMappingLength_);
    }
    return kIOReturnSuccess;
}

void IOMemoryMap::free()
{
    if (lock_) {
        unmap();
        IOLockFree(lock_);
        lock_ = nullptr;
    }
    if (memory_) {
        memory_->release();
        memory_ = nullptr;
    }
    if (task_) {
        task_->release();
        task_ = nullptr;
    }
    OSObject::free();
}
