// The seed question's two earlier drivers (tests/kexts/SeedNaiveDriver, SeedWorkaroundDriver),
// loaded from their bundles on a simulated device, reproduce what the question reports:
// kextunload with two clients logs D::terminate, U1::terminate, U2::terminate, U1::stop,
// U2::stop, D::stop and the kext unloads anyway; the workaround's clients survive kextunload
// detached, so the driver is gone but the kext cannot unload (docs/seed-answer.md).
#include "test_seed_support.h"

#include "../../src/kernel/Termination.h"

#include <openiokit/Kexts.h>
#include <libkern/OSKextLib.h>

#include <gtest/gtest.h>

using namespace seedtest;
using Strings = std::vector<std::string>;

namespace {

constexpr const char* kNaiveID = "com.openiokit.test.SeedNaiveDriver";
constexpr const char* kWorkaroundID = "com.openiokit.test.SeedWorkaroundDriver";

Strings terminateAndStopLines(const LogCapture& log)
{
    Strings trace;
    for (const auto& line : log.lines()) {
        if (line.find("::terminate(") != std::string::npos || line.find("::stop(") != std::string::npos) {
            trace.push_back(line);
        }
    }
    return trace;
}

}  // namespace

TEST(SeedNaiveDriver, KextunloadWithTwoClientsLogsTheSeedTraceAndUnloads)
{
    uctest::Environment environment;
    HandleTable table;
    SimBus bus(table);
    ASSERT_TRUE(bus.ok());
    ASSERT_NE(loadKext("SeedNaiveDriver"), 0u);
    ASSERT_EQ(bus.plug("naive0", "<key>seed-naive-device</key><true/>"), kIOReturnSuccess);
    IOService* driver = waitForService("SeedNaiveDriver");
    ASSERT_NE(driver, nullptr);
    Client daemon1(table, 501, 1001, "daemon1");
    Client daemon2(table, 501, 1002, "daemon2");
    ASSERT_NE(daemon1.open(driver, 0), nullptr);
    ASSERT_NE(daemon2.open(driver, 0), nullptr);
    driver->release();

    LogCapture log({kNaiveID});
    const auto unloaded = openiokit::kexts::unloadKextWithIdentifier(kNaiveID, true);
    EXPECT_TRUE(unloaded.has_value()) << (unloaded ? "" : unloaded.error().message);
    EXPECT_EQ(terminateAndStopLines(log),
              (Strings{"virtual bool SeedNaiveDriver::terminate(IOOptionBits)",
                       "virtual bool SeedNaiveDriverClient::terminate(IOOptionBits)",
                       "virtual bool SeedNaiveDriverClient::terminate(IOOptionBits)",
                       "virtual void SeedNaiveDriverClient::stop(IOService*)",
                       "virtual void SeedNaiveDriverClient::stop(IOService*)",
                       "virtual void SeedNaiveDriver::stop(IOService*)"}));
    EXPECT_FALSE(isKextLoaded(kNaiveID));
    EXPECT_EQ(bus.unplug("naive0"), kIOReturnSuccess);
}

TEST(SeedWorkaroundDriver, KextunloadStillStopsTheDriverAndLeavesOrphanedClientsThatBlockUnload)
{
    uctest::Environment environment;
    HandleTable table;
    SimBus bus(table);
    ASSERT_TRUE(bus.ok());
    ASSERT_NE(loadKext("SeedWorkaroundDriver"), 0u);
    ASSERT_EQ(bus.plug("workaround0", "<key>seed-workaround-device</key><true/>"), kIOReturnSuccess);
    IOService* driver = waitForService("SeedWorkaroundDriver");
    ASSERT_NE(driver, nullptr);
    Client daemon1(table, 501, 1001, "daemon1");
    Client daemon2(table, 501, 1002, "daemon2");
    IOUserClient* u1 = daemon1.open(driver, 0);
    IOUserClient* u2 = daemon2.open(driver, 0);
    ASSERT_NE(u1, nullptr);
    ASSERT_NE(u2, nullptr);

    LogCapture log({kWorkaroundID});
    const auto unloaded = openiokit::kexts::unloadKextWithIdentifier(kWorkaroundID, true);
    // The driver was terminated and stopped all the same; the clients refused to terminate, were
    // stopped and detached, and as live instances keep the kext loaded: "in use".
    ASSERT_FALSE(unloaded.has_value());
    EXPECT_EQ(unloaded.error().code, kOSKextReturnInUse);
    EXPECT_TRUE(driver->isInactive());
    EXPECT_EQ(log.linesWith("SeedWorkaroundDriver::stop(").size(), 1u);
    EXPECT_EQ(log.linesWith("SeedWorkaroundDriverClient::stop(").size(), 2u);
    EXPECT_FALSE(u1->isInactive());  // orphans: active, no provider
    EXPECT_EQ(u1->getProvider(), nullptr);
    EXPECT_TRUE(isKextLoaded(kWorkaroundID));
    driver->release();

    // Closing them now terminates them for real, but clientClose's synchronous terminate waits
    // for the close it runs in: it gives up at the deadline (15 s; 1 s here) with xnu's message.
    AutounloadDelay delay(10ms);
    openiokit::setSynchronousTerminateTimeout(1'000'000'000ull);
    LogCapture kernelLog({"kernel"});
    table.close(u1);
    table.close(u2);
    openiokit::setSynchronousTerminateTimeout(15'000'000'000ull);
    EXPECT_EQ(kernelLog.linesWith("THREAD_TIMED_OUT").size(), 2u);
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(waitUntil([] { return instanceCount("SeedWorkaroundDriverClient") == 0; }));
    const auto retried = openiokit::kexts::unloadKextWithIdentifier(kWorkaroundID, true);
    EXPECT_TRUE(retried.has_value() || !isKextLoaded(kWorkaroundID));
    EXPECT_EQ(bus.unplug("workaround0"), kIOReturnSuccess);
}
