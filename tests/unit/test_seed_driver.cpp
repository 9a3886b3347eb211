// com.osxkernel.driver (kexts/com_osxkernel_driver), loaded from its bundle on a simulated
// device, against the seed's goals (docs/seed-answer.md):
//   R1 kextunload is refused (kOSKextReturnInUse) while clients are connected; nothing is
//      terminated, no personality is lost, every client keeps working;
//   R2 the last client leaving (close, death, both at once) terminates the driver, its
//      instances go to zero and the kext autounloads;
//   R3 a hot-unplug stops the driver at once, aborts pending waits, and later calls fail.
#include "test_seed_support.h"

#include "../../include/user/osxkernel/DriverInterface.h"
#include "../../src/kernel/Termination.h"

#include <IOKit/IOCatalogue.h>
#include <libkern/OSKextLib.h>
#include <openiokit/Kexts.h>

#include <gtest/gtest.h>

#include <IOKit/IOMemoryDescriptor.h>

#include <atomic>
#include <thread>

using namespace seedtest;

namespace {

class SeedDriverTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(bus.ok());
        ASSERT_NE(loadKext("com_osxkernel_driver"), 0u);
        ASSERT_EQ(bus.plug(device, "<key>" kOSXKernelDeviceMatchKey "</key><true/>"), kIOReturnSuccess);
        driver = waitForService(kOSXKernelDriverClassName);
        ASSERT_NE(driver, nullptr);
    }
    void TearDown() override
    {
        OSSafeReleaseNULL(driver);
        bus.unplug(device);
        openiokit::waitForTerminationIdle();
    }

    IOUserClient* open(Client& client)
    {
        IOReturn result = kIOReturnError;
        IOUserClient* connection = client.open(driver, kOSXKernelDriverConnectType, &result);
        EXPECT_EQ(result, kIOReturnSuccess);
        return connection;
    }
    static IOReturn increment(Client& client, IOUserClient* connection, uint64_t delta, uint64_t* value = nullptr)
    {
        std::vector<uint64_t> out;
        const IOReturn result = client.callScalar(connection, kOSXKernelMethodIncrement, {delta}, &out, 1);
        if (value) {
            *value = out[0];
        }
        return result;
    }
    size_t personalities()
    {
        OSDictionary* matching = OSDictionary::withCapacity(1);
        matching->setObject(kCFBundleIdentifierKey, OSString::withCString(kOSXKernelDriverBundleIdentifier));
        matching->getObject(kCFBundleIdentifierKey)->release();
        SInt32 generation = 0;
        OSOrderedSet* found = gIOCatalogue->findDrivers(matching, &generation);
        const size_t count = found ? found->getCount() : 0;
        OSSafeReleaseNULL(found);
        matching->release();
        return count;
    }

    uctest::Environment environment;
    AutounloadDelay delay{std::chrono::milliseconds(50)};
    HandleTable table;
    SimBus bus{table};
    std::string device = "osxkernel0";
    IOService* driver = nullptr;
};

}  // namespace

TEST_F(SeedDriverTest, MethodsServeEveryClient)
{
    Client a(table, 501, 2001, "clientd"), b(table, 501, 2002, "clientd");
    IOUserClient* ca = open(a);
    IOUserClient* cb = open(b);
    ASSERT_TRUE(ca && cb);
    uint64_t value = 0;
    EXPECT_EQ(increment(a, ca, 5, &value), kIOReturnSuccess);
    EXPECT_EQ(value, 5u);
    EXPECT_EQ(increment(b, cb, 2, &value), kIOReturnSuccess);
    EXPECT_EQ(value, 7u);  // one counter, shared
    std::vector<uint64_t> out;
    EXPECT_EQ(a.callScalar(ca, kOSXKernelMethodReadCounter, {}, &out, 1), kIOReturnSuccess);
    EXPECT_EQ(out[0], 7u);
    const char message[] = "hello, driver";
    char echo[64] = {};
    uint32_t echoSize = sizeof(echo);
    EXPECT_EQ(a.callStruct(ca, kOSXKernelMethodEcho, {}, message, sizeof(message), echo, &echoSize, nullptr, 0),
              kIOReturnSuccess);
    EXPECT_EQ(echoSize, sizeof(message));
    EXPECT_STREQ(echo, message);
    EXPECT_EQ(a.callScalar(ca, kOSXKernelMethodCount, {}, nullptr, 0), kIOReturnBadArgument);
    EXPECT_EQ(a.callScalar(ca, kOSXKernelMethodWaitForEvent, {}, nullptr, 0), kIOReturnBadArgument);  // not async
}

TEST_F(SeedDriverTest, WaitForEventCompletesOnTheDevicesInterrupt)
{
    Client a(table, 501, 2001, "clientd");
    IOUserClient* ca = open(a);
    ASSERT_NE(ca, nullptr);
    ipc_port* port = ipc_port::make(a.task.get(), 0x77);
    ASSERT_EQ(a.callAsync(ca, kOSXKernelMethodWaitForEvent, port, 41), kIOReturnSuccess);
    ASSERT_EQ(a.callAsync(ca, kOSXKernelMethodWaitForEvent, port, 42), kIOReturnSuccess);
    EXPECT_EQ(bus.trigger(device, 0), kIOReturnSuccess);
    ASSERT_TRUE(waitUntil([&] { return completions(*a.task.get(), 0x77).size() == 2; }));
    for (const auto& completion : completions(*a.task.get(), 0x77)) {
        EXPECT_EQ(completion.result, kIOReturnSuccess);
        ASSERT_EQ(completion.args.size(), 2u);
        EXPECT_GE(completion.args[1], 1u);  // total interrupts seen
    }
    port->release();
}

// R1 with 1, 2 and 16 clients.
TEST_F(SeedDriverTest, KextunloadIsRefusedWhileClientsAreConnectedAndNothingIsTerminated)
{
    Client first(table, 501, 3000, "clientd");
    IOUserClient* firstConnection = open(first);
    ASSERT_NE(firstConnection, nullptr);
    for (const int clients : {1, 2, 16}) {
        std::vector<std::unique_ptr<Client>> others;
        std::vector<IOUserClient*> connections;
        for (int i = 1; i < clients; i++) {
            others.push_back(std::make_unique<Client>(table, 501, 3000 + i, "clientd"));
            connections.push_back(open(*others.back()));
            ASSERT_NE(connections.back(), nullptr);
        }
        const size_t personalitiesBefore = personalities();
        EXPECT_GE(personalitiesBefore, 1u);
        LogCapture log({kOSXKernelDriverBundleIdentifier});
        const auto unloaded = openiokit::kexts::unloadKextWithIdentifier(kOSXKernelDriverBundleIdentifier, true);
        ASSERT_FALSE(unloaded.has_value()) << clients << " clients";
        EXPECT_EQ(unloaded.error().code, kOSKextReturnInUse);
        // By path as well.
        const auto byPath = openiokit::kexts::unloadKextWithPath(bundlePath("com_osxkernel_driver"), true);
        ASSERT_FALSE(byPath.has_value());
        EXPECT_EQ(byPath.error().code, kOSKextReturnInUse);
        EXPECT_TRUE(log.linesWith("::terminate(").empty()) << "something was terminated";
        EXPECT_FALSE(driver->isInactive());
        EXPECT_EQ(personalities(), personalitiesBefore);
        EXPECT_EQ(increment(first, firstConnection, 1), kIOReturnSuccess);
        for (size_t i = 0; i < connections.size(); i++) {
            EXPECT_EQ(increment(*others[i], connections[i], 1), kIOReturnSuccess);
        }
        for (IOUserClient* connection : connections) {
            table.close(connection);
        }
    }
    table.close(firstConnection);
}

// R2: close, kill -9 and a mix; the driver terminates, its instances reach zero, the kext unloads.
TEST_F(SeedDriverTest, LastClientLeavingTerminatesTheDriverAndTheKextAutounloads)
{
    Client a(table, 501, 4001, "clientd"), b(table, 501, 4002, "clientd"), c(table, 501, 4003, "clientd");
    IOUserClient* ca = open(a);
    IOUserClient* cb = open(b);
    IOUserClient* cc = open(c);
    ASSERT_TRUE(ca && cb && cc);
    LogCapture log({kOSXKernelDriverBundleIdentifier});
    table.close(ca);  // IOServiceClose
    EXPECT_FALSE(driver->isInactive());
    EXPECT_EQ(increment(c, cc, 1), kIOReturnSuccess);
    EXPECT_EQ(table.die(cb), kIOReturnSuccess);  // kill -9: no-senders -> clientDied
    EXPECT_FALSE(driver->isInactive());
    table.close(cc);  // the last one
    EXPECT_TRUE(driver->isInactive());
    ASSERT_TRUE(waitUntil([&] { return driver->getProvider() == nullptr; }));
    OSSafeReleaseNULL(driver);
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(waitUntil([] {
        return instanceCount(kOSXKernelDriverClassName) == 0 && instanceCount(kOSXKernelDriverClientClassName) == 0;
    }));
    EXPECT_TRUE(waitForKextUnloaded(kOSXKernelDriverBundleIdentifier,
                                 {kOSXKernelDriverClassName, kOSXKernelDriverClientClassName}));
    EXPECT_EQ(log.linesWith("com_osxkernel_driver::stop(").size(), 1u);
}

TEST_F(SeedDriverTest, LastTwoClientsLeavingAtTheSameInstantTerminateTheDriverOnce)
{
    Client a(table, 501, 5001, "clientd"), b(table, 501, 5002, "clientd");
    IOUserClient* ca = open(a);
    IOUserClient* cb = open(b);
    ASSERT_TRUE(ca && cb);
    LogCapture log({kOSXKernelDriverBundleIdentifier});
    std::thread first([&] { table.close(ca); });
    std::thread second([&] { table.die(cb); });
    first.join();
    second.join();
    EXPECT_TRUE(driver->isInactive());
    OSSafeReleaseNULL(driver);
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(waitForKextUnloaded(kOSXKernelDriverBundleIdentifier,
                                 {kOSXKernelDriverClassName, kOSXKernelDriverClientClassName}));
    EXPECT_EQ(log.linesWith("com_osxkernel_driver::terminate(").size(), 1u);
    EXPECT_EQ(log.linesWith("com_osxkernel_driver::stop(").size(), 1u);
}

// R3: the device goes away with clients connected and waits pending.
TEST_F(SeedDriverTest, HotUnplugStopsTheDriverAbortsWaitsAndLaterCallsFail)
{
    Client a(table, 501, 6001, "clientd"), b(table, 501, 6002, "clientd");
    IOUserClient* ca = open(a);
    IOUserClient* cb = open(b);
    ASSERT_TRUE(ca && cb);
    ca->retain();  // keep the objects to call on after their connections are destroyed
    cb->retain();
    ipc_port* port = ipc_port::make(a.task.get(), 0x88);
    ASSERT_EQ(a.callAsync(ca, kOSXKernelMethodWaitForEvent, port, 7), kIOReturnSuccess);
    // What a daemon's IOServiceAddInterestNotification on the driver receives.
    static std::atomic<int> terminatedMessages;
    terminatedMessages = 0;
    IONotifier* interest = driver->registerInterest(
        gIOGeneralInterest,
        [](void*, void*, UInt32 type, IOService*, void*, vm_size_t) -> IOReturn {
            if (type == kIOMessageServiceIsTerminated) {
                ++terminatedMessages;
            }
            return kIOReturnSuccess;
        },
        nullptr);
    ASSERT_NE(interest, nullptr);
    LogCapture log({kOSXKernelDriverBundleIdentifier});
    EXPECT_EQ(bus.unplug(device), kIOReturnSuccess);  // synchronous: returns once all stopped
    EXPECT_EQ(terminatedMessages, 1);
    interest->remove();
    EXPECT_TRUE(driver->isInactive());
    EXPECT_EQ(driver->getProvider(), nullptr);
    EXPECT_EQ(log.linesWith("com_osxkernel_driver::stop(").size(), 1u);
    EXPECT_EQ(log.linesWith("com_osxkernel_driverClient::stop(").size(), 2u);
    const auto done = completions(*a.task.get(), 0x88);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].result, kIOReturnAborted);
    // The connections were destroyed (§3.7): what user space sees is a dead port.
    EXPECT_EQ(increment(a, ca, 1), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(increment(b, cb, 1), MACH_SEND_INVALID_DEST);
    EXPECT_FALSE(table.holds(ca));  // the handle table dropped them
    ca->release();
    cb->release();
    port->release();
    OSSafeReleaseNULL(driver);
    openiokit::waitForTerminationIdle();
    EXPECT_TRUE(waitUntil([] { return instanceCount(kOSXKernelDriverClientClassName) == 0; }));
    // Re-plug: the driver matches again and a client can connect.
    ASSERT_EQ(bus.plug(device, "<key>" kOSXKernelDeviceMatchKey "</key><true/>"), kIOReturnSuccess);
    if (!isKextLoaded(kOSXKernelDriverBundleIdentifier)) {
        ASSERT_NE(loadKext("com_osxkernel_driver"), 0u);
    }
    driver = waitForService(kOSXKernelDriverClassName);
    ASSERT_NE(driver, nullptr);
    Client c(table, 501, 6003, "clientd");
    IOUserClient* cc = open(c);
    ASSERT_NE(cc, nullptr);
    EXPECT_EQ(increment(c, cc, 1), kIOReturnSuccess);
}

TEST_F(SeedDriverTest, ClosingAbortsTheClientsPendingWaits)
{
    Client a(table, 501, 6101, "clientd"), b(table, 501, 6102, "clientd");
    IOUserClient* ca = open(a);
    IOUserClient* cb = open(b);  // keeps the driver alive after a closes
    ASSERT_TRUE(ca && cb);
    ipc_port* port = ipc_port::make(a.task.get(), 0x99);
    ASSERT_EQ(a.callAsync(ca, kOSXKernelMethodWaitForEvent, port, 1), kIOReturnSuccess);
    table.close(ca);
    const auto done = completions(*a.task.get(), 0x99);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].result, kIOReturnAborted);
    EXPECT_FALSE(driver->isInactive());
    EXPECT_EQ(increment(b, cb, 1), kIOReturnSuccess);
    port->release();
}

TEST_F(SeedDriverTest, StatusPageIsSharedReadOnlyAndFollowsTheDriver)
{
    Client a(table, 501, 6201, "clientd");
    IOUserClient* ca = open(a);
    ASSERT_NE(ca, nullptr);
    ASSERT_EQ(increment(a, ca, 3), kIOReturnSuccess);
    IOOptionBits options = 0;
    IOMemoryDescriptor* memory = nullptr;
    ASSERT_EQ(ca->clientMemoryForType(kOSXKernelMemoryTypeStatus, &options, &memory), kIOReturnSuccess);
    ASSERT_NE(memory, nullptr);
    EXPECT_EQ(options & kIOMapReadOnly, (IOOptionBits)kIOMapReadOnly);
    OSXKernelStatusPage page = {};
    ASSERT_EQ(memory->readBytes(0, &page, sizeof(page)), sizeof(page));
    EXPECT_EQ(page.version, (uint32_t)kOSXKernelStatusVersion);
    EXPECT_EQ(page.clientCount, 1u);
    EXPECT_EQ(page.counter, 3u);
    EXPECT_GT(page.generation, 0u);
    memory->release();
    IOMemoryDescriptor* none = nullptr;
    EXPECT_EQ(ca->clientMemoryForType(1, &options, &none), kIOReturnBadArgument);
}

// R3 with calls in flight: the unplug completes while a client hammers the driver.
TEST_F(SeedDriverTest, HotUnplugWithCallsInFlightCompletesAndCallsEndCleanly)
{
    Client a(table, 501, 6301, "clientd");
    IOUserClient* ca = open(a);
    ASSERT_NE(ca, nullptr);
    ca->retain();
    std::atomic<bool> stop{false};
    std::atomic<int> succeeded{0}, failed{0}, unexpected{0};
    std::thread caller([&] {
        while (!stop) {
            const IOReturn result = increment(a, ca, 1);
            if (result == kIOReturnSuccess) {
                ++succeeded;
            } else if (result == MACH_SEND_INVALID_DEST || result == kIOReturnNotAttached) {
                ++failed;  // destroyed connection, or the driver left while the call was inside
            } else {
                ++unexpected;
            }
        }
    });
    ASSERT_TRUE(waitUntil([&] { return succeeded > 10; }));
    EXPECT_EQ(bus.unplug(device), kIOReturnSuccess);
    ASSERT_TRUE(waitUntil([&] { return failed > 0; }));
    stop = true;
    caller.join();
    EXPECT_EQ(unexpected, 0);
    EXPECT_TRUE(driver->isInactive());
    EXPECT_EQ(driver->getProvider(), nullptr);
    ca->release();
}
