// Async completions and the other base-class defaults (iokit-semantics.md §3.4, §3.6):
// sendAsyncResult64's limits and message layout, wake ports of dead tasks, clientHasPrivilege.
#include "test_io_user_client_support.h"

#include "../../src/kernel/UserClientConnection.h"

#include <gtest/gtest.h>

#include <cstring>

using uctest::FakeTask;

// The protected statics, reachable from a test the way a subclass reaches them.
class UCAsyncProbe : public UCTestUserClient {
public:
    using IOUserClient::sendAsyncResult;
    using IOUserClient::sendAsyncResult64;
    using IOUserClient::sendAsyncResult64WithOptions;
    using IOUserClient::setAsyncReference64;
};

namespace {

class AsyncTest : public ::testing::Test {
protected:
    void SetUp() override { port = ipc_port::make(task.get(), 0x1234); }
    void TearDown() override
    {
        if (port) {
            port->release();
        }
    }

    uctest::Environment environment;
    openiokit::RefPtr<FakeTask> task = FakeTask::make();
    ipc_port* port = nullptr;
};

struct Completion {
    OSNotificationHeader64 header;
    IOReturn result;
    std::vector<io_user_reference_t> args;
};

Completion decode64(const openiokit::PortMessage& message)
{
    Completion completion{};
    std::memcpy(&completion.header, message.body.data(), sizeof(completion.header));
    std::memcpy(&completion.result, message.body.data() + sizeof(completion.header), sizeof(IOReturn));
    const size_t argsOffset = sizeof(completion.header) + sizeof(IOReturn);
    completion.args.resize((message.body.size() - argsOffset) / sizeof(io_user_reference_t));
    std::memcpy(completion.args.data(), message.body.data() + argsOffset,
                completion.args.size() * sizeof(io_user_reference_t));
    return completion;
}

}  // namespace

TEST_F(AsyncTest, CompletionReachesTheWakePortIn64BitLayout)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0xCA11BAC4, 0xBEEF, task.get());
    io_user_reference_t args[3] = {10, 20, 0xffff'ffff'ffff'fff0ull};
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnAborted, args, 3), kIOReturnSuccess);
    const auto received = task->received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].port, 0x1234u);
    EXPECT_EQ(received[0].message.msgID, (uint32_t)kOSNotificationMessageID);
    const Completion completion = decode64(received[0].message);
    EXPECT_EQ(completion.header.type, (natural_t)kIOAsyncCompletionNotificationType);
    EXPECT_EQ(completion.header.size, sizeof(IOAsyncCompletionContent) + 3 * sizeof(io_user_reference_t));
    EXPECT_EQ(completion.header.reference[kIOAsyncReservedIndex], 0u);  // the port is not leaked
    EXPECT_EQ(completion.header.reference[kIOAsyncCalloutFuncIndex], 0xCA11BAC4u);
    EXPECT_EQ(completion.header.reference[kIOAsyncCalloutRefconIndex], 0xBEEFu);
    EXPECT_EQ(completion.result, kIOReturnAborted);
    EXPECT_EQ(completion.args, (std::vector<io_user_reference_t>{10, 20, 0xffff'ffff'ffff'fff0ull}));
}

TEST_F(AsyncTest, WithoutThe64BitFlagTheLayoutIs32Bit)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0x1000, 0x2000);  // no task: no flag
    io_user_reference_t args[2] = {0x1'0000'0001ull, 2};
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, args, 2), kIOReturnSuccess);
    const auto received = task->received();
    ASSERT_EQ(received.size(), 1u);
    const auto& body = received[0].message.body;
    ASSERT_EQ(body.size(), sizeof(OSNotificationHeader) + sizeof(IOReturn) + 2 * sizeof(uint32_t));
    OSNotificationHeader header;
    std::memcpy(&header, body.data(), sizeof(header));
    EXPECT_EQ(header.size, sizeof(IOAsyncCompletionContent) + 2 * sizeof(uint32_t));
    EXPECT_EQ(header.reference[kIOAsyncCalloutFuncIndex], 0x1000u);
    uint32_t arg0;
    std::memcpy(&arg0, body.data() + sizeof(header) + sizeof(IOReturn), sizeof(arg0));
    EXPECT_EQ(arg0, 1u);
}

TEST_F(AsyncTest, MoreThanSixteenArgumentsIsMessageTooLarge)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0, 0, task.get());
    io_user_reference_t args[kMaxAsyncArgs + 1] = {};
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, args, kMaxAsyncArgs + 1),
              kIOReturnMessageTooLarge);
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, args, kMaxAsyncArgs), kIOReturnSuccess);
    EXPECT_EQ(task->received().size(), 1u);
    EXPECT_EQ(decode64(task->received()[0].message).args.size(), (size_t)kMaxAsyncArgs);
    // The 32-bit entry point checks the count before anything else.
    OSAsyncReference reference32 = {};
    void* args32[kMaxAsyncArgs + 1] = {};
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult(reference32, kIOReturnSuccess, args32, kMaxAsyncArgs + 1),
              kIOReturnMessageTooLarge);
}

TEST_F(AsyncTest, NoWakePortIsASuccessfulNoOpEvenWithTooManyArguments)
{
    OSAsyncReference64 reference = {};
    io_user_reference_t args[kMaxAsyncArgs + 1] = {};
    // xnu looks at the port first.
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, args, kMaxAsyncArgs + 1),
              kIOReturnSuccess);
    EXPECT_TRUE(task->received().empty());
}

TEST_F(AsyncTest, ADeadTaskFailsWithInvalidDestAndTheFailureIsLoggedOnce)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0, 0, task.get());
    task->taskDied();
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, nullptr, 0), MACH_SEND_INVALID_DEST);
    EXPECT_NE(reference[0] & 2, 0u);  // kIOUCAsyncErrorLoggedFlag
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, nullptr, 0), MACH_SEND_INVALID_DEST);
    EXPECT_TRUE(task->received().empty());
}

TEST_F(AsyncTest, CanDropIsPassedToTheTask)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0, 0, task.get());
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64WithOptions(reference, kIOReturnSuccess, nullptr, 0,
                                                         kIOUserNotifyOptionCanDrop),
              kIOReturnSuccess);
    ASSERT_EQ(task->received().size(), 1u);
    EXPECT_EQ(task->received()[0].options, (IOOptionBits)kIOUserNotifyOptionCanDrop);
}

TEST_F(AsyncTest, ReleaseAsyncReferenceDropsThePortAndAStalePortIsNotTrusted)
{
    OSAsyncReference64 reference = {};
    UCAsyncProbe::setAsyncReference64(reference, port, 0, 0, task.get());
    const void* raw = port;
    EXPECT_EQ(IOUserClient::releaseAsyncReference64(reference), kIOReturnSuccess);
    port = nullptr;  // that was the only reference
    EXPECT_EQ(ipc_port::copyValid(raw), nullptr);
    EXPECT_EQ(UCAsyncProbe::sendAsyncResult64(reference, kIOReturnSuccess, nullptr, 0), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(IOUserClient::releaseAsyncReference64(reference), kIOReturnSuccess);  // ignored
}

TEST_F(AsyncTest, BaseDefaultsAreUnsupported)
{
    UCTestUserClient* client = OSTypeAlloc(UCTestUserClient);
    ASSERT_TRUE(client->init());
    EXPECT_EQ(client->registerNotificationPort(port, 0, (UInt32)0), kIOReturnUnsupported);
    EXPECT_EQ(client->registerNotificationPort(port, 0, (io_user_reference_t)0), kIOReturnUnsupported);
    IOOptionBits options = 0;
    IOMemoryDescriptor* memory = nullptr;
    EXPECT_EQ(client->clientMemoryForType(0, &options, &memory), kIOReturnUnsupported);
    EXPECT_EQ(client->getService(), nullptr);
    EXPECT_EQ(client->connectClient(client), kIOReturnUnsupported);
    client->release();
}

// --- clientHasPrivilege (§3.4) -------------------------------------------------------------------

namespace {

// Publishes IOConsoleUsers on the registry root for one test.
class ConsoleUsers {
public:
    ConsoleUsers(uint32_t uid, bool onConsole, uint32_t auditID)
    {
        OSSharedPtr<OSDictionary> user(OSDictionary::withCapacity(3), OSNoRetain);
        OSSharedPtr<OSNumber> uidNumber(OSNumber::withNumber(uid, 32), OSNoRetain);
        OSSharedPtr<OSNumber> auditNumber(OSNumber::withNumber(auditID, 32), OSNoRetain);
        user->setObject("kCGSSessionUserIDKey", uidNumber.get());
        user->setObject("kCGSSessionAuditIDKey", auditNumber.get());
        user->setObject("kCGSSessionOnConsoleKey", onConsole ? kOSBooleanTrue : kOSBooleanFalse);
        const OSObject* objects[] = {user.get()};
        OSSharedPtr<OSArray> users(OSArray::withObjects(objects, 1, 1), OSNoRetain);
        IORegistryEntry::getRegistryRoot()->setProperty("IOConsoleUsers", users.get());
    }
    ~ConsoleUsers() { IORegistryEntry::getRegistryRoot()->removeProperty("IOConsoleUsers"); }
};

}  // namespace

TEST(UserClientPrivilege, RootMeansUidZero)
{
    uctest::Environment environment;
    auto root = FakeTask::make(0);
    auto nobody = FakeTask::make(65534);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(root.get(), kIOClientPrivilegeAdministrator), kIOReturnSuccess);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(nobody.get(), kIOClientPrivilegeAdministrator),
              kIOReturnNotPrivileged);
}

TEST(UserClientPrivilege, UnknownPrivilegeIsUnsupportedAndNoTaskIsInvalidArgument)
{
    uctest::Environment environment;
    auto nobody = FakeTask::make(65534);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(nobody.get(), "wizard"), kIOReturnUnsupported);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(nullptr, kIOClientPrivilegeAdministrator), KERN_INVALID_ARGUMENT);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(nobody.get(), kIOClientPrivilegeForeground), kIOReturnSuccess);
}

TEST(UserClientPrivilege, ConsolePrivilegesFollowIOConsoleUsers)
{
    uctest::Environment environment;
    auto user = FakeTask::make(501);
    auto other = FakeTask::make(502);
    // Nobody logged in: refused, as on a Mac at the login window.
    EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeLocalUser), kIOReturnNotPrivileged);
    EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeConsoleUser), kIOReturnNotPrivileged);
    {
        ConsoleUsers session(501, true, 100001);
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeLocalUser), kIOReturnSuccess);
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeConsoleUser), kIOReturnSuccess);
        EXPECT_EQ(IOUserClient::clientHasPrivilege(other.get(), kIOClientPrivilegeLocalUser),
                  kIOReturnNotPrivileged);
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeConsoleSession),
                  kIOReturnNotPrivileged);
        user->auditSession = 100001;
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeConsoleSession), kIOReturnSuccess);
        IOUCProcessToken token = {user.get(), 4242};
        EXPECT_EQ(IOUserClient::clientHasPrivilege(&token, kIOClientPrivilegeSecureConsoleProcess),
                  kIOReturnSuccess);
    }
    {
        ConsoleUsers session(501, false, 100001);  // logged in, not on the console
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeLocalUser), kIOReturnSuccess);
        EXPECT_EQ(IOUserClient::clientHasPrivilege(user.get(), kIOClientPrivilegeConsoleUser),
                  kIOReturnNotPrivileged);
    }
}
