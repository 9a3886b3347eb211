// The simulated bus (kexts/SimBus, docs/simbus.md) loaded from its bundle: plug publishes a
// matched, named nub with the user's properties; unplug terminates it (and the driver on it)
// synchronously or not; list pages through the devices; trigger reaches a driver's
// IOInterruptEventSource; privilege and bad input are refused with the documented codes.
#include "test_seed_support.h"

#include "../../include/user/IOKit/simbus/SimBusUserClient.h"

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOWorkLoop.h>

#include <gtest/gtest.h>

#include <atomic>

using namespace seedtest;

// A driver for IOSimDevice nubs marked "simbus-test-device": counts its interrupts.
class SimBusTestDriver : public IOService {
    OSDeclareDefaultStructors(SimBusTestDriver);

public:
    static std::atomic<int> sInterrupts;
    static std::atomic<int> sStops;

    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        loop = IOWorkLoop::workLoop();
        source = IOInterruptEventSource::interruptEventSource(this, &interrupt, provider, 1);
        if (!loop || !source || loop->addEventSource(source) != kIOReturnSuccess) {
            return false;
        }
        source->enable();
        registerService();
        return true;
    }
    void stop(IOService* provider) override
    {
        ++sStops;
        source->disable();
        loop->removeEventSource(source);
        IOService::stop(provider);
    }
    void free() override
    {
        if (loop && source) {
            loop->removeEventSource(source);
        }
        OSSafeReleaseNULL(source);
        OSSafeReleaseNULL(loop);
        IOService::free();
    }
    static void interrupt(OSObject*, IOInterruptEventSource*, int count) { sInterrupts += count; }

    IOWorkLoop* loop;
    IOInterruptEventSource* source;
};
OSDefineMetaClassAndStructors(SimBusTestDriver, IOService);
std::atomic<int> SimBusTestDriver::sInterrupts{0};
std::atomic<int> SimBusTestDriver::sStops{0};

namespace {

class SimBusTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(bus.ok());
        // The test driver's personality, as a kext would send it.
        personality = IOService::serviceMatching(kIOSimDeviceClassName);
        const OSSymbol* driverClass = OSSymbol::withCString("SimBusTestDriver");
        personality->setObject(gIOClassKey, driverClass);
        driverClass->release();
        OSDictionary* match = OSDictionary::withCapacity(1);
        match->setObject("simbus-test-device", kOSBooleanTrue);
        personality->setObject(gIOPropertyMatchKey, match);
        match->release();
        OSArray* array = OSArray::withObjects((const OSObject**)&personality, 1);
        ASSERT_TRUE(gIOCatalogue->addDrivers(array, false));
        array->release();
    }
    void TearDown() override
    {
        gIOCatalogue->removeDrivers(personality, false);
        personality->release();
    }

    uctest::Environment environment;
    HandleTable table;
    SimBus bus{table};
    OSDictionary* personality = nullptr;
};

IOService* findDevice(uint64_t registryID)
{
    OSDictionary* matching = IOService::registryEntryIDMatching(registryID);
    IOService* device = IOService::copyMatchingService(matching);
    matching->release();
    return device;
}

}  // namespace

TEST_F(SimBusTest, PlugPublishesANamedNubWithTheGivenPropertiesAndADriverMatchesIt)
{
    uint64_t id = 0;
    ASSERT_EQ(bus.plug("keyboard", "<key>simbus-test-device</key><true/><key>vendor</key><string>acme</string>",
                       true, &id),
              kIOReturnSuccess);
    IOService* device = findDevice(id);
    ASSERT_NE(device, nullptr);
    EXPECT_STREQ(device->getName(), "keyboard");
    EXPECT_STREQ(device->getMetaClass()->getClassName(), kIOSimDeviceClassName);
    EXPECT_NE(device->getLocation(), nullptr);
    auto* vendor = OSDynamicCast(OSString, device->getProperty("vendor"));
    ASSERT_NE(vendor, nullptr);
    EXPECT_STREQ(vendor->getCStringNoCopy(), "acme");
    // kIOSimBusPlugOptionSynchronous: matching has run when plug returns.
    EXPECT_NE(OSDynamicCast(SimBusTestDriver, device->getClient()), nullptr);
    device->release();
    EXPECT_EQ(bus.unplug("keyboard"), kIOReturnSuccess);
}

TEST_F(SimBusTest, SynchronousUnplugReturnsAfterTheDriverStopped)
{
    uint64_t id = 0;
    ASSERT_EQ(bus.plug("disk", "<key>simbus-test-device</key><true/>", true, &id), kIOReturnSuccess);
    IOService* device = findDevice(id);
    ASSERT_NE(device, nullptr);
    const int stopsBefore = SimBusTestDriver::sStops;
    EXPECT_EQ(bus.unplug("disk"), kIOReturnSuccess);
    EXPECT_EQ(SimBusTestDriver::sStops, stopsBefore + 1);
    EXPECT_TRUE(device->isInactive());
    EXPECT_EQ(device->getProvider(), nullptr);
    device->release();
    EXPECT_EQ(bus.unplug("disk"), kIOReturnNotFound);  // gone, nothing changed
}

TEST_F(SimBusTest, AsynchronousUnplugReturnsAtOnceAndTerminationCompletes)
{
    uint64_t id = 0;
    ASSERT_EQ(bus.plug("mouse", "<key>simbus-test-device</key><true/>", true, &id), kIOReturnSuccess);
    IOService* device = findDevice(id);
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(bus.unplug("mouse", true), kIOReturnSuccess);
    EXPECT_TRUE(device->isInactive());  // phase 1 ran on the caller's thread
    EXPECT_TRUE(waitUntil([&] { return device->getProvider() == nullptr; }));
    device->release();
    // The name is free again: a re-plug is a new device.
    uint64_t again = 0;
    EXPECT_EQ(bus.plug("mouse", "", true, &again), kIOReturnSuccess);
    EXPECT_NE(again, id);
    EXPECT_EQ(bus.unplug("mouse"), kIOReturnSuccess);
}

TEST_F(SimBusTest, TriggerReachesTheDriversInterruptEventSource)
{
    ASSERT_EQ(bus.plug("sensor", "<key>simbus-test-device</key><true/>"), kIOReturnSuccess);
    const int before = SimBusTestDriver::sInterrupts;
    EXPECT_EQ(bus.trigger("sensor", 1), kIOReturnSuccess);
    EXPECT_EQ(bus.trigger("sensor", 1), kIOReturnSuccess);
    EXPECT_TRUE(waitUntil([&] { return SimBusTestDriver::sInterrupts == before + 2; }));
    EXPECT_EQ(bus.trigger("sensor", kIOSimDeviceInterruptCount), kIOReturnNoInterrupt);
    EXPECT_EQ(bus.trigger("nosuch", 0), kIOReturnNotFound);
    EXPECT_EQ(bus.unplug("sensor"), kIOReturnSuccess);
}

TEST_F(SimBusTest, ListPagesThroughTheDevicesInPlugOrder)
{
    std::vector<std::string> expected;
    for (int i = 0; i < 40; i++) {
        expected.push_back("dev" + std::to_string(i));
        ASSERT_EQ(bus.plug(expected.back(), "", false), kIOReturnSuccess);
    }
    std::vector<std::string> names;
    ASSERT_EQ(bus.list(&names, 1024), kIOReturnSuccess);  // several pages
    EXPECT_EQ(names, expected);
    EXPECT_EQ(bus.list(&names, 16), kIOReturnNoSpace);     // not even one entry fits
    for (const auto& name : expected) {
        EXPECT_EQ(bus.unplug(name, true), kIOReturnSuccess);
    }
    ASSERT_EQ(bus.list(&names), kIOReturnSuccess);
    EXPECT_TRUE(names.empty());
}

TEST_F(SimBusTest, BadPlugDescriptionsAreRefusedAndChangeNothing)
{
    std::vector<std::string> before;
    ASSERT_EQ(bus.list(&before), kIOReturnSuccess);
    EXPECT_EQ(bus.plugRaw("not xml", 0), kIOReturnBadArgument);
    EXPECT_EQ(bus.plugRaw("<array/>", 0), kIOReturnBadArgument);
    EXPECT_EQ(bus.plugRaw("<dict><key>IOSimDeviceProperties</key><dict/></dict>", 0), kIOReturnBadArgument);
    EXPECT_EQ(bus.plugRaw("<dict><key>IOSimDeviceName</key><string></string></dict>", 0), kIOReturnBadArgument);
    EXPECT_EQ(bus.plugRaw("<dict><key>IOSimDeviceName</key><string>x</string><key>IOSimDeviceProperties</key>"
                          "<string>nope</string></dict>", 0),
              kIOReturnBadArgument);
    EXPECT_EQ(bus.plug(std::string(kIOSimBusMaxNameLength + 1, 'n'), ""), kIOReturnBadArgument);
    ASSERT_EQ(bus.plug("twin", ""), kIOReturnSuccess);
    EXPECT_EQ(bus.plug("twin", ""), kIOReturnExclusiveAccess);
    EXPECT_EQ(bus.unplug("twin"), kIOReturnSuccess);
    std::vector<std::string> after;
    ASSERT_EQ(bus.list(&after), kIOReturnSuccess);
    EXPECT_EQ(after, before);
}

TEST_F(SimBusTest, NonRootMayListButNotPlugUnplugOrTrigger)
{
    ASSERT_EQ(bus.plug("owned", ""), kIOReturnSuccess);
    SimBus user(table, 65534);
    ASSERT_TRUE(user.ok());
    std::vector<std::string> names;
    EXPECT_EQ(user.list(&names), kIOReturnSuccess);
    EXPECT_EQ(names, (std::vector<std::string>{"owned"}));
    EXPECT_EQ(user.plug("mine", ""), kIOReturnNotPrivileged);
    EXPECT_EQ(user.unplug("owned"), kIOReturnNotPrivileged);
    EXPECT_EQ(user.trigger("owned", 0), kIOReturnNotPrivileged);
    EXPECT_EQ(bus.unplug("owned"), kIOReturnSuccess);
}

TEST_F(SimBusTest, UnknownSelectorAndWrongArgumentCountsAreBadArgument)
{
    HandleTable& t = table;
    Client root(t, 0);
    IOService* service = waitForService(kIOSimBusClassName);
    ASSERT_NE(service, nullptr);
    IOReturn opened = kIOReturnError;
    IOUserClient* connection = root.open(service, 7, &opened);  // unknown connect type
    EXPECT_EQ(connection, nullptr);
    EXPECT_EQ(opened, kIOReturnBadArgument);
    connection = root.open(service, kIOSimBusConnectType);
    ASSERT_NE(connection, nullptr);
    EXPECT_EQ(root.callScalar(connection, kIOSimBusMethodCount, {}, nullptr, 0), kIOReturnBadArgument);
    EXPECT_EQ(root.callScalar(connection, kIOSimBusMethodUnplug, {}, nullptr, 0), kIOReturnBadArgument);
    t.close(connection);
    service->release();
}
