// Loading a kext on demand (iokit-semantics.md §1.7, §4.2 step 3, §4.5): an autounloaded kext's
// personalities stay in the catalogue; when a new nub matches one, the kext named by its
// CFBundleIdentifier is loaded again (xnu asks kextd) and matching goes on to start the driver.
#include "test_kext_support.h"

#include <IOKit/IOCatalogue.h>
#include <libkern/c++/OSString.h>

using namespace kexttest;
namespace kexts = openiokit::kexts;

// The nub class the on-demand kext's personality names; the kernel's (this executable's).
class KextTestOnDemandNub : public IOService {
    OSDeclareDefaultStructors(KextTestOnDemandNub);
};
OSDefineMetaClassAndStructors(KextTestOnDemandNub, IOService);

namespace {

constexpr const char* kOnDemandID = "com.openiokit.test.OnDemand";
constexpr uint64_t kThirtySeconds = 30ull * 1000 * 1000 * 1000;

class KextOnDemandTest : public KextTest {
protected:
    void TearDown() override
    {
        for (auto& nub : nubs_) {
            nub->terminate(kIOServiceSynchronous);
        }
        nubs_.clear();
        KextTest::TearDown();
        // Personalities left without their kext (an autounload, a test's own) go too.
        for (const char* identifier : {kOnDemandID, "com.openiokit.test.Broken", "com.openiokit.test.Missing"}) {
            OSSharedPtr<OSDictionary> dict(OSDictionary::withCapacity(1), OSNoRetain);
            OSSharedPtr<OSString> id(OSString::withCString(identifier), OSNoRetain);
            dict->setObject(kCFBundleIdentifierKey, id.get());
            gIOCatalogue->removeDrivers(dict.get(), false);
        }
    }

    // Plugs a new nub in under the root and registers it.
    IOService* plugNub()
    {
        OSSharedPtr<KextTestOnDemandNub> nub(new KextTestOnDemandNub, OSNoRetain);
        EXPECT_TRUE(nub->init());
        EXPECT_TRUE(nub->attach(IOService::getServiceRoot()));
        nub->registerService();
        nubs_.push_back(nub);
        return nub.get();
    }

    // The driver started on `nub`, retained, or NULL after 30 s.
    static IOService* waitForDriverOn(IOService* nub)
    {
        OSSharedPtr<OSDictionary> matching(IOService::serviceMatching("KextTestOnDemandDriver"), OSNoRetain);
        IOService* found = nullptr;
        eventually([&] {
            OSSharedPtr<OSIterator> services(IOService::getMatchingServices(matching.get()), OSNoRetain);
            while (auto* service = services ? OSDynamicCast(IOService, services->getNextObject()) : nullptr) {
                if (service->getProvider() == nub) {
                    found = service;
                    found->retain();
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    static unsigned int personalityCount(const char* identifier)
    {
        OSSharedPtr<OSDictionary> dict(OSDictionary::withCapacity(1), OSNoRetain);
        OSSharedPtr<OSString> id(OSString::withCString(identifier), OSNoRetain);
        dict->setObject(kCFBundleIdentifierKey, id.get());
        OSSharedPtr<OSOrderedSet> found(gIOCatalogue->findDrivers(dict.get(), nullptr), OSNoRetain);
        return found ? found->getCount() : 0;
    }

    // A personality of `identifier` for the test nub class, added without matching.
    static void addPersonality(const char* identifier, const char* className)
    {
        OSSharedPtr<OSDictionary> personality(OSDictionary::withCapacity(3), OSNoRetain);
        OSSharedPtr<OSString> id(OSString::withCString(identifier), OSNoRetain);
        OSSharedPtr<OSString> ioClass(OSString::withCString(className), OSNoRetain);
        OSSharedPtr<OSString> provider(OSString::withCString("KextTestOnDemandNub"), OSNoRetain);
        personality->setObject(kCFBundleIdentifierKey, id.get());
        personality->setObject(kIOClassKey, ioClass.get());
        personality->setObject(kIOProviderClassKey, provider.get());
        const OSObject* objects[] = {personality.get()};
        OSSharedPtr<OSArray> array(OSArray::withObjects(objects, 1), OSNoRetain);
        ASSERT_TRUE(gIOCatalogue->addDrivers(array.get(), false));
    }

    static bool hasClient(IOService* nub)
    {
        OSSharedPtr<OSIterator> clients(nub->getClientIterator(), OSNoRetain);
        return clients && clients->getNextObject() != nullptr;
    }

    std::vector<OSSharedPtr<IOService>> nubs_;
};

}  // namespace

TEST_F(KextOnDemandTest, AutounloadedKextIsLoadedAgainWhenANewNubMatchesItsPersonality)
{
    LogCapture all("");
    kexts::setAutounloadDelay(std::chrono::milliseconds(50));
    auto loaded = kexts::loadKextWithPath(bundle("KextTestOnDemand"));
    ASSERT_TRUE(loaded) << loaded.error().message;
    IOService* first = plugNub();
    IOService* driver = waitForDriverOn(first);
    ASSERT_NE(driver, nullptr);
    driver->release();

    // Unplugging the nub terminates the driver; the registry goes quiet and the kext autounloads,
    // its personality staying in the catalogue.
    ASSERT_TRUE(first->terminate(kIOServiceSynchronous));
    ASSERT_TRUE(eventually([] { return !isLoaded(kOnDemandID); }));
    EXPECT_FALSE(isMapped(executableOf("KextTestOnDemand")));
    EXPECT_EQ(personalityCount(kOnDemandID), 1u);

    // A new nub: the kext loads again, from the path it was last loaded from (the extension
    // directories no longer hold it), and its driver starts on the nub.
    kexts::setAutounloadDelay(std::chrono::hours(1));
    kexts::setExtensionsDirectories({});
    IOService* second = plugNub();
    driver = waitForDriverOn(second);
    ASSERT_NE(driver, nullptr);
    driver->release();
    EXPECT_TRUE(isLoaded(kOnDemandID));
    EXPECT_FALSE(all.contains("Couldn't alloc class \"KextTestOnDemandDriver\""));
    EXPECT_EQ(personalityCount(kOnDemandID), 1u);

    // Loaded on demand, the kext skips one scan (delayAutounload) and is still autounloaded
    // once its driver goes: the skip re-arms the scan.
    kexts::setAutounloadDelay(std::chrono::milliseconds(50));
    ASSERT_TRUE(second->terminate(kIOServiceSynchronous));
    ASSERT_TRUE(eventually([] { return !isLoaded(kOnDemandID); }));
}

TEST_F(KextOnDemandTest, AKextThatFailsToLoadLeavesTheNubUnmatchedWithXnusMessage)
{
    // Found in the extension directories, but its executable is missing.
    TempDir dir;
    makeBundle(dir.path(), "Broken",
               plist(key("CFBundleIdentifier", "com.openiokit.test.Broken") + key("CFBundleExecutable", "Broken") +
                     key("CFBundleVersion", "1.0") + key("CFBundlePackageType", "KEXT")));
    kexts::setExtensionsDirectories({dir.path()});
    addPersonality("com.openiokit.test.Broken", "KextTestBrokenDriver");
    LogCapture all("");

    IOService* nub = plugNub();
    ASSERT_TRUE(eventually([&] { return all.contains("Failed to load kext com.openiokit.test.Broken (error 0x"); }));
    EXPECT_EQ(nub->waitQuiet(kThirtySeconds), kIOReturnSuccess);
    EXPECT_FALSE(hasClient(nub));
    EXPECT_FALSE(all.contains("Couldn't alloc class \"KextTestBrokenDriver\""));
    EXPECT_FALSE(isLoaded("com.openiokit.test.Broken"));
}

TEST_F(KextOnDemandTest, AKextNobodyCanFindFailsAtTheClassAsInXnu)
{
    // No load can be pending for a kext that is nowhere: matching goes on and fails at the class.
    addPersonality("com.openiokit.test.Missing", "KextTestMissingDriver");
    LogCapture all("");
    IOService* nub = plugNub();
    EXPECT_EQ(nub->waitQuiet(kThirtySeconds), kIOReturnSuccess);
    EXPECT_TRUE(all.contains("Can't load kext com.openiokit.test.Missing - not found."));
    EXPECT_TRUE(all.contains("Couldn't alloc class \"KextTestMissingDriver\""));
    EXPECT_FALSE(hasClient(nub));
}
