// <IOKit/IOMemoryDescriptor.h>: memory a driver hands to I/O or to a client process, with
// Apple's names, values and signatures (xnu iokit/IOKit/IOMemoryDescriptor.h), LP64 only.
//
// What is here: IOMemoryDescriptor (length, direction, tag, readBytes/writeBytes,
// prepare/complete, mapping), IOMemoryMap, and IOGeneralMemoryDescriptor for existing kernel
// memory (withAddress / withAddressRange in kernel_task). IOBufferMemoryDescriptor.h adds
// descriptors that own their pages. There is no physical memory or DMA: getPhysicalSegment,
// IODMACommand and IOMapper do not exist (docs/kernel-extras.md).
//
// Backing (OpenIOKit): a buffer descriptor's pages are a memfd mapped MAP_SHARED into this
// process, so the same pages can be handed to a client process (IOConnectMapMemory64, see
// src/kernel/UserClientMemory.h). Memory a descriptor only points at cannot be shared.
#pragma once

#ifndef KERNEL
#error IOMemoryDescriptor.h is for kernel use only
#endif

#include <IOKit/IOLocks.h>
#include <IOKit/IOTypes.h>
#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>
#include <mach/mach_types.h>
#include <mach/vm_types.h>

class IOMemoryDescriptor;
class IOMemoryMap;
class IOMapper;
class IOService;

// The kernel's own task: the owner of kernel mappings (xnu <kern/task.h>).
extern task_t kernel_task;

// kIODirection* and IODirection come from <IOKit/IOTypes.h> (one definition for kexts that only
// include IOLib.h); this one xnu added later.
enum {
    kIODirectionPrepareAvoidThrottling = 0x00000100,
};

// Options for withAddressRange(s) / initWithOptions (low bits are the direction). Constants
// rather than Apple's anonymous enum, so that combining them with kIODirection* values is not a
// C++20 deprecated enum-enum operation.
inline constexpr IOOptionBits kIOMemoryDirectionMask = 0x00000007;
inline constexpr IOOptionBits kIOMemoryAutoPrepare = 0x00000008;  // shared with buffer descriptors

inline constexpr IOOptionBits kIOMemoryTypeVirtual = 0x00000010;
inline constexpr IOOptionBits kIOMemoryTypePhysical = 0x00000020;
inline constexpr IOOptionBits kIOMemoryTypeUPL = 0x00000030;
inline constexpr IOOptionBits kIOMemoryTypePersistentMD = 0x00000040;
inline constexpr IOOptionBits kIOMemoryTypeUIO = 0x00000050;
inline constexpr IOOptionBits kIOMemoryTypeVirtual64 = kIOMemoryTypeVirtual;
inline constexpr IOOptionBits kIOMemoryTypePhysical64 = kIOMemoryTypePhysical;
inline constexpr IOOptionBits kIOMemoryTypeMask = 0x000000f0;

inline constexpr IOOptionBits kIOMemoryAsReference = 0x00000100;
inline constexpr IOOptionBits kIOMemoryBufferPageable = 0x00000400;
inline constexpr IOOptionBits kIOMemoryMapperNone = 0x00000800;  // shared with buffer descriptors
inline constexpr IOOptionBits kIOMemoryHostOnly = 0x00001000;    // never DMA accessible
inline constexpr IOOptionBits kIOMemoryRedirected = 0x00004000;
inline constexpr IOOptionBits kIOMemoryPreparedReadOnly = 0x00008000;
inline constexpr IOOptionBits kIOMemoryPersistent = 0x00010000;
inline constexpr IOOptionBits kIOMemoryMapCopyOnWrite = 0x00020000;
inline constexpr IOOptionBits kIOMemoryRemote = 0x00040000;
inline constexpr IOOptionBits kIOMemoryThreadSafe = 0x00100000;    // shared with buffer descriptors
inline constexpr IOOptionBits kIOMemoryClearEncrypt = 0x00200000;  // shared with buffer descriptors
inline constexpr IOOptionBits kIOMemoryUseReserve = 0x00800000;    // shared with buffer descriptors
inline constexpr IOOptionBits kIOMemoryBufferPurgeable = 0x00400000;
inline constexpr IOOptionBits kIOMemoryBufferCacheMask = 0x70000000;
inline constexpr IOOptionBits kIOMemoryBufferCacheShift = 28;

#define kIOMapperSystem ((IOMapper *)NULL)

namespace openiokit {
// Where a descriptor's bytes can be found by another process: `fd` (borrowed; a memfd) from
// byte `offset`. See IOMemoryDescriptor::sharedBacking.
struct SharedBacking {
    int fd = -1;
    uint64_t offset = 0;
};
}  // namespace openiokit

class IOMemoryDescriptor : public OSObject {
    OSDeclareAbstractStructors(IOMemoryDescriptor);

public:
    // A descriptor for `withLength` bytes of kernel memory at `address`. The memory stays the
    // caller's: it must outlive the descriptor. Fails (NULL) for a NULL address or zero length.
    static OSPtr<IOMemoryDescriptor> withAddress(void *address, IOByteCount withLength, IODirection withDirection);
    // As withAddress; `task` must be kernel_task (a client process's memory is not reachable
    // from the kernel here): other tasks fail with a log line.
    static OSPtr<IOMemoryDescriptor> withAddressRange(mach_vm_address_t address, mach_vm_size_t length,
                                                      IOOptionBits options, task_t task);

    virtual IODirection getDirection() const;
    virtual IOByteCount getLength() const;
    virtual void setTag(IOOptionBits tag);
    virtual IOOptionBits getTag(void);
    // The descriptor's kIOMemory* options (direction in the low bits).
    uint64_t getFlags(void);

    // Copy out of / into the described memory from `offset`; returns the bytes copied (0 if
    // `offset` is past the end or the memory is not addressable in the kernel).
    virtual IOByteCount readBytes(IOByteCount offset, void *bytes, IOByteCount withLength);
    virtual IOByteCount writeBytes(IOByteCount offset, const void *bytes, IOByteCount withLength);

    // Wire / unwire the memory for I/O. Nested calls must balance; pages are always resident
    // here, so these only count (complete() without prepare() is kIOReturnNotReady).
    virtual IOReturn prepare(IODirection forDirection = kIODirectionNone) = 0;
    virtual IOReturn complete(IODirection forDirection = kIODirectionNone) = 0;

    // A mapping of [offset, offset + length) (length 0: to the end) into `intoTask`.
    // kernel_task: an address in this process (the existing one for kIOMapAnywhere, a new
    // read-only mapping for kIOMapReadOnly). Another task: a record of the mapping whose pages
    // the daemon hands to that process (getAddress() is 0 in the kernel). NULL with a log line
    // on a bad range, a fixed address (no kIOMapAnywhere), or memory that cannot be shared.
    OSPtr<IOMemoryMap> createMappingInTask(task_t intoTask, mach_vm_address_t atAddress, IOOptionBits options,
                                           mach_vm_size_t offset = 0, mach_vm_size_t length = 0);
    // createMappingInTask(kernel_task, 0, options | kIOMapAnywhere).
    virtual OSPtr<IOMemoryMap> map(IOOptionBits options = 0);

    // --- OpenIOKit internals (not for drivers) -----------------------------------------------
    // The address of byte 0 in this process, or NULL if the memory is not addressable here.
    virtual void *kernelAddress() const = 0;
    // The memfd behind the descriptor, if its pages can be given to another process.
    virtual bool sharedBacking(openiokit::SharedBacking *backing) const;

protected:
    bool initMemoryDescriptor(IOOptionBits flags, IOByteCount length);

    IOOptionBits _flags;
    IOByteCount _length;
    IOOptionBits _tag;
    volatile uint32_t _wireCount;  // prepare() minus complete(); atomic

    IOReturn countPrepare();
    IOReturn countComplete();
};

// A mapping made by createMappingInTask/map. It retains its descriptor; releasing the last
// reference (or unmap()) removes the mapping.
class IOMemoryMap : public OSObject {
    OSDeclareDefaultStructors(IOMemoryMap);

public:
    virtual IOVirtualAddress getVirtualAddress(void);
    virtual mach_vm_address_t getAddress();
    virtual mach_vm_size_t getSize();
    virtual IOByteCount getLength(void);
    virtual task_t getAddressTask();
    virtual IOMemoryDescriptor *getMemoryDescriptor();
    virtual IOOptionBits getMapOptions(void);
    // Removes the mapping now (later accesses through the address fault). Idempotent.
    virtual IOReturn unmap();

    // --- OpenIOKit internals -----------------------------------------------------------------
    // Used by IOMemoryDescriptor::createMappingInTask only.
    static IOMemoryMap *makeMapping(IOMemoryDescriptor *memory, task_t intoTask, IOOptionBits options,
                                    mach_vm_size_t offset, mach_vm_size_t length);
    // Byte offset of the mapping within its descriptor.
    mach_vm_size_t getOffset() const { return offset_; }

protected:
    void free() APPLE_KEXT_OVERRIDE;

private:
    IOMemoryDescriptor *memory_;  // retained
    task_t task_;                 // retained
    IOOptionBits options_;
    mach_vm_size_t offset_;
    mach_vm_size_t length_;
    mach_vm_address_t address_;  // 0 for another task's mapping, or once unmapped
    void *ownedMapping_;         // an mmap this map made itself (read-only kernel maps), or NULL
    size_t ownedMappingLength_;
    IOLock *lock_;
};

// Describes memory the caller already has (xnu's general descriptor; only one virtual range in
// kernel_task here).
class IOGeneralMemoryDescriptor : public IOMemoryDescriptor {
    OSDeclareDefaultStructors(IOGeneralMemoryDescriptor);

public:
    virtual bool initWithAddress(void *address, IOByteCount withLength, IODirection withDirection);

    IOReturn prepare(IODirection forDirection = kIODirectionNone) APPLE_KEXT_OVERRIDE;
    IOReturn complete(IODirection forDirection = kIODirectionNone) APPLE_KEXT_OVERRIDE;
    void *kernelAddress() const APPLE_KEXT_OVERRIDE;

protected:
    void *_address;
};
