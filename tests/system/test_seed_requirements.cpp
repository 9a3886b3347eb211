// The seed's three requirements for com.osxkernel.driver, with real client daemons
// (docs/seed-answer.md §3): R1 kextunload refused while clients are connected, R2 the driver
// leaves by itself after the last client, R3 hot-unplug still works at once.
#include "SystemSupport.h"

#include "DriverInterface.h"

#include <csignal>
#include <deque>
#include <thread>

using namespace systemtest;

namespace {

constexpr const char* kBundle = kOSXKernelDriverBundleIdentifier;
constexpr const char* kDriver = kOSXKernelDriverClassName;
constexpr const char* kClient = kOSXKernelDriverClientClassName;

// A daemon with SimBus, dev0 plugged and the driver attached to it.
struct SeedSystem {
    explicit SeedSystem(double autounloadDelay) : daemon(autounloadDelay)
    {
        daemon.loadSimBusAndPlug("dev0", kOSXKernelDeviceMatchKey);
        loadDriver();
    }
    void loadDriver()
    {
        const Result load = daemon.tool("kextload", {driverKext()});
        ASSERT_EQ(load.exitCode, 0) << load.output;
        ASSERT_TRUE(eventually([&] { return daemon.classCount(kDriver) == 1; }));
    }
    // n connected clientd daemons, each with at least one successful call.
    std::deque<Process> connect(int n, const std::vector<std::string>& args = {"--interval", "50"})
    {
        std::deque<Process> clients;
        for (int i = 0; i < n; i++) {
            clients.push_back(daemon.clientd("c" + std::to_string(i), args));
        }
        for (Process& c : clients) {
            EXPECT_TRUE(eventually([&] { return c.count(" call selector") >= 1; })) << c.output();
        }
        return clients;
    }
    Daemon daemon;
};

bool allCallAgain(std::deque<Process>& clients)
{
    std::vector<size_t> before;
    for (Process& c : clients) {
        before.push_back(c.count(" call selector"));
    }
    for (size_t i = 0; i < clients.size(); i++) {
        if (!eventually([&] { return clients[i].count(" call selector") >= before[i] + 2; })) {
            return false;
        }
    }
    return true;
}

}  // namespace

// --- R1 ------------------------------------------------------------------------------------------

class KextunloadRefused : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(KextunloadRefused, WhileClientsAreConnectedNothingIsTerminated)
{
    const auto [clientCount, byPath] = GetParam();
    SeedSystem system(60.0);
    auto clients = system.connect(clientCount);
    ASSERT_EQ(system.daemon.classCount(kClient), clientCount);

    const uint64_t since = system.daemon.lastLogSequence() + 1;
    const Result unload = byPath ? system.daemon.tool("kextunload", {driverKext()})
                                 : system.daemon.tool("kextunload", {"-b", kBundle});
    EXPECT_EQ(unload.exitCode, 3) << unload.output;  // kextunload_main.h: PartialFailure
    EXPECT_NE(unload.output.find(std::string("Failed to unload ") + kBundle +
                                 " - (libkern/kext) kext is in use or retained (cannot unload)."),
              std::string::npos)
        << unload.output;
    const auto log = system.daemon.kernelLog(since);
    EXPECT_EQ(countContaining(log, "::terminate("), 0u);
    EXPECT_EQ(countContaining(log, "::stop("), 0u);
    EXPECT_TRUE(system.daemon.kextLoaded(kBundle));
    EXPECT_EQ(system.daemon.classCount(kDriver), 1);
    EXPECT_EQ(system.daemon.classCount(kClient), clientCount);
    EXPECT_TRUE(allCallAgain(clients));
    // No personality was lost: a re-plugged device still matches the driver.
    ASSERT_EQ(system.daemon.tool("simbusctl", {"unplug", "dev0"}).exitCode, 0);
    ASSERT_EQ(system.daemon.tool("simbusctl", {"plug", "dev0", std::string(kOSXKernelDeviceMatchKey) + "=true"}).exitCode, 0);
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kDriver) == 1; }));
    EXPECT_TRUE(allCallAgain(clients));  // they reconnected by themselves
}

INSTANTIATE_TEST_SUITE_P(Clients, KextunloadRefused,
                         ::testing::Combine(::testing::Values(1, 2, 16), ::testing::Bool()),
                         [](const auto& info) {
                             return std::to_string(std::get<0>(info.param)) + "Clients" +
                                    (std::get<1>(info.param) ? "ByPath" : "ByIdentifier");
                         });

TEST(SeedR1, NonRootKextunloadAndNonRootRequestsAreRefused)
{
    SeedSystem system(60.0);
    auto clients = system.connect(1);
    const Result tool = system.daemon.tool("kextunload", {"-b", kBundle}, 65534);
    EXPECT_EQ(tool.exitCode, 77) << tool.output;  // EX_NOPERM, before anything is sent
    EXPECT_NE(tool.output.find("You must be running as root"), std::string::npos) << tool.output;
    // A client that sends the request itself is refused by iokitd.
    Process request = system.daemon.fixtureClient("unload", {"unload", kBundle}, 65534);
    ASSERT_EQ(request.wait(), 0) << request.output();
    // KextManagerUnloadKextWithIdentifier returns an OSReturn: kOSKextReturnNotPrivileged, the
    // code xnu's OSKext::handleRequest gives a non-root unload request (§1.3).
    EXPECT_EQ(request.count("unload 0xdc008004"), 1u) << request.output();
    EXPECT_TRUE(system.daemon.kextLoaded(kBundle));
    EXPECT_TRUE(allCallAgain(clients));
}

// --- R2 ------------------------------------------------------------------------------------------

namespace {

// After the last client left: one terminate and one stop of the driver, no instances, and the
// kext unloads by itself.
void expectDriverLeftAndKextUnloaded(const Daemon& daemon, uint64_t since)
{
    EXPECT_TRUE(eventually([&] { return daemon.classCount(kDriver) == 0 && daemon.classCount(kClient) == 0; }));
    EXPECT_TRUE(eventually([&] { return !daemon.kextLoaded(kBundle); }));
    const auto log = daemon.kernelLog(since);
    EXPECT_EQ(countContaining(log, "com_osxkernel_driver::terminate("), 1u);
    EXPECT_EQ(countContaining(log, "com_osxkernel_driver::stop("), 1u);
    EXPECT_EQ(countContaining(log, "Kext com.osxkernel.driver unloaded."), 1u);
}

}  // namespace

TEST(SeedR2, LastClientClosing)
{
    SeedSystem system(0.5);
    auto clients = system.connect(2);
    const uint64_t since = system.daemon.lastLogSequence() + 1;
    clients[0].signal(SIGTERM);
    EXPECT_EQ(clients[0].wait(), 0);
    EXPECT_EQ(clients[0].count(" closed "), 1u);
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kClient) == 1; }));
    EXPECT_EQ(system.daemon.classCount(kDriver), 1);
    clients[1].signal(SIGTERM);
    EXPECT_EQ(clients[1].wait(), 0);
    expectDriverLeftAndKextUnloaded(system.daemon, since);
}

TEST(SeedR2, LastClientKilled)
{
    SeedSystem system(0.5);
    auto clients = system.connect(2);
    const uint64_t since = system.daemon.lastLogSequence() + 1;
    clients[0].signal(SIGKILL);
    clients[0].wait();
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kClient) == 1; }));
    EXPECT_EQ(system.daemon.classCount(kDriver), 1);
    clients[1].signal(SIGKILL);
    clients[1].wait();
    expectDriverLeftAndKextUnloaded(system.daemon, since);
}

TEST(SeedR2, MixOfCloseAndKill)
{
    SeedSystem system(0.5);
    auto clients = system.connect(3);
    const uint64_t since = system.daemon.lastLogSequence() + 1;
    clients[0].signal(SIGKILL);
    clients[1].signal(SIGTERM);
    clients[0].wait();
    EXPECT_EQ(clients[1].wait(), 0);
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kClient) == 1; }));
    EXPECT_EQ(system.daemon.classCount(kDriver), 1);
    const size_t calls = clients[2].count(" call selector");
    EXPECT_TRUE(eventually([&] { return clients[2].count(" call selector") >= calls + 2; }));
    clients[2].signal(SIGTERM);
    EXPECT_EQ(clients[2].wait(), 0);
    expectDriverLeftAndKextUnloaded(system.daemon, since);
}

TEST(SeedR2, LastTwoLeavingAtTheSameInstant)
{
    SeedSystem system(0.5);
    auto clients = system.connect(2);
    const uint64_t since = system.daemon.lastLogSequence() + 1;
    clients[0].signal(SIGKILL);
    clients[1].signal(SIGTERM);
    clients[0].wait();
    EXPECT_EQ(clients[1].wait(), 0);
    expectDriverLeftAndKextUnloaded(system.daemon, since);
}

// After the last close the driver is gone but the kext waits out the autounload delay; a device
// and a client arriving then get a new driver instance from it, which keeps it loaded.
TEST(SeedR2, NewClientDuringTheDelayKeepsTheKextLoaded)
{
    constexpr double kDelay = 3.0;
    SeedSystem system(kDelay);
    auto first = system.connect(1);
    first[0].signal(SIGTERM);
    ASSERT_EQ(first[0].wait(), 0);
    ASSERT_TRUE(eventually([&] { return system.daemon.classCount(kDriver) == 0; }));
    ASSERT_TRUE(system.daemon.kextLoaded(kBundle));
    Process late = system.daemon.clientd("late", {"--interval", "50"});
    ASSERT_EQ(system.daemon.tool("simbusctl", {"unplug", "dev0"}).exitCode, 0);
    ASSERT_EQ(system.daemon.tool("simbusctl", {"plug", "dev0", std::string(kOSXKernelDeviceMatchKey) + "=true"}).exitCode, 0);
    ASSERT_TRUE(eventually([&] { return late.count(" call selector") >= 1; })) << late.output();
    // Twice the delay: an autounload would have happened by now; the client's retain prevents it.
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(2 * kDelay * 1000)));
    EXPECT_TRUE(system.daemon.kextLoaded(kBundle));
    const size_t calls = late.count(" call selector");
    EXPECT_TRUE(eventually([&] { return late.count(" call selector") > calls; }));
    late.signal(SIGTERM);
    EXPECT_EQ(late.wait(), 0);
    EXPECT_TRUE(eventually([&] { return !system.daemon.kextLoaded(kBundle); }));
}

// --- R3 ------------------------------------------------------------------------------------------

namespace {

void unplugAndCheckClientsWereTold(SeedSystem& system, std::deque<Process>& clients)
{
    const Result unplug = system.daemon.tool("simbusctl", {"unplug", "dev0"});  // synchronous
    ASSERT_EQ(unplug.exitCode, 0) << unplug.output;
    EXPECT_EQ(system.daemon.classCount(kDriver), 0);  // gone when unplug returns
    for (Process& c : clients) {
        EXPECT_TRUE(eventually([&] {
            return c.count("message type=kIOMessageServiceIsTerminated") == 1 && c.count(" closed ") == 1 &&
                   c.count(" waiting ") >= 2;
        })) << c.output();
        EXPECT_FALSE(c.exited()) << c.output();
    }
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kClient) == 0; }));
}

// Every daemon still answers SIGTERM at once: none of its threads is blocked.
void stopAll(std::deque<Process>& clients)
{
    for (Process& c : clients) {
        c.signal(SIGTERM);
    }
    for (Process& c : clients) {
        EXPECT_EQ(c.wait(), 0) << c.output();
    }
}

}  // namespace

TEST(SeedR3, HotUnplugWithIdleClientsThenReplugReconnects)
{
    SeedSystem system(60.0);
    auto clients = system.connect(3, {"--interval", "200", "--wait-events"});
    for (Process& c : clients) {
        ASSERT_TRUE(eventually([&] { return c.count(" wait-armed") == 1; }));
    }
    Process probe = system.daemon.fixtureClient("probe", {"open", kDriver});
    ASSERT_TRUE(eventually([&] { return probe.count("opened") == 1; }));
    unplugAndCheckClientsWereTold(system, clients);
    for (Process& c : clients) {
        EXPECT_EQ(c.count(" event-aborted"), 1u) << c.output();
        EXPECT_EQ(c.count("why=terminated result=0x10000003"), 1u) << c.output();  // §3.7
    }
    // A call after termination fails with MACH_SEND_INVALID_DEST (§3.7).
    probe.signal(SIGUSR1);
    EXPECT_TRUE(eventually([&] { return probe.count("call 0x10000003") == 1; })) << probe.output();
    // Re-plug: the driver matches again and the waiting daemons reconnect by themselves.
    ASSERT_EQ(system.daemon.tool("simbusctl", {"plug", "dev0", std::string(kOSXKernelDeviceMatchKey) + "=true"}).exitCode, 0);
    EXPECT_TRUE(eventually([&] { return system.daemon.classCount(kDriver) == 1; }));
    for (Process& c : clients) {
        EXPECT_TRUE(eventually([&] { return c.count(" opened ") == 2; })) << c.output();
    }
    EXPECT_TRUE(allCallAgain(clients));
    stopAll(clients);
    probe.signal(SIGTERM);
    EXPECT_EQ(probe.wait(), 0);
}

TEST(SeedR3, HotUnplugWithCallsInFlight)
{
    SeedSystem system(60.0);
    auto clients = system.connect(4, {"--interval", "0", "--wait-events"});  // calls back to back
    unplugAndCheckClientsWereTold(system, clients);
    for (Process& c : clients) {
        // Whatever a call met after the connection died, it was the §3.7 code.
        const std::string out = c.output();
        EXPECT_EQ(c.count("call-failed"), c.count("call-failed selector=increment value=0 result=0x10000003") +
                                              c.count("call-failed selector=echo same=no result=0x10000003"))
            << out;
    }
    stopAll(clients);
}
