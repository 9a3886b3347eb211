// The seed question's two earlier drivers, run as the question ran them: loaded into iokitd,
// two client processes connected, then root's kextunload (docs/seed-answer.md §1, §2).
#include "SystemSupport.h"

#include <csignal>

using namespace systemtest;

namespace {

std::vector<std::string> terminateAndStopLines(const std::vector<std::string>& log)
{
    std::vector<std::string> lines;
    for (const std::string& line : log) {
        if (line.find("::terminate(") != std::string::npos || line.find("::stop(") != std::string::npos) {
            lines.push_back(line);
        }
    }
    return lines;
}

}  // namespace

// The naive driver with two clients: kextunload logs the seed's six lines, exactly, and unloads.
TEST(SeedFixtures, NaiveDriverWithTwoClientsLogsTheSeedTraceAndUnloads)
{
    Daemon daemon(1.0);
    daemon.loadSimBusAndPlug("dev0", "seed-naive-device");
    const Result load = daemon.tool("kextload", {testKext("SeedNaiveDriver")});
    ASSERT_EQ(load.exitCode, 0) << load.output;
    ASSERT_TRUE(eventually([&] { return daemon.classCount("SeedNaiveDriver") == 1; }));
    // U1 then U2: the order they attach in is the order phase 1 visits them.
    Process u1 = daemon.fixtureClient("u1", {"open", "SeedNaiveDriver"});
    ASSERT_TRUE(eventually([&] { return u1.count("opened") == 1; })) << u1.output();
    Process u2 = daemon.fixtureClient("u2", {"open", "SeedNaiveDriver"});
    ASSERT_TRUE(eventually([&] { return u2.count("opened") == 1; })) << u2.output();

    const uint64_t since = daemon.lastLogSequence() + 1;
    const Result unload = daemon.tool("kextunload", {"-b", "com.openiokit.test.SeedNaiveDriver"});
    EXPECT_EQ(unload.exitCode, 0) << unload.output;
    EXPECT_NE(unload.output.find("unloaded and personalities removed"), std::string::npos) << unload.output;
    EXPECT_EQ(terminateAndStopLines(daemon.kernelLog(since)),
              (std::vector<std::string>{"virtual bool SeedNaiveDriver::terminate(IOOptionBits)",
                                        "virtual bool SeedNaiveDriverClient::terminate(IOOptionBits)",
                                        "virtual bool SeedNaiveDriverClient::terminate(IOOptionBits)",
                                        "virtual void SeedNaiveDriverClient::stop(IOService*)",
                                        "virtual void SeedNaiveDriverClient::stop(IOService*)",
                                        "virtual void SeedNaiveDriver::stop(IOService*)"}));
    EXPECT_FALSE(daemon.kextLoaded("com.openiokit.test.SeedNaiveDriver"));
    EXPECT_EQ(daemon.classCount("SeedNaiveDriverClient"), 0);
    // The clients' connections were destroyed under them (§3.7): closing now finds a dead port.
    u1.signal(SIGTERM);
    u2.signal(SIGTERM);
    EXPECT_EQ(u1.wait(), 0);
    EXPECT_EQ(u2.wait(), 0);
    EXPECT_EQ(u1.count("closed 0x10000003"), 1u) << u1.output();
}

// The question's workaround: the user clients refuse terminate(), so kextunload still terminates
// and stops the driver, orphans the clients, and then fails on their instances.
TEST(SeedFixtures, WorkaroundStillStopsTheDriverAndThenFailsToUnload)
{
    Daemon daemon(60.0);
    daemon.loadSimBusAndPlug("dev0", "seed-workaround-device");
    const Result load = daemon.tool("kextload", {testKext("SeedWorkaroundDriver")});
    ASSERT_EQ(load.exitCode, 0) << load.output;
    ASSERT_TRUE(eventually([&] { return daemon.classCount("SeedWorkaroundDriver") == 1; }));
    Process u1 = daemon.fixtureClient("u1", {"open", "SeedWorkaroundDriver"});
    ASSERT_TRUE(eventually([&] { return u1.count("opened") == 1; })) << u1.output();
    Process u2 = daemon.fixtureClient("u2", {"open", "SeedWorkaroundDriver"});
    ASSERT_TRUE(eventually([&] { return u2.count("opened") == 1; })) << u2.output();

    const uint64_t since = daemon.lastLogSequence() + 1;
    const Result unload = daemon.tool("kextunload", {"-b", "com.openiokit.test.SeedWorkaroundDriver"});
    EXPECT_EQ(unload.exitCode, 3) << unload.output;
    EXPECT_NE(unload.output.find("kext is in use or retained"), std::string::npos) << unload.output;
    const auto log = daemon.kernelLog(since);
    const auto lines = terminateAndStopLines(log);
    // The driver is terminated and stopped all the same; the clients only log their refusal.
    EXPECT_EQ(countContaining(lines, "SeedWorkaroundDriver::terminate("), 1u);
    EXPECT_EQ(countContaining(lines, "SeedWorkaroundDriver::stop("), 1u);
    EXPECT_EQ(countContaining(lines, "SeedWorkaroundDriverClient::terminate("), 2u);
    EXPECT_EQ(countContaining(log, "classes have instances"), 1u);
    // Stopped but not freed: the orphaned clients are still attached to it, and a registry link
    // retains the parent, so its instance is counted too (§4.4: counts drop in free, not stop).
    EXPECT_EQ(daemon.classCount("SeedWorkaroundDriver"), 1);
    EXPECT_EQ(daemon.classCount("SeedWorkaroundDriverClient"), 2);  // orphans with live connections
    EXPECT_TRUE(daemon.kextLoaded("com.openiokit.test.SeedWorkaroundDriver"));
    // Their clientClose would now wait 15 s for itself (§2.4); the processes are killed instead.
}
