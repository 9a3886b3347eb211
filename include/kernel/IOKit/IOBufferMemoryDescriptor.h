// <IOKit/IOBufferMemoryDescriptor.h>: a memory descriptor that owns its buffer (xnu
// iokit/IOKit/IOBufferMemoryDescriptor.h names, values and signatures).
//
// OpenIOKit: every buffer is a memfd of the capacity rounded up to whole pages, mapped
// MAP_SHARED into this process; getBytesNoCopy() is that mapping. The fd lets IOConnectMapMemory64
// give a client process the same pages, so kernel writes and client writes see each other.
// Physical contiguity, physical masks and purgeability have no meaning without DMA and are
// accepted and ignored; an alignment above the page size is refused (docs/kernel-extras.md).
#pragma once

#include <IOKit/IOMemoryDescriptor.h>

// Constants rather than Apple's anonymous enum, so that `kIODirectionInOut |
// kIOMemoryKernelUserShared` is not a C++20 deprecated enum-enum operation.
inline constexpr IOOptionBits kIOMemoryPhysicallyContiguous = 0x00000010;
inline constexpr IOOptionBits kIOMemoryPageable = 0x00000020;
inline constexpr IOOptionBits kIOMemoryPurgeable = 0x00000040;
inline constexpr IOOptionBits kIOMemoryHostPhysicallyContiguous = 0x00000080;
inline constexpr IOOptionBits kIOMemorySharingTypeMask = 0x000f0000;
inline constexpr IOOptionBits kIOMemoryUnshared = 0x00000000;
inline constexpr IOOptionBits kIOMemoryKernelUserShared = 0x00010000;
// IOMemoryDescriptor options a buffer descriptor shares:
inline constexpr IOOptionBits kIOBufferDescriptorMemoryFlags =
    kIOMemoryDirectionMask | kIOMemoryThreadSafe | kIOMemoryClearEncrypt | kIOMemoryMapperNone | kIOMemoryUseReserve;

#define _IOBUFFERMEMORYDESCRIPTOR_INTASKWITHOPTIONS_ 1
#define _IOBUFFERMEMORYDESCRIPTOR_HOSTPHYSICALLYCONTIGUOUS_ 1

class IOBufferMemoryDescriptor : public IOGeneralMemoryDescriptor {
    OSDeclareDefaultStructors(IOBufferMemoryDescriptor);

public:
    // A buffer of `capacity` bytes (length = capacity) for `inTask`. kernel_task or a client
    // task: either way the pages are mapped here and shareable (see the top of the file).
    // NULL, with a log line, for zero capacity, an alignment above the page size, or when the
    // memfd cannot be made.
    static OSPtr<IOBufferMemoryDescriptor> inTaskWithOptions(task_t inTask, IOOptionBits options,
                                                             vm_size_t capacity, vm_offset_t alignment = 1);
    static OSPtr<IOBufferMemoryDescriptor> inTaskWithOptions(task_t inTask, IOOptionBits options,
                                                             vm_size_t capacity, vm_offset_t alignment,
                                                             uint32_t kernTag, uint32_t userTag);
    // `physicalMask` only sets the alignment (its lowest set bit), as xnu derives it.
    static OSPtr<IOBufferMemoryDescriptor> inTaskWithPhysicalMask(task_t inTask, IOOptionBits options,
                                                                  mach_vm_size_t capacity,
                                                                  mach_vm_address_t physicalMask);
    static OSPtr<IOBufferMemoryDescriptor> withOptions(IOOptionBits options, vm_size_t capacity,
                                                       vm_offset_t alignment = 1);
    static OSPtr<IOBufferMemoryDescriptor> withCapacity(vm_size_t capacity, IODirection withDirection,
                                                        bool withContiguousMemory = false);
    // A buffer holding a copy of `bytes`.
    static OSPtr<IOBufferMemoryDescriptor> withBytes(const void *bytes, vm_size_t withLength,
                                                     IODirection withDirection, bool withContiguousMemory = false);

    virtual bool initWithPhysicalMask(task_t inTask, IOOptionBits options, mach_vm_size_t capacity,
                                      mach_vm_address_t alignment, mach_vm_address_t physicalMask);

    // The descriptor's length; capped at the capacity (a larger value is logged and capped).
    virtual void setLength(vm_size_t length);
    virtual void setDirection(IODirection direction);
    virtual vm_size_t getCapacity() const;
    virtual void *getBytesNoCopy();
    // The address of byte `start`, or NULL if [start, start + withLength) is not inside the
    // current length.
    virtual void *getBytesNoCopy(vm_size_t start, vm_size_t withLength);
    // Copies as much of `bytes` as fits between the length and the capacity, and grows the
    // length by that much. Always true, as xnu's.
    virtual bool appendBytes(const void *bytes, vm_size_t withLength);

    bool sharedBacking(openiokit::SharedBacking *backing) const APPLE_KEXT_OVERRIDE;

protected:
    void free() APPLE_KEXT_OVERRIDE;

    vm_size_t _capacity;

private:
    int memfd_;            // owned
    size_t mappedLength_;  // _capacity rounded up to pages (at least one)
};
