// Open/close arbitration (iokit-semantics.md §2.7): the default single-owner policy, seize,
// open on an inactive service, and the open/close announcements to other clients.
#include <IOKit/IOService.h>

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

class TestArbClient : public IOService {
    OSDeclareDefaultStructors(TestArbClient);

public:
    bool closeWhenAsked;
    std::vector<UInt32>* messages;

    static TestArbClient* make(const char* name, std::vector<UInt32>* sink)
    {
        TestArbClient* client = OSTypeAlloc(TestArbClient);
        client->init();
        client->setName(name);
        client->messages = sink;
        return client;
    }
    IOReturn message(UInt32 type, IOService* provider, void* argument) override
    {
        messages->push_back(type);
        if (type == kIOMessageServiceIsRequestingClose && closeWhenAsked) {
            provider->close(this);
            return kIOReturnSuccess;
        }
        return IOService::message(type, provider, argument);
    }
};
OSDefineMetaClassAndStructors(TestArbClient, IOService);

namespace {

struct Arbitration : testing::Test {
    std::vector<UInt32> aMessages, bMessages;
    IOService* provider = nullptr;
    TestArbClient* a = nullptr;
    TestArbClient* b = nullptr;

    void SetUp() override
    {
        provider = OSTypeAlloc(IOService);
        provider->init();
        ASSERT_TRUE(provider->attach(IOService::getServiceRoot()));
        a = TestArbClient::make("A", &aMessages);
        b = TestArbClient::make("B", &bMessages);
        ASSERT_TRUE(a->attach(provider));
        ASSERT_TRUE(b->attach(provider));
    }
    void TearDown() override
    {
        provider->terminate(kIOServiceSynchronous);
        a->release();
        b->release();
        provider->release();
    }
};

}  // namespace

TEST_F(Arbitration, ExclusiveByDefault)
{
    EXPECT_FALSE(provider->isOpen());
    EXPECT_TRUE(provider->open(a));
    EXPECT_TRUE(provider->isOpen());
    EXPECT_TRUE(provider->isOpen(a));
    EXPECT_FALSE(provider->isOpen(b));
    EXPECT_FALSE(provider->open(b));
    EXPECT_FALSE(provider->open(a));  // as xnu: the owner cannot open twice either
    provider->close(b);               // not the owner: nothing happens
    EXPECT_TRUE(provider->isOpen(a));
    provider->close(a);
    EXPECT_FALSE(provider->isOpen());
    EXPECT_TRUE(provider->open(b));
    provider->close(b);
}

TEST_F(Arbitration, OpenAndCloseAreAnnouncedToTheOtherClients)
{
    EXPECT_TRUE(provider->open(a));
    EXPECT_EQ(bMessages, (std::vector<UInt32>{kIOMessageServiceIsAttemptingOpen}));
    EXPECT_TRUE(aMessages.empty());
    provider->close(a);
    EXPECT_EQ(bMessages, (std::vector<UInt32>{kIOMessageServiceIsAttemptingOpen, kIOMessageServiceWasClosed}));
    EXPECT_TRUE(aMessages.empty());
}

TEST_F(Arbitration, SeizeSucceedsOnlyIfTheOwnerClosesWhenAsked)
{
    EXPECT_TRUE(provider->open(a));
    EXPECT_FALSE(provider->open(b, kIOServiceSeize));  // A does not let go
    EXPECT_NE(std::find(aMessages.begin(), aMessages.end(), kIOMessageServiceIsRequestingClose), aMessages.end());
    EXPECT_TRUE(provider->isOpen(a));

    a->closeWhenAsked = true;
    EXPECT_TRUE(provider->open(b, kIOServiceSeize));
    EXPECT_TRUE(provider->isOpen(b));
    EXPECT_FALSE(provider->isOpen(a));
    provider->close(b);
}

TEST_F(Arbitration, OpenClientIteratorListsTheOwner)
{
    EXPECT_TRUE(provider->open(b));
    OSIterator* open = provider->getOpenClientIterator();
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open->getNextObject(), b);
    EXPECT_EQ(open->getNextObject(), nullptr);
    open->release();
    OSIterator* providers = b->getOpenProviderIterator();
    EXPECT_EQ(providers->getNextObject(), provider);
    providers->release();
    provider->close(b);
}

TEST_F(Arbitration, AnInactiveServiceCannotBeOpened)
{
    provider->terminate(kIOServiceSynchronous);
    EXPECT_FALSE(provider->open(a));
    EXPECT_FALSE(provider->isOpen());
}
