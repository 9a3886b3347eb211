// IOKitLibPrivate's IOServiceGetState / IOServiceGetBusyStateAndTime, and the simulated system
// sleep and wake (OpenIOKitSystemSleep / OpenIOKitSystemWake, issue 9) seen by a root-domain
// interest client through IOKitLib.
#include "IntegrationSupport.h"

#include <IOKit/IOKitLibPrivate.h>
#include <IOKit/IOMessage.h>
#include <IOKit/OpenIOKitLog.h>

#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace integration;

namespace {

// xnu's IOService::getState() bits.
constexpr uint64_t kInactive = 0x1;
constexpr uint64_t kRegistered = 0x2;
constexpr uint64_t kMatched = 0x4;

struct Messages {
    std::vector<natural_t> types;
};

void onRootDomainMessage(void* context, io_service_t, natural_t type, void*)
{
    static_cast<Messages*>(context)->types.push_back(type);
}

// Dispatches what waits on `port` until `messages` holds `count` entries (30 s at most).
bool receive(IONotificationPortRef port, const Messages& messages, size_t count)
{
    const int fd = IONotificationPortGetFileDescriptor(port);
    return eventually([&] {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            IONotificationPortDispatchPending(port);
        }
        return messages.types.size() >= count;
    });
}

bool logContains(const std::string& needle)
{
    struct Search {
        const std::string& needle;
        bool found = false;
    } search{needle};
    uint64_t from = 0;
    OpenIOKitLogRead(&from, 0, 0, [](void* context, const OpenIOKitLogEntry* entry) {
        auto* s = static_cast<Search*>(context);
        if (entry->text && std::string(entry->text).find(s->needle) != std::string::npos) {
            s->found = true;
        }
        return true;
    }, &search);
    return search.found;
}

}  // namespace

TEST(ServiceState, ReportsRegisteredMatchedActiveAndBusy)
{
    Daemon daemon;
    io_service_t driver = findDriver();
    ASSERT_NE(driver, IO_OBJECT_NULL);
    ASSERT_EQ(IOServiceWaitQuiet(driver, nullptr), kIOReturnSuccess);
    uint64_t state = 0;
    uint32_t busy = 7;
    uint64_t busyTime = 7;
    ASSERT_EQ(IOServiceGetBusyStateAndTime(driver, &state, &busy, &busyTime), kIOReturnSuccess);
    EXPECT_EQ(state & (kRegistered | kMatched | kInactive), kRegistered | kMatched);
    EXPECT_EQ(busy, 0u);
    EXPECT_GT(busyTime, 0u);  // it was busy while it was matched (getAccumulatedBusyTime, ns)
    uint64_t later = 0;
    ASSERT_EQ(IOServiceGetBusyStateAndTime(driver, &state, &busy, &later), kIOReturnSuccess);
    EXPECT_EQ(later, busyTime) << "a quiet service's accumulated busy time does not grow";
    uint64_t alone = 0;
    ASSERT_EQ(IOServiceGetState(driver, &alone), kIOReturnSuccess);
    EXPECT_EQ(alone, state);

    // The registry root is no IOService: refused, and every output cleared as IOKitUser does.
    io_registry_entry_t root = IORegistryGetRootEntry(kIOMainPortDefault);
    state = busyTime = 9;
    busy = 9;
    EXPECT_NE(IOServiceGetBusyStateAndTime(root, &state, &busy, &busyTime), kIOReturnSuccess);
    EXPECT_EQ(state, 0u);
    EXPECT_EQ(busy, 0u);
    EXPECT_EQ(busyTime, 0u);
    EXPECT_EQ(IOServiceGetState(driver, nullptr), kIOReturnBadArgument);
    IOObjectRelease(root);
    IOObjectRelease(driver);
}

TEST(SystemPower, SleepAndWakeReachRootDomainInterestClients)
{
    Daemon daemon;
    // The first sleep also makes the root domain (the kernel creates it on first use).
    ASSERT_EQ(OpenIOKitSystemSleep(), kIOReturnSuccess);
    io_service_t rootDomain = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching("IOPMrootDomain"));
    ASSERT_NE(rootDomain, IO_OBJECT_NULL);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    Messages messages;
    io_object_t notification = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceAddInterestNotification(port, rootDomain, kIOGeneralInterest, onRootDomainMessage, &messages,
                                               &notification),
              kIOReturnSuccess);

    // Sleeping again changes nothing and sends nothing.
    EXPECT_EQ(OpenIOKitSystemSleep(), kIOReturnSuccess);
    ASSERT_EQ(OpenIOKitSystemWake(), kIOReturnSuccess);
    ASSERT_TRUE(receive(port, messages, 2));
    ASSERT_EQ(OpenIOKitSystemSleep(), kIOReturnSuccess);
    ASSERT_TRUE(receive(port, messages, 3));
    ASSERT_EQ(OpenIOKitSystemWake(), kIOReturnSuccess);
    ASSERT_TRUE(receive(port, messages, 5));
    EXPECT_EQ(messages.types,
              (std::vector<natural_t>{kIOMessageSystemWillPowerOn, kIOMessageSystemHasPoweredOn,
                                      kIOMessageSystemWillSleep, kIOMessageSystemWillPowerOn,
                                      kIOMessageSystemHasPoweredOn}));
    EXPECT_TRUE(logContains("System Sleep requested by pid"));
    EXPECT_TRUE(logContains("System Wake complete"));

    IOObjectRelease(notification);
    IONotificationPortDestroy(port);
    IOObjectRelease(rootDomain);
}

TEST(SystemPower, NonRootIsRefused)
{
    Daemon daemon;
    const pid_t child = forkChild([] {
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            return 10;
        }
        if (OpenIOKitSystemSleep() != kIOReturnNotPrivileged) {
            return 11;
        }
        return OpenIOKitSystemWake() == kIOReturnNotPrivileged ? 0 : 12;
    });
    EXPECT_EQ(waitChild(child), 0);
    EXPECT_TRUE(logContains("refused: not root"));
}
