// Opening, closing and losing connections (iokit-semantics.md §3.1, §3.3, §3.7): the default
// newUserClient's failure codes, openConnection's bookkeeping, close/death exactly once, and
// what termination does to a connection.
#include "test_io_user_client_support.h"

#include "../../src/kernel/IOServicePrivate.h"
#include "../../src/kernel/IOUserClientPrivate.h"
#include "../../src/kernel/Termination.h"
#include "../../src/kernel/UserClientConnection.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

using uctest::FakeTask;

namespace {

class OpenTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        provider = UCTestProvider::make();
        ASSERT_NE(provider, nullptr);
        clientsBefore = UCTestUserClient::metaClass->getInstanceCount();
    }
    void TearDown() override
    {
        uctest::terminateAndRelease(provider);
        EXPECT_EQ(UCTestUserClient::metaClass->getInstanceCount(), clientsBefore);
    }

    IOReturn newUserClient(IOUserClient** client)
    {
        return provider->newUserClient(task.get(), task.get(), 0, nullptr, client);
    }

    // Opens a connection; the test ends it with closeAndForget.
    UCTestUserClient* open()
    {
        IOUserClient* client = nullptr;
        EXPECT_EQ(openiokit::openConnection(provider, task.get(), 0, &client), kIOReturnSuccess);
        return OSDynamicCast(UCTestUserClient, client);
    }
    // What the daemon does when the user closes and drops the last handle.
    void closeAndForget(IOUserClient* client)
    {
        openiokit::closeConnection(client);
        openiokit::connectionDied(client);
        openiokit::waitForTerminationIdle();
        client->release();
    }

    uctest::Environment environment;
    openiokit::RefPtr<FakeTask> task = FakeTask::make(501, 4242, "fakeproc");
    UCTestProvider* provider = nullptr;
    unsigned clientsBefore = 0;
};

}  // namespace

// --- IOService::newUserClient's default ---------------------------------------------------------

TEST_F(OpenTest, NewUserClientWithoutUserClientClassIsUnsupported)
{
    provider->removeProperty(kIOUserClientClassKey);
    IOUserClient* client = nullptr;
    EXPECT_EQ(newUserClient(&client), kIOReturnUnsupported);
    EXPECT_EQ(client, nullptr);
}

TEST_F(OpenTest, NewUserClientWithUnknownClassIsNoMemory)
{
    provider->setProperty(kIOUserClientClassKey, "UCNoSuchClass");
    IOUserClient* client = nullptr;
    EXPECT_EQ(newUserClient(&client), kIOReturnNoMemory);
}

TEST_F(OpenTest, NewUserClientOfANonUserClientClassIsUnsupported)
{
    const unsigned before = UCTestNotAClient::metaClass->getInstanceCount();
    provider->setProperty(kIOUserClientClassKey, "UCTestNotAClient");
    IOUserClient* client = nullptr;
    EXPECT_EQ(newUserClient(&client), kIOReturnUnsupported);
    EXPECT_EQ(UCTestNotAClient::metaClass->getInstanceCount(), before);
}

TEST_F(OpenTest, NewUserClientWhoseInitFailsIsBadArgument)
{
    UCTestUserClient::sFailInit = true;
    IOUserClient* client = nullptr;
    EXPECT_EQ(newUserClient(&client), kIOReturnBadArgument);
    EXPECT_EQ(provider->getClient(), nullptr);
}

TEST_F(OpenTest, NewUserClientWhoseStartFailsIsDetachedAndUnsupported)
{
    UCTestUserClient::sFailStart = true;
    IOUserClient* client = nullptr;
    EXPECT_EQ(newUserClient(&client), kIOReturnUnsupported);
    EXPECT_EQ(client, nullptr);
    EXPECT_EQ(provider->getClient(), nullptr);  // attached, then detached again
}

TEST_F(OpenTest, NewUserClientOnAnInactiveProviderIsUnsupported)
{
    UCTestProvider* gone = UCTestProvider::make();
    ASSERT_TRUE(gone->terminate(kIOServiceSynchronous));
    IOUserClient* client = nullptr;
    EXPECT_EQ(gone->newUserClient(task.get(), task.get(), 0, nullptr, &client), kIOReturnUnsupported);
    openiokit::waitForTerminationIdle();
    gone->release();
}

TEST_F(OpenTest, NewUserClientMakesAttachesAndStartsTheNamedClassAndCachesTheSymbol)
{
    IOUserClient* client = nullptr;
    ASSERT_EQ(newUserClient(&client), kIOReturnSuccess);
    ASSERT_NE(OSDynamicCast(UCTestUserClient, client), nullptr);
    EXPECT_EQ(client->getProvider(), provider);
    OSSharedPtr<OSObject> name(provider->copyProperty(kIOUserClientClassKey), OSNoRetain);
    EXPECT_NE(OSDynamicCast(OSSymbol, name.get()), nullptr);  // the string became a symbol
    // Still being created: the terminate-defer bit is set until the open finishes.
    EXPECT_TRUE(client->privateState().hasPrivateBits(kIOServiceStartState));
    client->setTerminateDefer(provider, false);
    client->terminate(kIOServiceSynchronous);
    client->release();
}

TEST_F(OpenTest, TheLegacyOverloadIsTriedFirst)
{
    IOUserClient* first = nullptr;
    ASSERT_EQ(newUserClient(&first), kIOReturnSuccess);
    provider->legacyClient = OSDynamicCast(UCTestUserClient, first);
    IOUserClient* second = nullptr;
    EXPECT_EQ(newUserClient(&second), kIOReturnSuccess);
    EXPECT_EQ(second, first);
    provider->legacyClient = nullptr;
    second->release();
    first->setTerminateDefer(provider, false);
    first->terminate(kIOServiceSynchronous);
    first->release();
}

// --- openConnection ------------------------------------------------------------------------------

TEST_F(OpenTest, OpenSetsCreatorLockingOwnerAndClearsTerminateDefer)
{
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    OSSharedPtr<OSObject> creator(client->copyProperty(kIOUserClientCreatorKey), OSNoRetain);
    ASSERT_NE(OSDynamicCast(OSString, creator.get()), nullptr);
    EXPECT_STREQ(OSDynamicCast(OSString, creator.get())->getCStringNoCopy(), "pid 4242, fakeproc");
    OSSharedPtr<OSObject> locking(client->copyProperty(kIOUserClientDefaultLockingKey), OSNoRetain);
    EXPECT_EQ(locking.get(), kOSBooleanTrue);
    EXPECT_FALSE(client->privateState().hasPrivateBits(kIOServiceStartState));
    {
        std::lock_guard guard(openiokit::userClientOwnersLock());
        ASSERT_EQ(task->ownedUserClientsLocked().size(), 1u);
        EXPECT_EQ(task->ownedUserClientsLocked()[0], client);
    }
    closeAndForget(client);
    std::lock_guard guard(openiokit::userClientOwnersLock());
    EXPECT_TRUE(task->ownedUserClientsLocked().empty());
}

TEST_F(OpenTest, OpenPassesNewUserClientFailuresThrough)
{
    UCTestUserClient::sFailStart = true;
    IOUserClient* client = nullptr;
    EXPECT_EQ(openiokit::openConnection(provider, task.get(), 0, &client), kIOReturnUnsupported);
    EXPECT_EQ(client, nullptr);
    EXPECT_EQ(openiokit::openConnection(nullptr, task.get(), 0, &client), kIOReturnBadArgument);
    EXPECT_EQ(openiokit::openConnection(provider, nullptr, 0, &client), kIOReturnBadArgument);
}

TEST_F(OpenTest, MissingEntitlementRefusesTheOpenClosesAndReleasesTheClient)
{
    UCTestUserClient::sRequireEntitlement = true;
    IOUserClient* client = nullptr;
    EXPECT_EQ(openiokit::openConnection(provider, task.get(), 0, &client), kIOReturnNotPrivileged);
    EXPECT_EQ(client, nullptr);
    openiokit::waitForTerminationIdle();  // its clientClose terminated it
    EXPECT_EQ(provider->getClient(), nullptr);

    task->entitlements.push_back("com.example.uc.open");
    UCTestUserClient* granted = open();
    ASSERT_NE(granted, nullptr);
    closeAndForget(granted);
}

TEST_F(OpenTest, CloseCallsClientCloseOnceAndLaterClosesAreIgnored)
{
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    client->terminateOnClose = false;
    EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess);
    EXPECT_EQ(client->clientCloseCalls.load(), 1);
    EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess);  // logged, ignored
    EXPECT_EQ(client->clientCloseCalls.load(), 1);
    // The last handle goes: clientDied finds it closed.
    EXPECT_EQ(openiokit::connectionDied(client), kIOReturnNotReady);
    EXPECT_EQ(client->clientDiedCalls.load(), 1);
    EXPECT_EQ(client->clientCloseCalls.load(), 1);
    client->terminate(kIOServiceSynchronous);
    client->release();
}

TEST_F(OpenTest, BaseClientCloseIsUnsupportedAndDoesNothing)
{
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->IOUserClient::clientClose(), kIOReturnUnsupported);
    EXPECT_FALSE(client->isInactive());
    EXPECT_EQ(client->getProvider(), provider);
    closeAndForget(client);
}

TEST_F(OpenTest, ConnectionDiedWithoutCloseRunsClientDiedThenClientClose)
{
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(openiokit::connectionDied(client), kIOReturnSuccess);  // clientClose's result
    EXPECT_EQ(client->clientDiedCalls.load(), 1);
    EXPECT_EQ(client->clientCloseCalls.load(), 1);
    EXPECT_EQ(openiokit::connectionDied(client), kIOReturnNotReady);  // at most once
    EXPECT_EQ(client->clientDiedCalls.load(), 1);
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(client->isInactive());
    EXPECT_EQ(client->getProvider(), nullptr);
    EXPECT_EQ(openiokit::closeConnection(client), MACH_SEND_INVALID_DEST);  // the port is gone
    client->release();
}

TEST_F(OpenTest, TaskDeathKillsConnectionsItAloneOwnedAndNotYetClosed)
{
    UCTestUserClient* open1 = open();
    UCTestUserClient* closed = open();
    ASSERT_TRUE(open1 && closed);
    closed->terminateOnClose = false;
    openiokit::closeConnection(closed);
    task->taskDied();
    EXPECT_EQ(open1->clientDiedCalls.load(), 1);
    EXPECT_EQ(open1->clientCloseCalls.load(), 1);
    EXPECT_EQ(closed->clientDiedCalls.load(), 0);  // already closed: not "died"
    EXPECT_EQ(closed->clientCloseCalls.load(), 1);
    task->taskDied();  // idempotent
    EXPECT_EQ(open1->clientDiedCalls.load(), 1);
    // Messages to a dead task's ports fail.
    ipc_port* port = ipc_port::make(task.get(), 7);
    EXPECT_EQ(port->send({}, 0), MACH_SEND_INVALID_DEST);
    port->release();
    for (UCTestUserClient* client : {open1, closed}) {
        openiokit::connectionDied(client);
        client->terminate(kIOServiceSynchronous);
        client->release();
    }
}

TEST_F(OpenTest, SharedInstanceClosesEveryTime)
{
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    client->terminateOnClose = false;
    client->setProperty(kIOUserClientSharedInstanceKey, kOSBooleanTrue);
    provider->legacyClient = client;  // later opens return the same object
    IOUserClient* again = nullptr;
    ASSERT_EQ(openiokit::openConnection(provider, task.get(), 0, &again), kIOReturnSuccess);
    EXPECT_EQ(again, client);
    provider->legacyClient = nullptr;
    EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess);
    EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess);
    EXPECT_EQ(client->clientCloseCalls.load(), 2);
    again->release();
    openiokit::connectionDied(client);  // shared: clientDied closes again
    EXPECT_EQ(client->clientCloseCalls.load(), 3);
    client->terminate(kIOServiceSynchronous);
    client->release();
}

// --- Termination and the connection (§3.7) ------------------------------------------------------

TEST_F(OpenTest, ProviderTerminationDestroysTheConnectionSoCloseAndDeathAreNotCalled)
{
    std::mutex lock;
    std::set<OSObject*> destroyed;
    openiokit::setUserReferencesDestroyedHandler([&](OSObject* object) {
        std::lock_guard guard(lock);
        destroyed.insert(object);
    });
    UCTestUserClient* client = open();
    ASSERT_NE(client, nullptr);
    UCTestProvider* oldProvider = provider;
    provider = UCTestProvider::make();  // TearDown terminates a fresh one
    uctest::terminateAndRelease(oldProvider);
    openiokit::setUserReferencesDestroyedHandler(nullptr);
    {
        std::lock_guard guard(lock);
        EXPECT_TRUE(destroyed.count(client));       // user handles to both are dead names
        EXPECT_TRUE(destroyed.count(oldProvider));
    }
    EXPECT_EQ(client->stopCalls.load(), 1);
    EXPECT_EQ(client->getProvider(), nullptr);
    uint64_t input = 1, output = 0;
    IOExternalMethodArguments args = uctest::arguments(1, 0, 1, 0);
    args.scalarInput = &input;
    args.scalarOutput = &output;
    EXPECT_EQ(openiokit::callMethod(client, UCTestUserClient::kEchoSelector, &args), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(openiokit::closeConnection(client), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(openiokit::connectionDied(client), kIOReturnNotReady);
    EXPECT_EQ(client->clientCloseCalls.load(), 0);
    EXPECT_EQ(client->clientDiedCalls.load(), 0);
    {
        std::lock_guard guard(openiokit::userClientOwnersLock());
        EXPECT_TRUE(task->ownedUserClientsLocked().empty());  // no owner: task death won't reach it
    }
    client->release();
}

TEST_F(OpenTest, TerminateDuringCreationWaitsForTheOpenToFinish)
{
    std::atomic<bool> phase2RanEarly{false};
    UCTestProvider* victim = UCTestProvider::make();
    UCTestUserClient::sDuringStart = [&](UCTestUserClient* client, IOService* provider) {
        provider->terminate();  // asynchronous: phase 1 here, phase 2 deferred by the client
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        phase2RanEarly = client->stopCalls.load() != 0 || client->getProvider() == nullptr;
    };
    IOUserClient* client = nullptr;
    EXPECT_EQ(openiokit::openConnection(victim, task.get(), 0, &client), kIOReturnSuccess);
    UCTestUserClient::sDuringStart = nullptr;
    ASSERT_NE(client, nullptr);
    EXPECT_FALSE(phase2RanEarly.load());
    EXPECT_TRUE(client->isInactive());
    // Clearing the bit re-ran the provider's phase 2: the client stops and leaves.
    EXPECT_EQ(victim->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
    openiokit::waitForTerminationIdle();
    EXPECT_EQ(client->getProvider(), nullptr);
    EXPECT_EQ(OSDynamicCast(UCTestUserClient, client)->stopCalls.load(), 1);
    // As in xnu the connect port is made after the client's user references were destroyed,
    // so this connection is live and can be closed.
    EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess);
    EXPECT_EQ(OSDynamicCast(UCTestUserClient, client)->clientCloseCalls.load(), 1);
    openiokit::connectionDied(client);
    client->release();
    victim->release();
}
