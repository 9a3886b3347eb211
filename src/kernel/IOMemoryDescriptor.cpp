// IOMemoryDescriptor and IOGeneralMemoryDescriptor: length, direction, copying in and out, the
// prepare/complete count and the mapping factory (xnu iokit/Kernel/IOMemoryDescriptor.cpp
// semantics; only virtual memory in this process exists here).
#include <IOKit/IOLib.h>
#include <IOKit/IOMemoryDescriptor.h>

#include <algorithm>
#include <cstring>

OSDefineMetaClassAndAbstractStructors(IOMemoryDescriptor, OSObject);
OSDefineMetaClassAndStructors(IOGeneralMemoryDescriptor, IOMemoryDescriptor);

// --- IOMemoryDescriptor --------------------------------------------------------------------------

bool IOMemoryDescriptor::initMemoryDescriptor(IOOptionBits flags, IOByteCount length)
{
    if (!OSObject::init()) {
        return false;
    }
    _flags = flags;
    _length = length;
    _tag = 0;
    _wireCount = 0;
    return true;
}

IODirection IOMemoryDescriptor::getDirection() const
{
    return _flags & kIOMemoryDirectionMask;
}

IOByteCount IOMemoryDescriptor::getLength() const
{
    return _length;
}

void IOMemoryDescriptor::setTag(IOOptionBits tag)
{
    _tag = tag;
}

IOOptionBits IOMemoryDescriptor::getTag(void)
{
    return _tag;
}

uint64_t IOMemoryDescriptor::getFlags(void)
{
    return _flags;
}

IOByteCount IOMemoryDescriptor::readBytes(IOByteCount offset, void* bytes, IOByteCount withLength)
{
    auto* base = static_cast<const uint8_t*>(kernelAddress());
    if (!base || !bytes || offset >= _length) {
        return 0;
    }
    const IOByteCount count = std::min<IOByteCount>(withLength, _length - offset);
    std::memcpy(bytes, base + offset, count);
    return count;
}

IOByteCount IOMemoryDescriptor::writeBytes(IOByteCount offset, const void* bytes, IOByteCount withLength)
{
    auto* base = static_cast<uint8_t*>(kernelAddress());
    if (!base || !bytes || offset >= _length) {
        return 0;
    }
    const IOByteCount count = std::min<IOByteCount>(withLength, _length - offset);
    std::memcpy(base + offset, bytes, count);
    return count;
}

IOReturn IOMemoryDescriptor::countPrepare()
{
    __atomic_fetch_add(&_wireCount, 1u, __ATOMIC_ACQ_REL);
    return kIOReturnSuccess;
}

IOReturn IOMemoryDescriptor::countComplete()
{
    uint32_t count = __atomic_load_n(&_wireCount, __ATOMIC_ACQUIRE);
    do {
        if (count == 0) {
            IOLog("IOMemoryDescriptor::complete: %s %p was not prepared\n", getMetaClass()->getClassName(), this);
            return kIOReturnNotReady;
        }
    } while (!__atomic_compare_exchange_n(&_wireCount, &count, count - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return kIOReturnSuccess;
}

bool IOMemoryDescriptor::sharedBacking(openiokit::SharedBacking*) const
{
    return false;
}

IOMemoryMap* IOMemoryDescriptor::createMappingInTask(task_t intoTask, mach_vm_address_t atAddress,
                                                     IOOptionBits options, mach_vm_size_t offset,
                                                     mach_vm_size_t length)
{
    if (!intoTask) {
        IOLog("IOMemoryDescriptor::createMappingInTask: no task\n");
        return nullptr;
    }
    if (!(options & kIOMapAnywhere) || atAddress != 0) {
        // Placing a mapping at a chosen address would clobber whatever lives there in the host.
        IOLog("IOMemoryDescriptor::createMappingInTask: fixed-address mappings are not supported "
              "(options 0x%x, address 0x%llx)\n",
              options, static_cast<unsigned long long>(atAddress));
        return nullptr;
    }
    if (length == 0) {
        length = offset < _length ? _length - offset : 0;
    }
    if (length == 0 || offset > _length || length > _length - offset) {
        IOLog("IOMemoryDescriptor::createMappingInTask: range [%llu, +%llu) is outside the descriptor's %llu bytes\n",
              static_cast<unsigned long long>(offset), static_cast<unsigned long long>(length),
              static_cast<unsigned long long>(_length));
        return nullptr;
    }
    return IOMemoryMap::makeMapping(this, intoTask, options, offset, length);
}

IOMemoryMap* IOMemoryDescriptor::map(IOOptionBits options)
{
    return createMappingInTask(kernel_task, 0, options | kIOMapAnywhere, 0, 0);
}

// --- withAddress / IOGeneralMemoryDescriptor ------------------------------------------------------

IOMemoryDescriptor* IOMemoryDescriptor::withAddress(void* address, IOByteCount withLength, IODirection withDirection)
{
    auto* me = new IOGeneralMemoryDescriptor;
    if (!me->initWithAddress(address, withLength, withDirection)) {
        me->release();
        return nullptr;
    }
    return me;
}

IOMemoryDescriptor* IOMemoryDescriptor::withAddressRange(mach_vm_address_t address, mach_vm_size_t length,
                                                         IOOptionBits options, task_t task)
{
    if (task != kernel_task) {
        IOLog("IOMemoryDescriptor::withAddressRange: only kernel_task memory can be described (task %p)\n", task);
        return nullptr;
    }
    return withAddress(reinterpret_cast<void*>(address), length, options & kIOMemoryDirectionMask);
}

bool IOGeneralMemoryDescriptor::initWithAddress(void* address, IOByteCount withLength, IODirection withDirection)
{
    if (!address || withLength == 0) {
        return false;
    }
    if (!initMemoryDescriptor((withDirection & kIOMemoryDirectionMask) | kIOMemoryTypeVirtual, withLength)) {
        return false;
    }
    _address = address;
    return true;
}

IOReturn IOGeneralMemoryDescriptor::prepare(IODirection)
{
    return countPrepare();
}

IOReturn IOGeneralMemoryDescriptor::complete(IODirection)
{
    return countComplete();
}

void* IOGeneralMemoryDescriptor::kernelAddress() const
{
    return _address;
}
