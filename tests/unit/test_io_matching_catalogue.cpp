// IOCatalogue (iokit-semantics.md §4.1, §4.5): duplicates, the generation count, findDrivers
// order over the class hierarchy, removal, and new personalities rematching registered nubs.
#include "test_io_matching_support.h"

using matchtest::dict;
using matchtest::loggedEnding;
using matchtest::num;
using matchtest::str;

namespace {

using Strings = std::vector<std::string>;

class MatchingCatalogue : public MatchTestFixture {
protected:
    // The tags of this test's personalities among `set`, in order.
    Strings tags(OSOrderedSet* set)
    {
        Strings result;
        for (unsigned int index = 0; index < set->getCount(); index++) {
            auto* personality = OSDynamicCast(OSDictionary, set->getObject(index));
            if (personality && str(id())->isEqualTo(personality->getObject("MatchTestID"))) {
                result.push_back(OSDynamicCast(OSString, personality->getObject("MatchTestTag"))->getCStringNoCopy());
            }
        }
        return result;
    }

    Strings found(IOService* service)
    {
        SInt32 generation = 0;
        auto set = matchtest::adopt(gIOCatalogue->findDrivers(service, &generation));
        EXPECT_EQ(generation, gIOCatalogue->getGenerationCount());
        return tags(set.get());
    }

    Strings foundByTag(const char* tag)
    {
        SInt32 generation = 0;
        auto set = matchtest::adopt(gIOCatalogue->findDrivers(
            dict({{"MatchTestID", str(id()).get()}, {"MatchTestTag", str(tag).get()}}).get(), &generation));
        return tags(set.get());
    }
};

}  // namespace

TEST_F(MatchingCatalogue, ExactDuplicatesAreDroppedButSupersetsKept)
{
    auto service = nub("nub");
    auto original = personality("p", 1);
    addDrivers({original.get()}, false);
    auto copy = matchtest::adopt(OSDictionary::withDictionary(original.get()));
    addDrivers({copy.get()}, false);
    EXPECT_EQ(found(service.get()), (Strings{"p"}));
    auto superset = personality("p", 1, {{"Extra", num(1).get()}});
    addDrivers({superset.get()}, false);
    EXPECT_EQ(found(service.get()), (Strings{"p", "p"}));
}

TEST_F(MatchingCatalogue, TheGenerationMovesOnlyWhenMatchingIsRequested)
{
    const SInt32 start = gIOCatalogue->getGenerationCount();
    addDrivers({personality("quiet").get()}, false);
    EXPECT_EQ(gIOCatalogue->getGenerationCount(), start);
    addDrivers({personality("loud").get()}, true);
    EXPECT_EQ(gIOCatalogue->getGenerationCount(), start + 1);
    // Nothing new (a duplicate): no change.
    addDrivers({personality("loud").get()}, true);
    EXPECT_EQ(gIOCatalogue->getGenerationCount(), start + 1);
    quiet();
}

TEST_F(MatchingCatalogue, AddDriversRefusesANonDictionary)
{
    const uint64_t from = matchtest::logSequence();
    auto drivers = matchtest::array({personality("ok").get(), str("not a personality").get()});
    EXPECT_FALSE(gIOCatalogue->addDrivers(drivers.get(), false));
    EXPECT_TRUE(matchtest::kernelLogContains("IOCatalogue::addDrivers() encountered non-dictionary; bailing.", from));
    EXPECT_FALSE(gIOCatalogue->addDrivers(nullptr));
}

TEST_F(MatchingCatalogue, FindDriversCoversSuperclassesInScoreOrder)
{
    auto service = nub("sub", nullptr, MatchTestSubNub::metaClass);
    addDrivers({personality("baseEqual", 5).get(), personality("serviceEqual", 5, {}, "IOService").get(),
                personality("subEqual", 5, {}, "MatchTestSubNub").get(), personality("baseHigh", 9).get(),
                personality("otherClass", 50, {}, "MatchTestDriver").get(), personality("negative", -1).get()},
               false);
    // Higher scores first; equal scores: the more derived class first, then the order added.
    EXPECT_EQ(found(service.get()), (Strings{"baseHigh", "subEqual", "baseEqual", "serviceEqual", "negative"}));
    auto base = nub("base");
    EXPECT_EQ(found(base.get()), (Strings{"baseHigh", "baseEqual", "serviceEqual", "negative"}));
}

TEST_F(MatchingCatalogue, PersonalityStringsBecomeSymbols)
{
    auto added = personality("symbols");
    addDrivers({added.get()}, false);
    EXPECT_TRUE(OSDynamicCast(OSSymbol, added->getObject(kIOClassKey)));
    EXPECT_TRUE(OSDynamicCast(OSSymbol, added->getObject(kIOProviderClassKey)));
    EXPECT_TRUE(OSDynamicCast(OSSymbol, added->getObject("CFBundleIdentifier")));
    EXPECT_TRUE(str("com.example.matchtest")->isEqualTo(added->getObject("CFBundleIdentifierKernel")));
}

TEST_F(MatchingCatalogue, FindAndRemoveByMatchingDictionary)
{
    addDrivers({personality("keep").get(), personality("drop").get(), personality("drop", 3).get()}, false);
    EXPECT_EQ(foundByTag("drop"), (Strings{"drop", "drop"}));
    const SInt32 start = gIOCatalogue->getGenerationCount();
    EXPECT_TRUE(gIOCatalogue->removeDrivers(
        dict({{"MatchTestID", str(id()).get()}, {"MatchTestTag", str("drop").get()}}).get(), false));
    EXPECT_TRUE(foundByTag("drop").empty());
    EXPECT_EQ(foundByTag("keep"), (Strings{"keep"}));
    EXPECT_EQ(gIOCatalogue->getGenerationCount(), start);
    EXPECT_FALSE(gIOCatalogue->removeDrivers(nullptr));
}

TEST_F(MatchingCatalogue, NewPersonalitiesRematchRegisteredNubs)
{
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    auto unregistered = nub("unregistered");
    EXPECT_TRUE(clientTags(service.get()).empty());

    addDrivers({personality("arrives").get()});
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    quiet();
    EXPECT_EQ(clientTags(service.get()), (Strings{"arrives"}));
    // Only registered services are rematched.
    EXPECT_TRUE(clientTags(unregistered.get()).empty());
    OSSharedPtr<IOService> driver(service->getClient(), OSRetain);
    EXPECT_STREQ(static_cast<MatchTestDriver*>(driver.get())->startThreadName, "_IOConfigThread");
}

TEST_F(MatchingCatalogue, RemovingPersonalitiesRematchesTheirNubs)
{
    addDrivers({personality("first", 0, {{kIOMatchCategoryKey, str("a").get()}}).get()});
    auto service = nub("nub");
    service->registerService(kIOServiceSynchronous);
    ASSERT_EQ(clientTags(service.get()), (Strings{"first"}));
    // A personality added without matching waits until the nub is rematched; removing another
    // personality that matched this nub rematches it.
    addDrivers({personality("second", 0, {{kIOMatchCategoryKey, str("b").get()}}).get()}, false);
    const SInt32 start = gIOCatalogue->getGenerationCount();
    EXPECT_TRUE(gIOCatalogue->removeDrivers(
        dict({{"MatchTestID", str(id()).get()}, {"MatchTestTag", str("first").get()}}).get(), true));
    EXPECT_EQ(gIOCatalogue->getGenerationCount(), start + 1);
    EXPECT_EQ(service->waitQuiet(), kIOReturnSuccess);
    EXPECT_EQ(clientTags(service.get()), (Strings{"first", "second"}));
}
