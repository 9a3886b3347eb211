// Races around com.osxkernel.driver, each repeated 200 times in-process (docs/seed-answer.md):
// a client closing while the device is unplugged, and a client connecting while kextunload
// runs. Every iteration must end with nothing hung, every outcome consistent, and the driver's
// classes back to zero instances.
#include "test_seed_support.h"

#include "../../include/user/osxkernel/DriverInterface.h"
#include "../../src/kernel/Termination.h"

#include <libkern/OSKextLib.h>
#include <openiokit/Kexts.h>

#include <gtest/gtest.h>

#include <thread>

using namespace seedtest;

namespace {

constexpr int kIterations = 200;

class SeedRaceTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(bus.ok()); }

    // Kext loaded, device plugged, driver started: the driver, retained.
    IOService* freshDriver()
    {
        if (!loadKext("com_osxkernel_driver")) {
            return nullptr;
        }
        if (bus.plug(device, "<key>" kOSXKernelDeviceMatchKey "</key><true/>") != kIOReturnSuccess) {
            ADD_FAILURE() << "plug";
            return nullptr;
        }
        return waitForService(kOSXKernelDriverClassName);
    }
    // Device unplugged, every instance gone, kext unloaded.
    void cleanUp(IOService* driver)
    {
        bus.unplug(device);
        openiokit::waitForTerminationIdle();
        OSSafeReleaseNULL(driver);
        ASSERT_TRUE(waitUntil([] {
            return instanceCount(kOSXKernelDriverClassName) == 0 && instanceCount(kOSXKernelDriverClientClassName) == 0;
        }));
        if (isKextLoaded(kOSXKernelDriverBundleIdentifier)) {
            const auto unloaded = openiokit::kexts::unloadKextWithIdentifier(kOSXKernelDriverBundleIdentifier, true);
            ASSERT_TRUE(unloaded.has_value()) << unloaded.error().message;
        }
    }

    uctest::Environment environment;
    AutounloadDelay delay{std::chrono::milliseconds(60'000)};  // the test unloads explicitly
    HandleTable table;
    SimBus bus{table};
    std::string device = "race0";
};

}  // namespace

TEST_F(SeedRaceTest, CloseVersusUnplug)
{
    for (int i = 0; i < kIterations; i++) {
        IOService* driver = freshDriver();
        ASSERT_NE(driver, nullptr) << "iteration " << i;
        Client client(table, 501, 7000 + i, "clientd");
        IOUserClient* connection = client.open(driver, kOSXKernelDriverConnectType);
        ASSERT_NE(connection, nullptr);
        IOReturn closed = kIOReturnError, unplugged = kIOReturnError;
        std::thread closer([&] { closed = table.close(connection); });
        std::thread unplugger([&] { unplugged = bus.unplug(device); });
        closer.join();
        unplugger.join();
        // The close either ran (success) or found its connection destroyed by the unplug.
        EXPECT_TRUE(closed == kIOReturnSuccess || closed == MACH_SEND_INVALID_DEST) << std::hex << closed;
        EXPECT_EQ(unplugged, kIOReturnSuccess);
        openiokit::waitForTerminationIdle();
        EXPECT_TRUE(driver->isInactive());
        EXPECT_EQ(driver->getProvider(), nullptr);
        cleanUp(driver);
        if (HasFatalFailure()) {
            return;
        }
    }
}

TEST_F(SeedRaceTest, ConnectVersusKextunload)
{
    int refused = 0, unloadedFirst = 0, overtaken = 0;
    for (int i = 0; i < kIterations; i++) {
        IOService* driver = freshDriver();
        ASSERT_NE(driver, nullptr) << "iteration " << i;
        Client client(table, 501, 8000 + i, "clientd");
        IOUserClient* connection = nullptr;
        IOReturn opened = kIOReturnError;
        std::expected<void, openiokit::kexts::Error> unloaded;
        std::thread opener([&] { connection = client.open(driver, kOSXKernelDriverConnectType, &opened); });
        std::thread unloader(
            [&] { unloaded = openiokit::kexts::unloadKextWithIdentifier(kOSXKernelDriverBundleIdentifier, true); });
        opener.join();
        unloader.join();
        if (unloaded) {
            // kextunload won: the driver was gone before the open could attach.
            ++unloadedFirst;
            EXPECT_NE(opened, kIOReturnSuccess);
        } else {
            EXPECT_EQ(unloaded.error().code, kOSKextReturnInUse) << unloaded.error().message;
            if (opened == kIOReturnSuccess && !driver->isInactive()) {
                // The client was first: refused before anything was terminated; it works.
                ++refused;
                std::vector<uint64_t> out;
                EXPECT_EQ(client.callScalar(connection, kOSXKernelMethodIncrement, {1}, &out, 1), kIOReturnSuccess);
            } else {
                // kextunload passed its in-use check just before the open retained the kext, then
                // terminated the driver (and the new client) and found the kext in use.
                ++overtaken;
            }
        }
        if (connection && table.holds(connection)) {
            table.close(connection);
        }
        cleanUp(driver);
        if (HasFatalFailure()) {
            return;
        }
    }
    RecordProperty("refused", refused);
    RecordProperty("unloadedFirst", unloadedFirst);
    RecordProperty("overtaken", overtaken);
    EXPECT_EQ(refused + unloadedFirst + overtaken, kIterations);
}
