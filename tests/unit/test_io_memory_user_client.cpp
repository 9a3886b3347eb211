// IOConnectMapMemory64's kernel half (src/kernel/UserClientMemory.h): clientMemoryForType is
// asked for the memory, the caller gets an fd onto the same pages, mappings are kept per
// (client, task, type) and released by unmap, task death and the client's destruction.
#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOUserClient.h>

#include "../../src/kernel/UserClientConnection.h"
#include "../../src/kernel/UserClientMemory.h"
#include "../../src/kernel/Termination.h"
#include "test_io_user_client_support.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

// Type 0: a shared buffer it keeps; type 1: a kIOMapReadOnly buffer; type 2: success with no
// memory; type 3: memory that is not a buffer; anything else: kIOReturnBadArgument.
class MemTestUserClient : public IOUserClient {
    OSDeclareDefaultStructors(MemTestUserClient);

public:
    static constexpr uint32_t kSharedType = 0;
    static constexpr uint32_t kReadOnlyType = 1;
    static constexpr uint32_t kNoMemoryType = 2;
    static constexpr uint32_t kNotShareableType = 3;

    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type) override
    {
        if (!IOUserClient::initWithTask(owningTask, securityToken, type)) {
            return false;
        }
        shared = IOBufferMemoryDescriptor::inTaskWithOptions(kernel_task, kIODirectionInOut | kIOMemoryKernelUserShared,
                                                             5000, 1);
        readOnly = IOBufferMemoryDescriptor::withCapacity(100, kIODirectionOut);
        return shared && readOnly;
    }
    IOReturn clientClose() override
    {
        terminate();
        return kIOReturnSuccess;
    }
    IOReturn clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory) override
    {
        ++calls;
        switch (type) {
        case kSharedType:
            shared->retain();
            *memory = shared;
            return kIOReturnSuccess;
        case kReadOnlyType:
            readOnly->retain();
            *memory = readOnly;
            *options = kIOMapReadOnly;
            return kIOReturnSuccess;
        case kNoMemoryType:
            return kIOReturnSuccess;
        case kNotShareableType:
            *memory = IOMemoryDescriptor::withAddress(plain, sizeof(plain), kIODirectionInOut);
            return kIOReturnSuccess;
        default:
            return kIOReturnBadArgument;
        }
    }
    void free() override
    {
        if (shared) {
            shared->release();
        }
        if (readOnly) {
            readOnly->release();
        }
        IOUserClient::free();
    }

    IOBufferMemoryDescriptor* shared = nullptr;
    IOBufferMemoryDescriptor* readOnly = nullptr;
    char plain[64] = {};
    std::atomic<int> calls{0};
};

OSDefineMetaClassAndStructors(MemTestUserClient, IOUserClient);

namespace {

class UserClientMemoryTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        provider = UCTestProvider::make("MemTestUserClient");
        ASSERT_NE(provider, nullptr);
        IOUserClient* opened = nullptr;
        ASSERT_EQ(openiokit::openConnection(provider, owner.get(), 0, &opened), kIOReturnSuccess);
        client = OSDynamicCast(MemTestUserClient, opened);
        ASSERT_NE(client, nullptr);
        buffersBefore = IOBufferMemoryDescriptor::metaClass->getInstanceCount();
    }
    void TearDown() override
    {
        if (client) {
            openiokit::closeConnection(client);
            openiokit::connectionDied(client);
            openiokit::waitForTerminationIdle();
            client->release();
        }
        uctest::terminateAndRelease(provider);
        EXPECT_EQ(MemTestUserClient::metaClass->getInstanceCount(), 0u);
        EXPECT_EQ(IOBufferMemoryDescriptor::metaClass->getInstanceCount(), buffersBefore - 2);  // the client's
        EXPECT_EQ(IOMemoryMap::metaClass->getInstanceCount(), 0u);
    }

    uctest::Environment environment;
    openiokit::RefPtr<uctest::FakeTask> owner = uctest::FakeTask::make(501, 777, "mapper");
    UCTestProvider* provider = nullptr;
    MemTestUserClient* client = nullptr;
    unsigned buffersBefore = 0;
};

TEST_F(UserClientMemoryTest, MappedFdSeesKernelWritesAndViceVersa)
{
    auto mapping = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(mapping.has_value()) << std::hex << mapping.error();
    EXPECT_EQ(client->calls.load(), 1);
    EXPECT_EQ(mapping->length, 5000u);
    EXPECT_EQ(mapping->offset, 0u);
    EXPECT_NE(mapping->mapToken, 0u);
    EXPECT_TRUE(fcntl(mapping->fd, F_GETFD) & FD_CLOEXEC);

    // What the client process does with the fd it receives.
    void* view = mmap(nullptr, mapping->length, PROT_READ | PROT_WRITE, MAP_SHARED, mapping->fd,
                      static_cast<off_t>(mapping->offset));
    ASSERT_NE(view, MAP_FAILED);
    std::memcpy(client->shared->getBytesNoCopy(), "kernel", 6);
    EXPECT_EQ(std::memcmp(view, "kernel", 6), 0);
    std::memcpy(static_cast<char*>(view) + 4990, "user", 4);
    EXPECT_EQ(std::memcmp(client->shared->getBytesNoCopy(4990, 4), "user", 4), 0);
    munmap(view, mapping->length);
    close(mapping->fd);

    EXPECT_EQ(openiokit::clientMappingCount(client), 1u);
    EXPECT_EQ(openiokit::unmapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, mapping->mapToken),
              kIOReturnSuccess);
    EXPECT_EQ(openiokit::clientMappingCount(client), 0u);
    EXPECT_EQ(openiokit::unmapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, mapping->mapToken),
              kIOReturnBadArgument);
}

TEST_F(UserClientMemoryTest, SecondMapOfTheSameTypeReusesTheMapping)
{
    auto first = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    auto second = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->mapToken, second->mapToken);
    EXPECT_NE(first->fd, second->fd);
    EXPECT_EQ(client->calls.load(), 1);
    EXPECT_EQ(openiokit::clientMappingCount(client), 1u);
    close(first->fd);
    close(second->fd);
    // Another task gets a mapping of its own.
    auto other = uctest::FakeTask::make(501, 778, "other");
    auto third = openiokit::mapClientMemory(client, other.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(third);
    EXPECT_NE(third->mapToken, first->mapToken);
    close(third->fd);
    EXPECT_EQ(openiokit::clientMappingCount(client), 2u);
}

TEST_F(UserClientMemoryTest, DriverOptionsKeepTheirBitsAndCallerGivesOnlyUserBits)
{
    auto mapping = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kReadOnlyType,
                                              kIOMapAnywhere | 0x00400000 /* not a user option */);
    ASSERT_TRUE(mapping);
    EXPECT_TRUE(mapping->options & kIOMapReadOnly);
    EXPECT_TRUE(mapping->options & kIOMapAnywhere);
    EXPECT_FALSE(mapping->options & 0x00400000);
    close(mapping->fd);
}

TEST_F(UserClientMemoryTest, DriverErrorsAreBadArgumentAsXnu)
{
    auto wrongType = openiokit::mapClientMemory(client, owner.get(), 42, kIOMapAnywhere);
    ASSERT_FALSE(wrongType);
    EXPECT_EQ(wrongType.error(), kIOReturnBadArgument);
    auto noMemory = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kNoMemoryType, kIOMapAnywhere);
    ASSERT_FALSE(noMemory);
    EXPECT_EQ(noMemory.error(), kIOReturnBadArgument);
    EXPECT_EQ(openiokit::clientMappingCount(client), 0u);
}

TEST_F(UserClientMemoryTest, MemoryThatIsNotABufferIsUnsupported)
{
    const unsigned before = IOGeneralMemoryDescriptor::metaClass->getInstanceCount();
    auto mapping =
        openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kNotShareableType, kIOMapAnywhere);
    ASSERT_FALSE(mapping);
    EXPECT_EQ(mapping.error(), kIOReturnUnsupported);
    EXPECT_EQ(IOGeneralMemoryDescriptor::metaClass->getInstanceCount(), before);  // the descriptor was released
}

TEST_F(UserClientMemoryTest, BadArguments)
{
    EXPECT_EQ(openiokit::mapClientMemory(nullptr, owner.get(), 0, 0).error(), kIOReturnBadArgument);
    EXPECT_EQ(openiokit::mapClientMemory(client, nullptr, 0, 0).error(), kIOReturnBadArgument);
    EXPECT_EQ(openiokit::unmapClientMemory(client, owner.get(), 0, 12345), kIOReturnBadArgument);
}

TEST_F(UserClientMemoryTest, TaskDeathReleasesItsMappings)
{
    auto mapping = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(mapping);
    close(mapping->fd);
    auto other = uctest::FakeTask::make(501, 779, "survivor");
    auto kept = openiokit::mapClientMemory(client, other.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(kept);
    close(kept->fd);
    EXPECT_EQ(openiokit::clientMappingCount(client), 2u);
    openiokit::releaseTaskMappings(owner.get());
    EXPECT_EQ(openiokit::clientMappingCount(client), 1u);
    EXPECT_EQ(IOMemoryMap::metaClass->getInstanceCount(), 1u);
}

TEST_F(UserClientMemoryTest, MappingsOfDeadTasksGoOnTheNextMap)
{
    auto other = uctest::FakeTask::make(501, 780, "exited");
    auto mapping = openiokit::mapClientMemory(client, other.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(mapping);
    close(mapping->fd);
    other->taskDied();  // the daemon did not call releaseTaskMappings
    EXPECT_EQ(openiokit::clientMappingCount(client), 1u);
    auto mine = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(mine);
    close(mine->fd);
    EXPECT_EQ(openiokit::clientMappingCount(client), 1u);  // only the live task's
}

TEST_F(UserClientMemoryTest, ClientDestructionReleasesMappings)
{
    auto mapping = openiokit::mapClientMemory(client, owner.get(), MemTestUserClient::kSharedType, kIOMapAnywhere);
    ASSERT_TRUE(mapping);
    // The fd the client process holds keeps the pages alive after the kernel lets go.
    void* view = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mapping->fd, 0);
    ASSERT_NE(view, MAP_FAILED);
    close(mapping->fd);
    openiokit::closeConnection(client);
    openiokit::connectionDied(client);
    openiokit::waitForTerminationIdle();
    client->release();
    client = nullptr;
    EXPECT_EQ(IOMemoryMap::metaClass->getInstanceCount(), 0u);
    static_cast<char*>(view)[0] = 'x';  // still valid memory
    munmap(view, 4096);
}

}  // namespace
