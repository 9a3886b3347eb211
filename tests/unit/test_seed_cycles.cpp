// 100 cycles of load -> plug -> connect -> disconnect -> the driver leaves -> autounload, in
// one process: instance counts return to zero every cycle, the kext's image is really unmapped,
// and the resident size is reported (docs/seed-answer.md quotes the figures).
#include "test_seed_support.h"

#include "../../include/user/osxkernel/DriverInterface.h"
#include "../../src/kernel/Termination.h"

#include <openiokit/Kexts.h>

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

using namespace seedtest;

namespace {

long residentKiB()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

bool imageMapped(const std::string& executable)
{
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        if (line.find(executable) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST(SeedCycles, HundredConnectDisconnectAutounloadCyclesLeaveNothingBehind)
{
    uctest::Environment environment;
    AutounloadDelay delay{std::chrono::milliseconds(1)};
    HandleTable table;
    SimBus bus(table);
    ASSERT_TRUE(bus.ok());
    const std::string executable = "com_osxkernel_driver.kext/Contents/MacOS/com_osxkernel_driver";
    long residentAfterFirst = 0;
    for (int cycle = 0; cycle < 100; cycle++) {
        ASSERT_NE(loadKext("com_osxkernel_driver"), 0u) << "cycle " << cycle;
        ASSERT_EQ(bus.plug("cycle0", "<key>" kOSXKernelDeviceMatchKey "</key><true/>"), kIOReturnSuccess);
        IOService* driver = waitForService(kOSXKernelDriverClassName);
        ASSERT_NE(driver, nullptr) << "cycle " << cycle;
        Client client(table, 501, 9000 + cycle, "clientd");
        IOUserClient* connection = client.open(driver, kOSXKernelDriverConnectType);
        ASSERT_NE(connection, nullptr);
        std::vector<uint64_t> out;
        EXPECT_EQ(client.callScalar(connection, kOSXKernelMethodIncrement, {1}, &out, 1), kIOReturnSuccess);
        table.close(connection);  // the last client: the driver terminates itself
        driver->release();
        openiokit::waitForTerminationIdle();
        if (!waitForKextUnloaded(kOSXKernelDriverBundleIdentifier,
                                 {kOSXKernelDriverClassName, kOSXKernelDriverClientClassName})) {
            for (const auto& kext : openiokit::kexts::loadedKexts()) {
                if (kext.bundleID == kOSXKernelDriverBundleIdentifier) {
                    ADD_FAILURE() << "cycle " << cycle << ": not autounloaded; refs " << kext.retainCount
                                  << ", instances " << instanceCount(kOSXKernelDriverClassName) << "/"
                                  << instanceCount(kOSXKernelDriverClientClassName);
                }
            }
            bus.unplug("cycle0");
            return;
        }
        EXPECT_EQ(instanceCount(kOSXKernelDriverClassName), 0u);
        EXPECT_EQ(instanceCount(kOSXKernelDriverClientClassName), 0u);
        EXPECT_FALSE(imageMapped(executable)) << "cycle " << cycle;
        ASSERT_EQ(bus.unplug("cycle0"), kIOReturnSuccess);
        if (cycle == 0) {
            residentAfterFirst = residentKiB();
        }
    }
    const long residentAfterLast = residentKiB();
    RecordProperty("residentKiBAfterCycle1", (int)residentAfterFirst);
    RecordProperty("residentKiBAfterCycle100", (int)residentAfterLast);
    std::printf("resident set: %ld KiB after cycle 1, %ld KiB after cycle 100\n", residentAfterFirst,
                residentAfterLast);
}
