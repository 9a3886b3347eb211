// Privilege from peer credentials (uid 65534 vs root), the C client, shared memory, and the
// daemon's own life: single instance, stale socket, clean SIGTERM.
#include "IntegrationSupport.h"

#include <IOKit/kext/KextManager.h>

#include <csignal>
#include <cstring>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace integration;

TEST(Privilege, UnprivilegedCallerIsRefusedWhereRootIsRequired)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestPrivileged, nullptr, 0, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);

    const pid_t child = forkChild([] {
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            return 10;
        }
        io_connect_t c = IO_OBJECT_NULL;
        if (openDriver(&c) != kIOReturnSuccess) {
            return 11;  // every local user may connect and open
        }
        if (IOConnectCallScalarMethod(c, kIPCTestPrivileged, nullptr, 0, nullptr, nullptr) != kIOReturnNotPrivileged) {
            return 12;
        }
        char name[] = kIPCTestDriverClass;
        if (IOCatalogueTerminate(kIOMainPortDefault, kIOCatalogServiceTerminate, name) != kIOReturnNotPrivileged) {
            return 13;
        }
        if (KextManagerUnloadKextWithIdentifier(CFSTR(kIPCTestDriverBundleID)) != kOSKextReturnNotPrivileged) {
            return 14;
        }
        IOServiceClose(c);
        return 0;
    });
    EXPECT_EQ(waitChild(child), 0);
    // The driver is still there: nothing was terminated by the refused requests.
    io_service_t service = findDriver();
    EXPECT_NE(service, IO_OBJECT_NULL);
    IOObjectRelease(service);
}

TEST(CClient, ACProgramUsingOnlyApplesAPIRunsUnchanged)
{
    Daemon daemon;
    const pid_t child = forkChild([] {
        execl(OPENIOKIT_C_CLIENT, OPENIOKIT_C_CLIENT, static_cast<char*>(nullptr));
        return 127;
    });
    EXPECT_EQ(waitChild(child), 0) << daemon.log();
}

TEST(SharedMemory, MemoryWrittenByTheKextIsReadByTheClient)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    mach_vm_address_t address = 0;
    mach_vm_size_t size = 0;
    ASSERT_EQ(IOConnectMapMemory64(connect, 0, mach_task_self(), &address, &size, kIOMapAnywhere), kIOReturnSuccess);
    ASSERT_NE(address, 0u);
    EXPECT_EQ(size, static_cast<mach_vm_size_t>(kIPCTestSharedSize));
    uint64_t in = 31;
    ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestWriteShared, &in, 1, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_STREQ(reinterpret_cast<const char*>(address), "shared 31");
    EXPECT_EQ(IOConnectUnmapMemory64(connect, 0, mach_task_self(), address), kIOReturnSuccess);
    EXPECT_EQ(IOConnectUnmapMemory64(connect, 0, mach_task_self(), address), kIOReturnBadArgument);
    // A type the driver does not have.
    EXPECT_EQ(IOConnectMapMemory64(connect, 5, mach_task_self(), &address, &size, kIOMapAnywhere),
              kIOReturnBadArgument);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

TEST(DaemonLifecycle, ASecondDaemonRefusesWithAClearMessage)
{
    Daemon daemon;
    auto [status, log] = daemon.runSecond();
    EXPECT_EQ(status, 1);
    EXPECT_NE(log.find("already serving"), std::string::npos) << log;
    // The first one still serves.
    io_service_t service = findDriver();
    EXPECT_NE(service, IO_OBJECT_NULL);
    IOObjectRelease(service);
}

TEST(DaemonLifecycle, SigtermShutsDownCleanlyAndAStaleSocketIsReplaced)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    EXPECT_EQ(daemon.stop(), 0);
    struct stat st;
    EXPECT_NE(stat(daemon.socketPath().c_str(), &st), 0) << "the socket was not removed";
    // The connection's process (this one) sees the daemon gone.
    uint64_t in = 1, out = 0;
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &count), MACH_SEND_INVALID_DEST);

    // A crashed daemon leaves its socket file; the next one replaces it.
    Daemon crashed(false);
    ASSERT_GT(crashed.pid(), 0);
    kill(crashed.pid(), SIGKILL);
    waitChild(crashed.pid());
    ASSERT_EQ(stat(crashed.socketPath().c_str(), &st), 0);
    const pid_t second = forkChild([&] {
        execl(OPENIOKIT_IOKITD, OPENIOKIT_IOKITD, "--foreground", "--state-dir", crashed.stateDir().c_str(),
              static_cast<char*>(nullptr));
        return 127;
    });
    EXPECT_TRUE(eventually([&] {
        return IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("IOResources")) != IO_OBJECT_NULL;
    }));
    kill(second, SIGTERM);
    EXPECT_EQ(waitChild(second), 0);
}
