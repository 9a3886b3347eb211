// 100 cycles of kextload → a client connects and calls → it disconnects → the driver leaves and
// the kext autounloads: instance counts and iokitd's resident set must stay flat. The figures
// are printed and recorded as test properties (docs/demo.md quotes them).
#include "SystemSupport.h"

#include "DriverInterface.h"

#include <map>
#include <sstream>

using namespace systemtest;

namespace {

// Every class's instance count (ioclasscount without arguments), summed.
long totalInstances(const Daemon& daemon)
{
    std::istringstream lines(daemon.tool("ioclasscount", {}).output);
    long total = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find(" = ");
        if (at != std::string::npos) {
            total += std::strtol(line.c_str() + at + 3, nullptr, 10);
        }
    }
    return total;
}

}  // namespace

TEST(SeedCycles, HundredLoadConnectDisconnectAutounloadCyclesStayFlat)
{
    constexpr int kCycles = 100;
    Daemon daemon(0.05);
    ASSERT_EQ(daemon.tool("kextload", {simBusKext()}).exitCode, 0);
    const std::string property = std::string(kOSXKernelDeviceMatchKey) + "=true";
    constexpr int kWarmUpCycles = kCycles / 2;
    long rssFirst = 0, instancesFirst = 0, rssWarm = 0;
    uint64_t logWarm = 0;
    int reloads = 0;
    for (int cycle = 1; cycle <= kCycles; cycle++) {
        const uint64_t since = daemon.lastLogSequence() + 1;
        // What the kernel logged during this cycle, for a failure's message.
        const auto kernelLines = [&] {
            std::string text;
            for (const std::string& line : daemon.kernelLog(since)) {
                text += "\n  kernel: " + line;
            }
            return text;
        };
        // A kext loaded with no instances is autounload-eligible (§1.7): an autounload scan armed
        // by an earlier registry-quiet event may remove it before the plug gives it a driver
        // instance, since the delay is only 50 ms here (xnu's 60 s makes this rare, not impossible).
        // The plug then fails to allocate the class and the driver count stays 0 with the kext
        // gone; the load and plug are then repeated (counted and printed). Plugged after the load:
        // autounload keeps the personalities, so a re-load adds none and starts no matching on an
        // existing nub; a new nub matches them.
        bool attached = false;
        for (int attempt = 1; attempt <= 5 && !attached; attempt++) {
            const Result load = daemon.tool("kextload", {driverKext()});
            ASSERT_EQ(load.exitCode, 0) << "cycle " << cycle << ": " << load.output;
            ASSERT_EQ(daemon.tool("simbusctl", {"plug", "dev0", property}).exitCode, 0);
            ASSERT_TRUE(eventually([&] {
                return daemon.classCount(kOSXKernelDriverClassName) == 1 ||
                       !daemon.kextLoaded(kOSXKernelDriverBundleIdentifier);
            })) << "cycle " << cycle << kernelLines();
            attached = daemon.classCount(kOSXKernelDriverClassName) == 1;
            if (!attached) {
                reloads++;
                ASSERT_EQ(daemon.tool("simbusctl", {"unplug", "dev0"}).exitCode, 0);
            }
        }
        ASSERT_TRUE(attached) << "cycle " << cycle << ": the kext autounloaded before its driver attached 5 times"
                              << kernelLines();
        Process client = daemon.clientd("cycle", {"--once", "--interval", "0"});
        ASSERT_EQ(client.wait(), 0) << "cycle " << cycle << ": " << client.output() << kernelLines();
        ASSERT_EQ(client.count(" call selector"), 1u) << client.output();
        // The device goes before the kext: its unplug makes the registry quiet, which (re)arms the
        // autounload scan (iokit-semantics.md §1.7). Waiting for the unload after it means no scan
        // is still pending when the next cycle's kextload runs; one pending then would unload the
        // new kext before its driver instance exists (it has no instances yet), as xnu would too.
        ASSERT_EQ(daemon.tool("simbusctl", {"unplug", "dev0"}).exitCode, 0);
        ASSERT_TRUE(eventually([&] { return !daemon.kextLoaded(kOSXKernelDriverBundleIdentifier); }))
            << "cycle " << cycle << kernelLines();
        ASSERT_EQ(daemon.classCount(kOSXKernelDriverClassName), 0) << "cycle " << cycle;
        ASSERT_EQ(daemon.classCount(kOSXKernelDriverClientClassName), 0) << "cycle " << cycle;
        if (cycle % 10 == 0) {
            std::printf("cycle %d: iokitd resident %ld KiB\n", cycle, daemon.residentKiB());
        }
        if (cycle == 1) {
            rssFirst = daemon.residentKiB();
            instancesFirst = totalInstances(daemon);
        }
        if (cycle == kWarmUpCycles) {
            rssWarm = daemon.residentKiB();
            logWarm = daemon.lastLogSequence();
        }
    }
    const long rssLast = daemon.residentKiB();
    const long instancesLast = totalInstances(daemon);
    const auto loggedLines = static_cast<long>(daemon.lastLogSequence() - logWarm);
    std::printf("iokitd resident set: %ld KiB after cycle 1, %ld after cycle %d, %ld after cycle %d\n", rssFirst,
                rssWarm, kWarmUpCycles, rssLast, kCycles);
    std::printf("live OSObject instances (all classes): %ld after cycle 1, %ld after cycle %d\n", instancesFirst,
                instancesLast, kCycles);
    std::printf("kernel log lines kept by the ring in cycles %d-%d: %ld\n", kWarmUpCycles + 1, kCycles, loggedLines);
    std::printf("kext autounloaded between kextload and plug (loaded again): %d times\n", reloads);
    RecordProperty("iokitdResidentKiBAfterCycle1", static_cast<int>(rssFirst));
    RecordProperty("iokitdResidentKiBAfterWarmUp", static_cast<int>(rssWarm));
    RecordProperty("iokitdResidentKiBAfterCycle100", static_cast<int>(rssLast));
    RecordProperty("instancesAfterCycle1", static_cast<int>(instancesFirst));
    RecordProperty("instancesAfterCycle100", static_cast<int>(instancesLast));
    EXPECT_EQ(instancesLast, instancesFirst);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // Measured (RelWithDebInfo): ~5.3 MiB after cycle 1, +~550 KiB of warm-up over the first ~30
    // cycles (allocator arenas, the kernel log ring), then ~2.5 KiB per cycle, which is the log
    // ring (KernelLog, 4096 lines) storing the cycle's ~13 lines. But glibc's allocator also grows
    // in steps: a CI run saw +216 KiB at once around cycle 80 (372 KiB over cycles 51-100) with
    // the instance counts exactly flat. So RSS is only a coarse bound here: the ring's share plus
    // 512 KiB of allocator slack; the exact leak check is the instance count above. A leak of
    // 16 KiB a cycle (800 KiB over 50 cycles) would still not fit.
    const long allowedKiB = loggedLines * 256 / 1024 + 512;
    EXPECT_LT(rssLast - rssWarm, allowedKiB) << "KiB of growth over cycles " << kWarmUpCycles + 1 << "-" << kCycles;
#endif
}
