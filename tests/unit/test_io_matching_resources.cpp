// Resources (iokit-semantics.md §4.3): the IOResources nub, publishResource re-registering it so
// resource-matched drivers start, drivers waiting in start for IOResourceMatch resources, and
// addNeededResource.
#include "test_io_matching_support.h"

#include <atomic>
#include <chrono>
#include <thread>

using matchtest::dict;
using matchtest::loggedEnding;
using matchtest::num;
using matchtest::str;

namespace {

using Strings = std::vector<std::string>;

class MatchingResources : public MatchTestFixture {
protected:
    void TearDown() override
    {
        IOService* resources = IOService::getResourceService();
        for (const auto& name : published_) {
            resources->removeProperty(name.c_str());
        }
        for (auto& driver : drivers_) {
            terminate(driver.get());
        }
        drivers_.clear();
        MatchTestFixture::TearDown();
    }

    // A personality for a driver on IOResources needing `resource`, in its own match category.
    OSSharedPtr<OSDictionary> resourcePersonality(const char* tag, const std::string& resource)
    {
        auto result = personality(tag, 0, {{kIOResourceMatchKey, str(resource.c_str()).get()},
                                           {kIOMatchCategoryKey, str(id()).get()}},
                                  "IOResources");
        result->removeObject(kIOPropertyMatchKey);
        return result;
    }

    std::string resource(const char* suffix)
    {
        published_.push_back(std::string(id()) + "." + suffix);
        return published_.back();
    }

    // The started driver of `tag` on `provider`, remembered for TearDown.
    OSSharedPtr<IOService> keepClient(IOService* provider, const char* tag)
    {
        OSSharedPtr<OSIterator> clients(provider->getClientIterator(), OSNoRetain);
        while (auto* client = OSDynamicCast(IOService, clients->getNextObject())) {
            if (str(tag)->isEqualTo(client->getProperty("MatchTestTag"))) {
                drivers_.emplace_back(client, OSRetain);
                return drivers_.back();
            }
        }
        return nullptr;
    }

    std::vector<std::string> published_;
    std::vector<OSSharedPtr<IOService>> drivers_;
};

}  // namespace

TEST_F(MatchingResources, IOResourcesIsTheResourceNub)
{
    IOService* resources = IOService::getResourceService();
    ASSERT_TRUE(resources);
    EXPECT_STREQ(resources->getName(), "IOResources");
    EXPECT_TRUE(resources->metaCast("IOResources"));
    EXPECT_EQ(resources->getProvider(), IOService::getServiceRoot());
    char path[128];
    int length = sizeof path;
    ASSERT_TRUE(resources->getPath(path, &length, gIOServicePlane));
    EXPECT_STREQ(path, "IOService:/IOResources");
    EXPECT_TRUE(str("IOService")->isEqualTo(resources->getProperty("IOKit")));
    EXPECT_EQ(resources->getState() & (kIOServiceRegisteredState | kIOServiceMatchedState),
              unsigned{kIOServiceRegisteredState | kIOServiceMatchedState});
    IOUserClient* client = nullptr;
    EXPECT_EQ(resources->newUserClient(nullptr, nullptr, 0, nullptr, &client), kIOReturnUnsupported);
    EXPECT_EQ(client, nullptr);
    // When it has personalities to match, the resources present are noted.
    addDrivers({resourcePersonality("never", resource("never")).get()});
    IOService::publishResource(resource("noted").c_str());
    quiet();
    auto* matched = OSDynamicCast(OSArray, resources->getProperty("IOResourceMatched"));
    ASSERT_TRUE(matched);
    EXPECT_NE(matched->getNextIndexOfObject(matchtest::adopt(OSSymbol::withCString("IOKit")).get(), 0), ~0u);
}

TEST_F(MatchingResources, PublishingAResourceStartsTheDriversWaitingForIt)
{
    const std::string name = resource("ready");
    addDrivers({resourcePersonality("onResource", name).get()});
    quiet();
    EXPECT_TRUE(loggedEnding("::start").empty());

    IOService::publishResource(name.c_str());
    quiet();
    EXPECT_EQ(loggedEnding("::start"), (Strings{"onResource::start"}));
    auto driver = keepClient(IOService::getResourceService(), "onResource");
    ASSERT_TRUE(driver);
    EXPECT_EQ(driver->getProvider(), IOService::getResourceService());
    EXPECT_TRUE(str("IOService")->isEqualTo(IOService::getResourceService()->getProperty(name.c_str())));
}

TEST_F(MatchingResources, PublishResourceStoresTheValue)
{
    const std::string name = resource("valued");
    IOService::publishResource(matchtest::adopt(OSSymbol::withCString(name.c_str())).get(), num(12).get());
    EXPECT_TRUE(num(12)->isEqualTo(IOService::getResourceService()->getProperty(name.c_str())));
    quiet();
}

TEST_F(MatchingResources, ADriverWaitsInStartForItsResources)
{
    const std::string name = resource("late");
    addDrivers({personality("waits", 0, {{kIOResourceMatchKey, str(name.c_str()).get()}}).get()});
    auto service = nub("nub");
    service->registerService();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_TRUE(loggedEnding("::start").empty());
    EXPECT_GE(service->getBusyState(), 1u);

    IOService::publishResource(name.c_str());
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    EXPECT_EQ(loggedEnding("::start"), (Strings{"waits::start"}));
    EXPECT_EQ(clientTags(service.get()), (Strings{"waits"}));
}

TEST_F(MatchingResources, ASynchronousRegistrationWaitsOnTheCallersThread)
{
    const std::string name = resource("sync");
    addDrivers({personality("waits", 0, {{kIOResourceMatchKey, str(name.c_str()).get()}}).get()});
    auto service = nub("nub");
    std::atomic<bool> published{false};
    std::thread publisher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        published = true;
        IOService::publishResource(name.c_str());
    });
    service->registerService(kIOServiceSynchronous);
    // It could not return before the resource was there.
    EXPECT_TRUE(published);
    EXPECT_EQ(loggedEnding("::start"), (Strings{"waits::start"}));
    publisher.join();
}

TEST_F(MatchingResources, AddNeededResourceExtendsIOResourceMatch)
{
    auto service = nub("needs");
    // As xnu: only for a service that already waits for a resource.
    EXPECT_FALSE(service->addNeededResource("b"));
    service->setProperty(kIOResourceMatchKey, "a");
    EXPECT_TRUE(service->addNeededResource("b"));
    auto* set = OSDynamicCast(OSSet, service->getProperty(kIOResourceMatchKey));
    ASSERT_TRUE(set);
    EXPECT_EQ(set->getCount(), 2u);
    EXPECT_TRUE(service->addNeededResource("c"));
    set = OSDynamicCast(OSSet, service->getProperty(kIOResourceMatchKey));
    ASSERT_TRUE(set);
    EXPECT_EQ(set->getCount(), 3u);
}

TEST_F(MatchingResources, ADriverWaitsForEveryResourceOfASet)
{
    const std::string first = resource("first");
    const std::string second = resource("second");
    auto service = nub("nub");
    service->setProperty(kIOResourceMatchKey, first.c_str());
    ASSERT_TRUE(service->addNeededResource(second.c_str()));
    // The nub's own resources hold its drivers back too.
    addDrivers({personality("waits", 0).get()});
    service->registerService();
    IOService::publishResource(first.c_str());
    quiet();
    EXPECT_TRUE(loggedEnding("::start").empty());
    IOService::publishResource(second.c_str());
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    EXPECT_EQ(loggedEnding("::start"), (Strings{"waits::start"}));
}
