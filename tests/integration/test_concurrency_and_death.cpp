// Concurrency (16 processes, threads of one process) and process death (kill -9 in a call).
// Overlap is proved with the driver's blocking selector, not with timing: every caller is
// inside externalMethod at once before any is released.
#include "IntegrationSupport.h"

#include <csignal>
#include <thread>
#include <vector>

using namespace integration;

namespace {

// A child that opens the driver and makes one blocking call; exits 0 if it returned success.
int blockingClient()
{
    io_connect_t connect = IO_OBJECT_NULL;
    if (openDriver(&connect) != kIOReturnSuccess) {
        return 2;
    }
    const kern_return_t kr = IOConnectCallScalarMethod(connect, kIPCTestBlock, nullptr, 0, nullptr, nullptr);
    IOServiceClose(connect);
    return kr == kIOReturnSuccess ? 0 : 3;
}

}  // namespace

TEST(Concurrency, SixteenClientsOverlapAndASlowCallBlocksNoOne)
{
    Daemon daemon;
    io_connect_t control = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&control), kIOReturnSuccess);

    std::vector<pid_t> children;
    for (int i = 0; i < 16; i++) {
        children.push_back(forkChild(blockingClient));
    }
    // All 16 are inside the driver at the same time.
    EXPECT_TRUE(eventually([&] { return stats(control).inFlight == 16; })) << "in flight: " << stats(control).inFlight;

    // Meanwhile another client opens, calls and closes without waiting for them.
    io_connect_t other = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&other), kIOReturnSuccess);
    uint64_t in = 1, out = 0;
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(other, kIPCTestEcho, &in, 1, &out, &count), kIOReturnSuccess);
    EXPECT_EQ(IOServiceClose(other), kIOReturnSuccess);
    EXPECT_EQ(stats(control).inFlight, 16u);

    EXPECT_EQ(IOConnectCallScalarMethod(control, kIPCTestRelease, nullptr, 0, nullptr, nullptr), kIOReturnSuccess);
    for (pid_t child : children) {
        EXPECT_EQ(waitChild(child), 0);
    }
    EXPECT_EQ(IOServiceClose(control), kIOReturnSuccess);
}

TEST(Concurrency, ThreadsOfOneProcessCallConcurrently)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    std::vector<std::thread> threads;
    std::atomic<int> succeeded{0};
    for (int i = 0; i < 4; i++) {
        threads.emplace_back([&] {
            if (IOConnectCallScalarMethod(connect, kIPCTestBlock, nullptr, 0, nullptr, nullptr) == kIOReturnSuccess) {
                succeeded++;
            }
        });
    }
    // The same connection, four threads, all inside the driver; this thread still gets answers.
    EXPECT_TRUE(eventually([&] { return stats(connect).inFlight == 4; }));
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestRelease, nullptr, 0, nullptr, nullptr), kIOReturnSuccess);
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(succeeded.load(), 4);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

TEST(ProcessDeath, KillNineDuringACallRunsClientDiedAndOthersCarryOn)
{
    Daemon daemon;
    io_connect_t control = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&control), kIOReturnSuccess);
    const Stats before = stats(control);

    const pid_t victim = forkChild(blockingClient);
    ASSERT_TRUE(eventually([&] { return stats(control).inFlight == 1; }));
    kill(victim, SIGKILL);
    EXPECT_EQ(waitChild(victim), -1);

    // clientDied waits for the call in flight (§3.5); let it return.
    EXPECT_EQ(IOConnectCallScalarMethod(control, kIPCTestRelease, nullptr, 0, nullptr, nullptr), kIOReturnSuccess);
    EXPECT_TRUE(eventually([&] { return stats(control).died == before.died + 1; }))
        << "clientDied calls: " << stats(control).died;
    EXPECT_TRUE(eventually([&] { return stats(control).closes == before.closes + 1; }));

    uint64_t in = 9, out = 0;
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(control, kIPCTestEcho, &in, 1, &out, &count), kIOReturnSuccess);
    EXPECT_EQ(out, 10u);
    EXPECT_EQ(IOServiceClose(control), kIOReturnSuccess);
    EXPECT_NE(daemon.log().find("IPCTestUserClient: clientDied"), std::string::npos);
}

TEST(ProcessDeath, ExitWithoutCloseRunsClientDied)
{
    Daemon daemon;
    io_connect_t control = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&control), kIOReturnSuccess);
    const Stats before = stats(control);
    const pid_t child = forkChild([] {
        io_connect_t connect = IO_OBJECT_NULL;
        return openDriver(&connect) == kIOReturnSuccess ? 0 : 1;  // exits holding the connection
    });
    EXPECT_EQ(waitChild(child), 0);
    EXPECT_TRUE(eventually([&] { return stats(control).died == before.died + 1; }));
    EXPECT_EQ(stats(control).opens, before.opens + 1);
    EXPECT_EQ(IOServiceClose(control), kIOReturnSuccess);
}
