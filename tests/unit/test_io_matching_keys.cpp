// Passive matching, key by key (iokit-semantics.md §4.1-§4.2): each key matching and not
// matching, the family's matchPropertyTable and when it is consulted, and the table builders.
#include "test_io_matching_support.h"

using matchtest::array;
using matchtest::dict;
using matchtest::num;
using matchtest::str;

namespace {

class MatchingKeys : public MatchTestFixture {};

bool matches(IOService* service, OSDictionary* table)
{
    return service->passiveMatch(table);
}

}  // namespace

TEST_F(MatchingKeys, ProviderClassMatchesClassAndSuperclasses)
{
    auto sub = nub("sub", nullptr, MatchTestSubNub::metaClass);
    EXPECT_TRUE(matches(sub.get(), dict({{kIOProviderClassKey, str("MatchTestSubNub").get()}}).get()));
    EXPECT_TRUE(matches(sub.get(), dict({{kIOProviderClassKey, str("MatchTestNub").get()}}).get()));
    EXPECT_TRUE(matches(sub.get(), dict({{kIOProviderClassKey, str("IOService").get()}}).get()));
    EXPECT_TRUE(matches(sub.get(), dict({{kIOProviderClassKey, str("OSObject").get()}}).get()));
    EXPECT_FALSE(matches(sub.get(), dict({{kIOProviderClassKey, str("MatchTestDriver").get()}}).get()));
    EXPECT_FALSE(matches(sub.get(), dict({{kIOProviderClassKey, str("NoSuchClass").get()}}).get()));
}

TEST_F(MatchingKeys, NameMatchTakesAStringOrACollectionAndNotesTheName)
{
    auto service = nub("alpha");
    EXPECT_TRUE(matches(service.get(), dict({{kIONameMatchKey, str("alpha").get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIONameMatchKey, str("beta").get()}}).get()));
    EXPECT_TRUE(matches(service.get(), dict({{kIONameMatchKey, array({str("beta").get(), str("alpha").get()}).get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIONameMatchKey, array({str("beta").get(), str("gamma").get()}).get()}}).get()));

    // With changes allowed, the table records which name matched (it becomes the driver's
    // IONameMatched); without, the table is left alone.
    auto table = dict({{kIONameMatchKey, array({str("beta").get(), str("alpha").get()}).get()}});
    ASSERT_TRUE(service->passiveMatch(table.get(), false));
    EXPECT_EQ(table->getObject(kIONameMatchedKey), nullptr);
    ASSERT_TRUE(service->passiveMatch(table.get(), true));
    EXPECT_TRUE(str("alpha")->isEqualTo(table->getObject(kIONameMatchedKey)));
}

TEST_F(MatchingKeys, PropertyMatchNeedsEveryKeyOfOneDictionary)
{
    auto service = nub("props");
    service->setProperty("Color", "red");
    service->setProperty("Size", 3ULL, 32);
    auto both = dict({{"Color", str("red").get()}, {"Size", num(3).get()}});
    auto wrongSize = dict({{"Color", str("red").get()}, {"Size", num(4).get()}});
    auto missing = dict({{"Weight", num(1).get()}});
    EXPECT_TRUE(matches(service.get(), dict({{kIOPropertyMatchKey, both.get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPropertyMatchKey, wrongSize.get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPropertyMatchKey, missing.get()}}).get()));
    // A collection of dictionaries: any one of them.
    EXPECT_TRUE(matches(service.get(), dict({{kIOPropertyMatchKey, array({wrongSize.get(), both.get()}).get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPropertyMatchKey, array({wrongSize.get(), missing.get()}).get()}}).get()));
}

TEST_F(MatchingKeys, PropertyExistsMatchNeedsAnyOneKey)
{
    auto service = nub("exists");
    service->setProperty("Present", true);
    EXPECT_TRUE(matches(service.get(), dict({{kIOPropertyExistsMatchKey, str("Present").get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPropertyExistsMatchKey, str("Absent").get()}}).get()));
    EXPECT_TRUE(matches(service.get(), dict({{kIOPropertyExistsMatchKey, array({str("Absent").get(), str("Present").get()}).get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPropertyExistsMatchKey, array({str("Absent").get(), str("Gone").get()}).get()}}).get()));
    // A dictionary's keys count as the names.
    EXPECT_TRUE(matches(service.get(), dict({{kIOPropertyExistsMatchKey, dict({{"Present", num(0).get()}}).get()}}).get()));
}

TEST_F(MatchingKeys, LocationMatchComparesTheLocation)
{
    auto service = nub("located");
    service->setLocation("1f");
    EXPECT_TRUE(matches(service.get(), dict({{kIOLocationMatchKey, str("1f").get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOLocationMatchKey, str("2f").get()}}).get()));
    auto unlocated = nub("unlocated");
    EXPECT_FALSE(matches(unlocated.get(), dict({{kIOLocationMatchKey, str("1f").get()}}).get()));
}

TEST_F(MatchingKeys, PathMatchComparesTheServicePlanePath)
{
    auto service = nub("pathed");
    char path[512];
    int length = sizeof path;
    ASSERT_TRUE(service->getPath(path, &length, gIOServicePlane));
    EXPECT_TRUE(matches(service.get(), dict({{kIOPathMatchKey, str(path).get()}}).get()));
    EXPECT_FALSE(matches(service.get(), dict({{kIOPathMatchKey, str("IOService:/nowhere").get()}}).get()));
    // An IOPath property stands in for the path (xnu's alias for compatibility services).
    auto aliased = nub("aliased");
    aliased->setProperty("IOPath", "IOService:/elsewhere");
    EXPECT_TRUE(matches(aliased.get(), dict({{kIOPathMatchKey, str("IOService:/elsewhere").get()}}).get()));
}

TEST_F(MatchingKeys, RegistryEntryIDMatchesOneEntry)
{
    auto service = nub("identified");
    auto other = nub("other");
    auto table = matchtest::adopt(IOService::registryEntryIDMatching(service->getRegistryEntryID()));
    EXPECT_TRUE(matches(service.get(), table.get()));
    EXPECT_FALSE(matches(other.get(), table.get()));
}

TEST_F(MatchingKeys, MatchedServiceCountCountsActiveMatchedClients)
{
    auto service = nub("counted");
    auto countIs = [](UInt32 count) { return dict({{kIOMatchedServiceCountKey, num(count).get()}}); };
    EXPECT_TRUE(matches(service.get(), countIs(0).get()));
    EXPECT_FALSE(matches(service.get(), countIs(1).get()));
    // A client counts only once started through matching (it has IOMatchCategory).
    auto plain = nub("plain", service.get());
    EXPECT_TRUE(matches(service.get(), countIs(0).get()));
    addDrivers({personality("driver").get()});
    service->registerService(kIOServiceSynchronous);
    EXPECT_TRUE(matches(service.get(), countIs(1).get()));
    EXPECT_FALSE(matches(service.get(), countIs(0).get()));
}

TEST_F(MatchingKeys, ParentMatchLooksUpTheProviders)
{
    auto grandparent = nub("grandparent");
    grandparent->setProperty("Bus", "pci");
    auto parent = nub("parent", grandparent.get());
    auto child = nub("child", parent.get());
    auto onPci = dict({{kIOParentMatchKey, dict({{kIOPropertyMatchKey, dict({{"Bus", str("pci").get()}}).get()}}).get()}});
    auto onUsb = dict({{kIOParentMatchKey, dict({{kIOPropertyMatchKey, dict({{"Bus", str("usb").get()}}).get()}}).get()}});
    EXPECT_TRUE(matches(child.get(), onPci.get()));
    EXPECT_FALSE(matches(child.get(), onUsb.get()));
    auto byName = dict({{kIOParentMatchKey, dict({{kIONameMatchKey, str("parent").get()}}).get()}});
    EXPECT_TRUE(matches(child.get(), byName.get()));
    EXPECT_FALSE(matches(grandparent.get(), byName.get()));
}

TEST_F(MatchingKeys, ResourceMatchOnIOResourcesNeedsThePublishedResource)
{
    IOService* resources = IOService::getResourceService();
    const std::string name = std::string(id()) + ".resource";
    auto table = matchtest::adopt(IOService::resourceMatching(name.c_str()));
    EXPECT_FALSE(matches(resources, table.get()));
    IOService::publishResource(name.c_str());
    EXPECT_TRUE(matches(resources, table.get()));
    EXPECT_TRUE(matches(resources, matchtest::adopt(IOService::resourceMatching("IOKit")).get()));
    // A collection: every name must be there.
    auto both = dict({{kIOResourceMatchKey, array({str("IOKit").get(), str(name.c_str()).get()}).get()}});
    auto oneMissing = dict({{kIOResourceMatchKey, array({str("IOKit").get(), str("NoSuchResource").get()}).get()}});
    EXPECT_TRUE(matches(resources, both.get()));
    EXPECT_FALSE(matches(resources, oneMissing.get()));
    resources->removeProperty(name.c_str());
    quiet();
}

TEST_F(MatchingKeys, FamilyMatchingRunsOnlyForKeysTheGenericMatcherLeaves)
{
    auto service = OSSharedPtr<MatchTestNub>(OSDynamicCast(MatchTestNub, nub("family").get()), OSRetain);
    // Every key generic: the family is not asked.
    EXPECT_TRUE(matches(service.get(), dict({{kIONameMatchKey, str("family").get()}}).get()));
    EXPECT_EQ(service->familyMatchCalls, 0);
    // One key it does not know: the family decides.
    EXPECT_TRUE(matches(service.get(), dict({{kIONameMatchKey, str("family").get()}, {"Other", num(1).get()}}).get()));
    EXPECT_EQ(service->familyMatchCalls, 1);
    EXPECT_FALSE(matches(service.get(), dict({{"MatchTestFamilyRefuse", num(1).get()}}).get()));
    // A failing generic key stops before the family.
    EXPECT_FALSE(matches(service.get(), dict({{kIONameMatchKey, str("nope").get()}, {"Other", num(1).get()}}).get()));
    EXPECT_EQ(service->familyMatchCalls, 2);
    // The family may change the score; with changes allowed it is written back.
    auto table = dict({{kIOProbeScoreKey, num(10).get()}, {"MatchTestFamilyBonus", num(5).get()}});
    ASSERT_TRUE(service->passiveMatch(table.get(), true));
    EXPECT_TRUE(num(15)->isEqualTo(table->getObject(kIOProbeScoreKey)));
}

TEST_F(MatchingKeys, CompareProperty)
{
    auto service = nub("compare");
    service->setProperty("A", "x");
    service->setProperty("B", "y");
    auto table = dict({{"A", str("x").get()}, {"B", str("z").get()}});
    EXPECT_TRUE(service->compareProperty(table.get(), "A"));
    EXPECT_FALSE(service->compareProperty(table.get(), "B"));
    EXPECT_TRUE(service->compareProperty(table.get(), "NotInTable"));
    EXPECT_TRUE(service->compareProperty(table.get(), str("A").get()));
    // compareProperties consumes a reference on the keys.
    OSArray* keys = array({str("A").get()}).detach();
    keys->retain();
    EXPECT_TRUE(service->compareProperties(table.get(), keys));
    EXPECT_EQ(keys->getRetainCount(), 1);
    keys->retain();
    keys->setObject(str("B").get());
    EXPECT_FALSE(service->compareProperties(table.get(), keys));
    EXPECT_EQ(keys->getRetainCount(), 1);
    keys->release();
}

TEST_F(MatchingKeys, BuildersMakeOrExtendTables)
{
    auto table = matchtest::adopt(IOService::serviceMatching("MatchTestNub"));
    ASSERT_TRUE(table);
    EXPECT_TRUE(OSDynamicCast(OSSymbol, table->getObject(kIOProviderClassKey)));
    EXPECT_TRUE(str("MatchTestNub")->isEqualTo(table->getObject(kIOProviderClassKey)));
    // With a table, the same table comes back with the key added.
    EXPECT_EQ(IOService::nameMatching("name", table.get()), table.get());
    EXPECT_EQ(IOService::propertyMatching(matchtest::adopt(OSSymbol::withCString("Key")).get(), str("v").get(), table.get()), table.get());
    EXPECT_EQ(IOService::registryEntryIDMatching(42, table.get()), table.get());
    EXPECT_TRUE(str("name")->isEqualTo(table->getObject(kIONameMatchKey)));
    EXPECT_TRUE(dict({{"Key", str("v").get()}})->isEqualTo(table->getObject(kIOPropertyMatchKey)));
    EXPECT_EQ(OSDynamicCast(OSNumber, table->getObject(kIORegistryEntryIDKey))->unsigned64BitValue(), 42u);
    EXPECT_EQ(table->getCount(), 4u);

    auto resource = matchtest::adopt(IOService::resourceMatching("Thing"));
    EXPECT_TRUE(str("IOResources")->isEqualTo(resource->getObject(kIOProviderClassKey)));
    EXPECT_TRUE(str("Thing")->isEqualTo(resource->getObject(kIOResourceMatchKey)));

    EXPECT_EQ(IOService::addLocation(nullptr), nullptr);
    OSDictionary* location = IOService::addLocation(table.get());
    ASSERT_TRUE(location);
    EXPECT_EQ(table->getObject(kIOLocationMatchKey), location);
    EXPECT_EQ(location->getCount(), 0u);
}

TEST_F(MatchingKeys, LocationTableFollowsMatchLocation)
{
    // The default matchLocation finds no location provider, so a location table never matches.
    auto parent = nub("parent");
    auto child = nub("child", parent.get());
    auto table = dict({});
    IOService::addLocation(table.get());
    EXPECT_FALSE(matches(child.get(), table.get()));
}
