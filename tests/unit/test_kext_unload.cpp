// Unloading a kext with services and user clients (iokit-semantics.md §1.3-§1.7, §2.8): the
// seed's trace through IOCatalogue::terminateDriversForModule, xnu's refusals and messages, no
// restoring of personalities, and autounload.
#include "test_kext_support.h"
#include "test_io_user_client_support.h"

#include "../../src/kernel/Termination.h"
#include "../../src/kernel/UserClientConnection.h"

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOKitServer.h>
#include <libkern/c++/OSString.h>

#include <atomic>
#include <future>
#include <thread>
#include <utility>

#include "../../src/kernel/KextState.h"

using namespace kexttest;
namespace kexts = openiokit::kexts;

namespace {

constexpr const char* kDriverID = "com.openiokit.test.Driver";

class KextUnloadTest : public KextTest {
protected:
    // Loads the driver kext and waits for D to be matched on IOResources; D is retained.
    IOService* loadDriver(OSKextLoadTag* tag = nullptr)
    {
        auto loaded = kexts::loadKextWithPath(bundle("KextTestDriver"));
        EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error().message);
        if (tag && loaded) {
            *tag = *loaded;
        }
        OSSharedPtr<OSDictionary> matching(IOService::serviceMatching("KextTestDriver"), OSNoRetain);
        return IOService::waitForMatchingService(matching.get(), 30ull * 1000 * 1000 * 1000);
    }

    static unsigned int personalityCount()
    {
        OSSharedPtr<OSDictionary> dict(OSDictionary::withCapacity(1), OSNoRetain);
        OSSharedPtr<OSString> id(OSString::withCString(kDriverID), OSNoRetain);
        dict->setObject(kCFBundleIdentifierKey, id.get());
        OSSharedPtr<OSOrderedSet> found(gIOCatalogue->findDrivers(dict.get(), nullptr), OSNoRetain);
        return found ? found->getCount() : 0;
    }

    static std::vector<std::string> trace(const LogCapture& log)
    {
        std::vector<std::string> calls;
        for (const auto& line : log.lines()) {
            if (line.find("::terminate") != std::string::npos || line.find("::stop") != std::string::npos) {
                calls.push_back(line);
            }
        }
        return calls;
    }
};

}  // namespace

TEST_F(KextUnloadTest, SeedTraceThenInstancesBlockTheUnloadAndPersonalitiesStayRemoved)
{
    LogCapture log(kDriverID);
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    auto task1 = uctest::FakeTask::make(501, 1001, "client1");
    auto task2 = uctest::FakeTask::make(501, 1002, "client2");
    IOUserClient* u1 = nullptr;
    IOUserClient* u2 = nullptr;
    ASSERT_EQ(openiokit::openConnection(driver, task1.get(), 0, &u1), kIOReturnSuccess);
    ASSERT_EQ(openiokit::openConnection(driver, task2.get(), 0, &u2), kIOReturnSuccess);
    driver->release();
    EXPECT_EQ(personalityCount(), 1u);

    // kextunload -b: OSKext::removeKextWithIdentifier(id, true).
    LogCapture all("");
    const OSReturn result = OSKext::removeKextWithIdentifier(kDriverID, true);
    const std::vector<std::string> expected{"D::terminate", "U1::terminate", "U2::terminate",
                                            "U1::stop",     "U2::stop",      "D::stop"};
    EXPECT_EQ(trace(log), expected);
    // The connections still hold U1 and U2: xnu's refusal, in its words.
    EXPECT_EQ(result, kOSKextReturnInUse);
    EXPECT_TRUE(all.contains("Can't unload kext com.openiokit.test.Driver; classes have instances:"));
    EXPECT_TRUE(all.contains("    Kext com.openiokit.test.Driver class KextTestDriverUserClient has 2 instances."));
    EXPECT_TRUE(all.contains("Can't remove kext com.openiokit.test.Driver; kext failed to unload - 0xdc008018."));
    EXPECT_TRUE(isLoaded(kDriverID));
    // Not restored after the failed unload.
    EXPECT_EQ(personalityCount(), 0u);

    // The clients go away; now the kext unloads and really leaves the address space.
    openiokit::closeConnection(u1);
    openiokit::closeConnection(u2);
    u1->release();
    u2->release();
    ASSERT_TRUE(waitForNoInstances(kDriverID));
    auto unloaded = kexts::unloadKextWithIdentifier(kDriverID, true);
    ASSERT_TRUE(unloaded) << unloaded.error().message;
    EXPECT_TRUE(all.contains("Kext com.openiokit.test.Driver unloaded."));
    EXPECT_FALSE(isLoaded(kDriverID));
    EXPECT_FALSE(isMapped(executableOf("KextTestDriver")));
}

TEST_F(KextUnloadTest, RetainedKextIsRefusedBeforeAnythingIsTerminated)
{
    LogCapture log(kDriverID);
    OSKextLoadTag tag = 0;
    IOService* driver = loadDriver(&tag);
    ASSERT_NE(driver, nullptr);
    ASSERT_EQ(OSKextRetainKextWithLoadTag(tag), kOSReturnSuccess);

    EXPECT_EQ(OSKext::removeKextWithIdentifier(kDriverID, true), kOSKextReturnInUse);
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, kDriverID), kOSKextReturnInUse);
    EXPECT_TRUE(trace(log).empty());
    EXPECT_FALSE(driver->isInactive());
    EXPECT_EQ(personalityCount(), 1u);

    ASSERT_EQ(OSKextReleaseKextWithLoadTag(tag), kOSReturnSuccess);
    driver->release();
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    ASSERT_TRUE(waitForNoInstances(kDriverID));
    auto unloaded = kexts::unloadKextWithIdentifier(kDriverID, true);
    ASSERT_TRUE(unloaded) << unloaded.error().message;
}

TEST_F(KextUnloadTest, RefusingTerminateStopsTheWalkWithUnsupported)
{
    LogCapture log(kDriverID);
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    driver->setProperty("RefuseTerminate", true);

    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, kDriverID), kIOReturnUnsupported);
    EXPECT_EQ(trace(log), std::vector<std::string>{"D::terminate"});
    EXPECT_TRUE(isLoaded(kDriverID));
    EXPECT_EQ(personalityCount(), 1u);  // removed only after a successful terminate
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogServiceTerminate, "KextTestDriver"), kIOReturnUnsupported);

    // Now the walk goes through. D is terminated synchronously but may still be referenced
    // (and so an instance) for a moment after: unload once its last instance is gone.
    driver->removeProperty("RefuseTerminate");
    driver->release();
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    EXPECT_EQ(personalityCount(), 0u);
    ASSERT_TRUE(waitForNoInstances(kDriverID));
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, kDriverID), kIOReturnSuccess);
    EXPECT_FALSE(isLoaded(kDriverID));
}

TEST_F(KextUnloadTest, ATerminatedServiceStillReferencedBlocksTheUnloadUntilItIsFreed)
{
    // What made the test above flaky, made deterministic: a reference held past the synchronous
    // terminate (here the test's, in the kernel a config or terminate thread's) keeps D an
    // instance, and xnu refuses the unload for it.
    LogCapture all("");
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, kDriverID), kOSKextReturnInUse);
    EXPECT_TRUE(driver->isInactive());
    EXPECT_TRUE(all.contains("    Kext com.openiokit.test.Driver class KextTestDriver has 1 instance."));
    EXPECT_TRUE(isLoaded(kDriverID));

    std::thread holder([driver] { driver->release(); });
    holder.join();
    ASSERT_TRUE(waitForNoInstances(kDriverID));
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, kDriverID), kIOReturnSuccess);
    EXPECT_FALSE(isLoaded(kDriverID));
}

TEST_F(KextUnloadTest, ServiceTerminateByClassAndModuleTerminateKeepTheKext)
{
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogServiceTerminate, "KextTestDriver"), kIOReturnSuccess);
    EXPECT_TRUE(driver->isInactive());
    driver->release();
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    EXPECT_EQ(personalityCount(), 0u);
    EXPECT_TRUE(isLoaded(kDriverID));
    EXPECT_EQ(kexts::catalogueTerminate(99, kDriverID), kIOReturnBadArgument);
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleUnload, nullptr), kIOReturnBadArgument);
}

TEST_F(KextUnloadTest, KernelServicesAreNotUserTerminable)
{
    // IOResources belongs to the kernel: xnu's policy refuses it.
    LogCapture all("");
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogServiceTerminate, "IOResources"), kIOReturnUnsupported);
    EXPECT_TRUE(all.contains("disallowing kextunload terminate for bundleID __kernel__"));
}

TEST_F(KextUnloadTest, DisabledUnloadingIsRefused)
{
    ASSERT_TRUE(kexts::loadKextWithPath(bundle("KextTestLibrary")));
    OSKext::setUnloadEnabled(false);
    auto refused = kexts::unloadKextWithIdentifier("com.openiokit.test.Library", false);
    OSKext::setUnloadEnabled(true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, kOSKextReturnDisabled);
    EXPECT_EQ(refused.error().message, "Kext unloading is disabled (com.openiokit.test.Library).");
}

TEST_F(KextUnloadTest, AutounloadSkipsInstancesThenUnloadsWhenTheRegistryGoesQuiet)
{
    kexts::setAutounloadDelay(std::chrono::milliseconds(50));
    LogCapture all("");
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    EXPECT_TRUE(all.contains("Kext com.openiokit.test.Driver has IOService subclass KextTestDriver; enabling autounload."));
    driver->release();

    // A scan while D exists leaves the kext alone.
    const uint64_t before = kexts::autounloadScanCount();
    OSKext::considerUnloads();
    ASSERT_TRUE(kexts::waitForAutounloadScan(before, std::chrono::seconds(30)));
    EXPECT_TRUE(isLoaded(kDriverID));

    // Terminate the services without unloading: the registry goes quiet, which re-arms the scan.
    ASSERT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    ASSERT_TRUE(eventually([] { return !isLoaded(kDriverID); }));
    EXPECT_TRUE(all.contains("Kext com.openiokit.test.Driver unloaded."));
    EXPECT_FALSE(isMapped(executableOf("KextTestDriver")));
}

TEST_F(KextUnloadTest, AutounloadSkipsARetainedKextUntilItIsReleased)
{
    kexts::setAutounloadDelay(std::chrono::milliseconds(50));
    auto tag = kexts::loadKextWithPath(bundle("KextTestLibrary"));
    ASSERT_TRUE(tag);
    ASSERT_EQ(OSKextRetainKextWithLoadTag(*tag), kOSReturnSuccess);  // also enables autounload

    const uint64_t before = kexts::autounloadScanCount();
    OSKext::considerUnloads();
    ASSERT_TRUE(kexts::waitForAutounloadScan(before, std::chrono::seconds(30)));
    EXPECT_TRUE(isLoaded("com.openiokit.test.Library"));

    ASSERT_EQ(OSKextReleaseKextWithLoadTag(*tag), kOSReturnSuccess);  // re-arms the scan
    ASSERT_TRUE(eventually([] { return !isLoaded("com.openiokit.test.Library"); }));
    EXPECT_EQ(OSKextReleaseKextWithLoadTag(*tag), kOSKextReturnNotFound);
}

TEST_F(KextUnloadTest, AutounloadIsReconsideredWhenTheLastInstanceGoesAfterTheRegistryIsQuiet)
{
    kexts::setAutounloadDelay(std::chrono::milliseconds(50));
    IOService* driver = loadDriver();
    ASSERT_NE(driver, nullptr);
    driver->release();
    // An instance of one of the kext's classes held outside the registry: nothing the registry
    // does reports its release.
    OSObject* outside = OSMetaClass::allocClassWithName("KextTestDriverUserClient");
    ASSERT_NE(outside, nullptr);

    // The services go; the registry goes quiet and its scan leaves the kext for the instance.
    ASSERT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    openiokit::waitForTerminationIdle();
    const OSMetaClass* driverClass = OSMetaClass::getMetaClassWithName("KextTestDriver");
    ASSERT_NE(driverClass, nullptr);
    ASSERT_TRUE(eventually([&] { return driverClass->getInstanceCount() == 0; }));
    const uint64_t before = kexts::autounloadScanCount();
    OSKext::considerUnloads();
    ASSERT_TRUE(kexts::waitForAutounloadScan(before, std::chrono::seconds(30)));
    EXPECT_TRUE(isLoaded(kDriverID));

    // Nothing re-arms a scan but the class losing its last instance.
    outside->release();
    ASSERT_TRUE(eventually([] { return !isLoaded(kDriverID); }));
    EXPECT_FALSE(isMapped(executableOf("KextTestDriver")));
}

namespace {

// Runs `body` on a thread until destroyed (an ASSERT may leave the test early).
class Poller {
public:
    explicit Poller(std::function<void()> body)
        : thread_([this, body = std::move(body)] {
              while (!stop_) {
                  body();
              }
          })
    {
    }
    ~Poller()
    {
        stop_ = true;
        thread_.join();
    }

private:
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int32_t refsOf(const char* identifier)
{
    for (const auto& row : kexts::loadedKexts()) {
        if (row.bundleID == identifier) {
            return row.retainCount;
        }
    }
    return -1;
}

}  // namespace

TEST_F(KextUnloadTest, KextstatPollingDoesNotKeepAKextFromAutounloading)
{
    // A scan used to read kextstat's and look-ups' momentary references as retains, skip the
    // kext and never come back. Refs count only dependents and OSKextRetainKextWithLoadTag.
    constexpr const char* kLibraryID = "com.openiokit.test.Library";
    kexts::setAutounloadDelay(std::chrono::milliseconds(1));
    Poller poller([] {
        (void)kexts::loadedKexts();
        OSSharedPtr<OSKext> kext(OSKext::lookupKextWithIdentifier(kLibraryID), OSNoRetain);
    });
    for (int cycle = 0; cycle < 100; cycle++) {
        auto tag = kexts::loadKextWithPath(bundle("KextTestLibrary"));
        ASSERT_TRUE(tag) << tag.error().message;
        ASSERT_EQ(OSKextRetainKextWithLoadTag(*tag), kOSReturnSuccess);  // enables autounload
        EXPECT_EQ(refsOf(kLibraryID), 1);
        ASSERT_EQ(OSKextReleaseKextWithLoadTag(*tag), kOSReturnSuccess);  // arms the scan
        ASSERT_TRUE(eventually([kLibraryID] { return !isLoaded(kLibraryID); })) << "cycle " << cycle;
    }
}

TEST_F(KextUnloadTest, RefsCountDependentsAndRetainsOnly)
{
    auto dependent = kexts::loadKextWithPath(bundle("KextTestDependent"));
    ASSERT_TRUE(dependent) << dependent.error().message;
    OSSharedPtr<OSKext> lookedUp(OSKext::lookupKextWithIdentifier("com.openiokit.test.Library"), OSNoRetain);
    ASSERT_TRUE(lookedUp);
    EXPECT_EQ(refsOf("com.openiokit.test.Library"), 1);  // the dependent; not our look-up
    EXPECT_EQ(refsOf("com.openiokit.test.Dependent"), 0);
    EXPECT_EQ(OSKextReleaseKextWithLoadTag(lookedUp->getLoadTag()), kOSKextReturnInvalidArgument);  // never retained
    auto refused = kexts::unloadKextWithIdentifier("com.openiokit.test.Library", false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, kOSKextReturnInUse);
    EXPECT_EQ(refused.error().message,
              "Can't unload kext com.openiokit.test.Library; outstanding references 1 (linkage or tracking object).");
}

// A user client gives its kext retain back in free(), on the terminate thread, while an unload
// (iokitd's shutdown) holds the kext lock and waits for that termination: retain and release
// must not need the kext lock (this was a shutdown deadlock).
TEST_F(KextUnloadTest, RetainAndReleaseByTagDoNotWaitForTheKextLock)
{
    OSKextLoadTag tag = 0;
    IOService* driver = loadDriver(&tag);
    ASSERT_NE(driver, nullptr);
    std::promise<void> holding, finished;
    std::thread unloader([&] {
        std::lock_guard lock(kexts::kextLock());
        holding.set_value();
        finished.get_future().wait();  // as an unload waiting for a termination
    });
    holding.get_future().wait();
    auto released = std::async(std::launch::async, [tag] {
        return std::pair{OSKextRetainKextWithLoadTag(tag), OSKextReleaseKextWithLoadTag(tag)};
    });
    const bool done = released.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    finished.set_value();
    unloader.join();
    ASSERT_TRUE(done) << "OSKextRetain/ReleaseKextWithLoadTag waited for the kext lock";
    EXPECT_EQ(released.get(), std::pair(kOSReturnSuccess, kOSReturnSuccess));
    driver->release();
    EXPECT_EQ(kexts::catalogueTerminate(kIOCatalogModuleTerminate, kDriverID), kIOReturnSuccess);
    ASSERT_TRUE(waitForNoInstances(kDriverID));
    auto unloaded = kexts::unloadKextWithIdentifier(kDriverID, true);
    ASSERT_TRUE(unloaded) << unloaded.error().message;
}
