// Memory descriptors: IOBufferMemoryDescriptor's length/capacity rules, readBytes/writeBytes,
// prepare/complete, mappings into kernel_task and another task, and IOGeneralMemoryDescriptor
// over memory the caller owns.
#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOMemoryDescriptor.h>
#include <libkern/c++/OSSharedPtr.h>
#include <openiokit/Task.h>

#include "test_io_user_client_support.h"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace {

OSSharedPtr<IOBufferMemoryDescriptor> makeBuffer(vm_size_t capacity, IOOptionBits options = kIODirectionInOut)
{
    return OSSharedPtr<IOBufferMemoryDescriptor>(
        IOBufferMemoryDescriptor::inTaskWithOptions(kernel_task, options, capacity, 1), OSNoRetain);
}

TEST(IOMemoryBuffer, InTaskWithOptionsGivesZeroedBufferOfCapacity)
{
    auto buffer = makeBuffer(100, kIODirectionInOut | kIOMemoryKernelUserShared);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(buffer->getLength(), 100u);
    EXPECT_EQ(buffer->getCapacity(), 100u);
    EXPECT_EQ(buffer->getDirection(), static_cast<IODirection>(kIODirectionInOut));
    EXPECT_TRUE(buffer->getFlags() & kIOMemoryKernelUserShared);
    auto* bytes = static_cast<uint8_t*>(buffer->getBytesNoCopy());
    ASSERT_NE(bytes, nullptr);
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(bytes[i], 0) << i;
    }
    EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)), 0u);
}

TEST(IOMemoryBuffer, BadRequestsFail)
{
    EXPECT_EQ(IOBufferMemoryDescriptor::inTaskWithOptions(kernel_task, 0, 0, 1), nullptr);
    EXPECT_EQ(IOBufferMemoryDescriptor::inTaskWithOptions(nullptr, 0, 16, 1), nullptr);
    EXPECT_EQ(IOBufferMemoryDescriptor::inTaskWithOptions(kernel_task, 0, 16, 1 << 20), nullptr);
}

TEST(IOMemoryBuffer, OtherFactories)
{
    OSSharedPtr<IOBufferMemoryDescriptor> a(IOBufferMemoryDescriptor::withCapacity(64, kIODirectionIn), OSNoRetain);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->getCapacity(), 64u);
    EXPECT_EQ(a->getDirection(), static_cast<IODirection>(kIODirectionIn));
    OSSharedPtr<IOBufferMemoryDescriptor> b(IOBufferMemoryDescriptor::withOptions(kIODirectionOut, 32), OSNoRetain);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->getLength(), 32u);
    OSSharedPtr<IOBufferMemoryDescriptor> c(IOBufferMemoryDescriptor::withBytes("hello", 5, kIODirectionOut),
                                            OSNoRetain);
    ASSERT_TRUE(c);
    EXPECT_EQ(std::memcmp(c->getBytesNoCopy(), "hello", 5), 0);
    OSSharedPtr<IOBufferMemoryDescriptor> d(
        IOBufferMemoryDescriptor::inTaskWithPhysicalMask(kernel_task, kIODirectionInOut, 4096, 0xFFFFF000ull),
        OSNoRetain);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->getCapacity(), 4096u);
}

TEST(IOMemoryBuffer, SetLengthAndAppendStayWithinCapacity)
{
    auto buffer = makeBuffer(8);
    ASSERT_TRUE(buffer);
    buffer->setLength(0);
    EXPECT_EQ(buffer->getLength(), 0u);
    EXPECT_TRUE(buffer->appendBytes("abcdef", 6));
    EXPECT_EQ(buffer->getLength(), 6u);
    EXPECT_TRUE(buffer->appendBytes("ghijkl", 6));  // only two more fit, as xnu
    EXPECT_EQ(buffer->getLength(), 8u);
    EXPECT_EQ(std::memcmp(buffer->getBytesNoCopy(), "abcdefgh", 8), 0);
    buffer->setLength(100);
    EXPECT_EQ(buffer->getLength(), 8u);
}

TEST(IOMemoryBuffer, GetBytesNoCopyRangeIsCheckedAgainstLength)
{
    auto buffer = makeBuffer(16);
    ASSERT_TRUE(buffer);
    auto* base = static_cast<uint8_t*>(buffer->getBytesNoCopy());
    EXPECT_EQ(buffer->getBytesNoCopy(4, 12), base + 4);
    EXPECT_EQ(buffer->getBytesNoCopy(4, 13), nullptr);
    EXPECT_EQ(buffer->getBytesNoCopy(16, 0), nullptr);
    buffer->setLength(8);
    EXPECT_EQ(buffer->getBytesNoCopy(4, 8), nullptr);
}

TEST(IOMemoryDescriptorTest, ReadAndWriteBytesClampToLength)
{
    auto buffer = makeBuffer(10);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(buffer->writeBytes(6, "0123456789", 10), 4u);
    char out[10] = {};
    EXPECT_EQ(buffer->readBytes(6, out, sizeof(out)), 4u);
    EXPECT_EQ(std::string(out, 4), "0123");
    EXPECT_EQ(buffer->readBytes(10, out, 1), 0u);
    EXPECT_EQ(buffer->writeBytes(11, "x", 1), 0u);
}

TEST(IOMemoryDescriptorTest, PrepareAndCompleteBalance)
{
    auto buffer = makeBuffer(10);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(buffer->complete(), kIOReturnNotReady);
    EXPECT_EQ(buffer->prepare(), kIOReturnSuccess);
    EXPECT_EQ(buffer->prepare(kIODirectionIn), kIOReturnSuccess);
    EXPECT_EQ(buffer->complete(), kIOReturnSuccess);
    EXPECT_EQ(buffer->complete(), kIOReturnSuccess);
    EXPECT_EQ(buffer->complete(), kIOReturnNotReady);
}

TEST(IOMemoryDescriptorTest, WithAddressDescribesCallersMemory)
{
    char storage[32] = "described";
    OSSharedPtr<IOMemoryDescriptor> md(IOMemoryDescriptor::withAddress(storage, sizeof(storage), kIODirectionOut),
                                       OSNoRetain);
    ASSERT_TRUE(md);
    EXPECT_EQ(md->getLength(), sizeof(storage));
    EXPECT_EQ(md->writeBytes(0, "DESC", 4), 4u);
    EXPECT_EQ(std::string(storage), "DESCribed");
    OSSharedPtr<IOMemoryMap> map(md->map(), OSNoRetain);
    ASSERT_TRUE(map);
    EXPECT_EQ(map->getAddress(), reinterpret_cast<mach_vm_address_t>(storage));
    EXPECT_FALSE(md->sharedBacking(nullptr));
    EXPECT_EQ(IOMemoryDescriptor::withAddress(nullptr, 4, kIODirectionOut), nullptr);
    EXPECT_EQ(IOMemoryDescriptor::withAddressRange(reinterpret_cast<mach_vm_address_t>(storage), 4,
                                                   kIODirectionOut, nullptr),
              nullptr);
    auto other = uctest::FakeTask::make();
    // Another task's memory cannot be described, nor can this memory be mapped into it.
    EXPECT_EQ(md->createMappingInTask(other.get(), 0, kIOMapAnywhere), nullptr);
}

TEST(IOMemoryMapTest, KernelMapSharesTheBufferAddress)
{
    auto buffer = makeBuffer(8192);
    ASSERT_TRUE(buffer);
    OSSharedPtr<IOMemoryMap> map(buffer->map(), OSNoRetain);
    ASSERT_TRUE(map);
    EXPECT_EQ(map->getVirtualAddress(), reinterpret_cast<IOVirtualAddress>(buffer->getBytesNoCopy()));
    EXPECT_EQ(map->getLength(), 8192u);
    EXPECT_EQ(map->getSize(), 8192u);
    EXPECT_EQ(map->getAddressTask(), kernel_task);
    EXPECT_EQ(map->getMemoryDescriptor(), buffer.get());

    OSSharedPtr<IOMemoryMap> part(buffer->createMappingInTask(kernel_task, 0, kIOMapAnywhere, 4096, 100),
                                  OSNoRetain);
    ASSERT_TRUE(part);
    EXPECT_EQ(part->getAddress(), reinterpret_cast<mach_vm_address_t>(buffer->getBytesNoCopy()) + 4096);
    EXPECT_EQ(part->getLength(), 100u);
    EXPECT_EQ(map->unmap(), kIOReturnSuccess);
    EXPECT_EQ(map->getAddress(), 0u);
    EXPECT_EQ(map->unmap(), kIOReturnSuccess);
}

TEST(IOMemoryMapTest, BadMappingsFail)
{
    auto buffer = makeBuffer(100);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(buffer->createMappingInTask(kernel_task, 0, kIOMapAnywhere, 50, 51), nullptr);
    EXPECT_EQ(buffer->createMappingInTask(kernel_task, 0, kIOMapAnywhere, 101, 0), nullptr);
    EXPECT_EQ(buffer->createMappingInTask(kernel_task, 0x10000, 0), nullptr);  // fixed address
    EXPECT_EQ(buffer->createMappingInTask(nullptr, 0, kIOMapAnywhere), nullptr);
}

TEST(IOMemoryMapTest, ReadOnlyKernelMapSeesWritesButIsSeparate)
{
    auto buffer = makeBuffer(4096 + 10);
    ASSERT_TRUE(buffer);
    OSSharedPtr<IOMemoryMap> map(buffer->createMappingInTask(kernel_task, 0, kIOMapAnywhere | kIOMapReadOnly, 4096, 10),
                                 OSNoRetain);
    ASSERT_TRUE(map);
    EXPECT_NE(map->getAddress(), reinterpret_cast<mach_vm_address_t>(buffer->getBytesNoCopy()) + 4096);
    buffer->writeBytes(4096, "visible", 7);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(map->getAddress()), "visible", 7), 0);
}

TEST(IOMemoryMapTest, MapIntoAnotherTaskRecordsTheRange)
{
    auto buffer = makeBuffer(100);
    ASSERT_TRUE(buffer);
    auto other = uctest::FakeTask::make();
    OSSharedPtr<IOMemoryMap> map(buffer->createMappingInTask(other.get(), 0, kIOMapAnywhere, 10, 20), OSNoRetain);
    ASSERT_TRUE(map);
    EXPECT_EQ(map->getAddressTask(), other.get());
    EXPECT_EQ(map->getAddress(), 0u);  // the process maps the pages itself
    EXPECT_EQ(map->getOffset(), 10u);
    EXPECT_EQ(map->getLength(), 20u);
}

TEST(IOMemoryBuffer, SharedBackingIsTheSamePages)
{
    auto buffer = makeBuffer(64);
    ASSERT_TRUE(buffer);
    openiokit::SharedBacking backing;
    ASSERT_TRUE(buffer->sharedBacking(&backing));
    ASSERT_GE(backing.fd, 0);
    void* view = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, backing.fd, 0);
    ASSERT_NE(view, MAP_FAILED);
    std::memcpy(view, "from outside", 12);
    char out[12];
    EXPECT_EQ(buffer->readBytes(0, out, 12), 12u);
    EXPECT_EQ(std::memcmp(out, "from outside", 12), 0);
    munmap(view, 4096);
}

TEST(IOMemoryBuffer, BufferInAClientTaskIsStillAddressable)
{
    auto other = uctest::FakeTask::make();
    OSSharedPtr<IOBufferMemoryDescriptor> buffer(
        IOBufferMemoryDescriptor::inTaskWithOptions(other.get(), kIODirectionInOut, 128, 1), OSNoRetain);
    ASSERT_TRUE(buffer);
    EXPECT_NE(buffer->getBytesNoCopy(), nullptr);
    EXPECT_TRUE(buffer->sharedBacking(nullptr));
}

}  // namespace
