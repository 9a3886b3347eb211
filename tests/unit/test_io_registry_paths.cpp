// IORegistryEntry names, locations and paths: defaults, per-plane names, name comparison,
// getPath/fromPath round trips with locations, residual paths, failures, the IOService plane.
#include "test_io_registry_support.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace regtest;

namespace {

const IORegistryPlane* paths()
{
    return plane("RegTestPaths");
}

class RegistryPaths : public ::testing::Test {
protected:
    void SetUp() override { baseline_ = liveEntries(); }
    void TearDown() override { EXPECT_EQ(liveEntries(), baseline_) << "registry test entries leaked"; }

    OSSharedPtr<RegistryTestEntry> attached(const char* name, const char* location, IORegistryEntry* parent)
    {
        OSSharedPtr<RegistryTestEntry> made = entry(name, location);
        EXPECT_TRUE(made->attachToParent(parent, paths()));
        return made;
    }

private:
    unsigned int baseline_ = 0;
};

// fromPath, adopted.
OSSharedPtr<IORegistryEntry> lookUp(const char* path, const IORegistryPlane* plane = nullptr,
                                    IORegistryEntry* from = nullptr)
{
    return adopt(IORegistryEntry::fromPath(path, plane, nullptr, nullptr, from));
}

TEST_F(RegistryPaths, NamesDefaultToTheClassAndCanBeSetGloballyOrPerPlane)
{
    OSSharedPtr<RegistryTestEntry> e = entry();
    EXPECT_STREQ(e->getName(), "RegistryTestEntry");
    EXPECT_STREQ(e->getName(paths()), "RegistryTestEntry");
    OSSharedPtr<const OSSymbol> name = adopt(e->copyName());
    ASSERT_TRUE(name);
    EXPECT_TRUE(name->isEqualTo("RegistryTestEntry"));
    EXPECT_EQ(e->getLocation(), nullptr);
    EXPECT_EQ(e->copyLocation(), nullptr);

    e->setName("global");
    e->setName("inPaths", paths());
    EXPECT_STREQ(e->getName(), "global");
    EXPECT_STREQ(e->getName(paths()), "inPaths");
    EXPECT_STREQ(e->getName(gIOPowerPlane), "global");  // no name of its own there
    name = adopt(e->copyName(paths()));
    EXPECT_TRUE(name->isEqualTo("inPaths"));

    e->setLocation("1f");
    e->setLocation("2,0", paths());
    EXPECT_STREQ(e->getLocation(), "1f");
    EXPECT_STREQ(e->getLocation(paths()), "2,0");
    OSSharedPtr<const OSSymbol> location = adopt(e->copyLocation(gIOPowerPlane));
    ASSERT_TRUE(location);
    EXPECT_TRUE(location->isEqualTo("1f"));

    // The OSString and OSSymbol forms; NULL names are ignored.
    OSSharedPtr<OSString> string = adopt(OSString::withCString("fromString"));
    e->setName(string.get());
    EXPECT_STREQ(e->getName(), "fromString");
    e->setName((const char*)nullptr);
    EXPECT_STREQ(e->getName(), "fromString");
    // Names are not properties (xnu keeps them in the registry table).
    EXPECT_EQ(e->getProperty("IOName"), nullptr);
}

TEST_F(RegistryPaths, ANameReturnedEarlierStaysValidAfterARename)
{
    OSSharedPtr<RegistryTestEntry> e = entry("first");
    const char* old = e->getName();
    const char* oldLocation = (e->setLocation("a0"), e->getLocation());
    e->setName("second");
    e->setLocation("b0");
    e->setName("first");  // back again: still one retired copy
    EXPECT_STREQ(old, "first");
    EXPECT_STREQ(oldLocation, "a0");
    EXPECT_STREQ(e->getName(), "first");
}

TEST_F(RegistryPaths, CompareNamesTakesAStringOrACollection)
{
    OSSharedPtr<RegistryTestEntry> e = entry("target");
    OSSharedPtr<OSString> hit = adopt(OSString::withCString("target"));
    OSSharedPtr<OSString> miss = adopt(OSString::withCString("other"));

    EXPECT_TRUE(e->compareName(hit.get()));
    EXPECT_FALSE(e->compareName(miss.get()));
    EXPECT_FALSE(e->compareName(nullptr));
    OSString* matched = nullptr;
    EXPECT_TRUE(e->compareName(hit.get(), &matched));
    EXPECT_EQ(matched, hit.get());
    EXPECT_EQ(hit->getRetainCount(), 2);  // matched is retained for the caller
    matched->release();

    OSSharedPtr<OSArray> names = adopt(OSArray::withCapacity(2));
    names->setObject(miss.get());
    names->setObject(hit.get());
    OSSharedPtr<OSString> matchedPtr;
    EXPECT_TRUE(e->compareNames(names.get(), matchedPtr));
    EXPECT_EQ(matchedPtr.get(), hit.get());
    matchedPtr.reset();
    EXPECT_TRUE(e->compareNames(hit.get()));
    EXPECT_FALSE(e->compareNames(miss.get()));
    OSSharedPtr<OSNumber> notAName = adopt(OSNumber::withNumber(1, 32));
    EXPECT_FALSE(e->compareNames(notAName.get()));
    names->removeObject(1);
    EXPECT_FALSE(e->compareNames(names.get(), &matched));
    // Global name only, as in xnu.
    e->setName("planeOnly", paths());
    OSSharedPtr<OSString> planeOnly = adopt(OSString::withCString("planeOnly"));
    EXPECT_FALSE(e->compareName(planeOnly.get()));
}

TEST_F(RegistryPaths, PathsRoundTripWithLocations)
{
    ServiceRoot root(paths());
    OSSharedPtr<RegistryTestEntry> a = attached("a", "1f", root.get());
    OSSharedPtr<RegistryTestEntry> b = attached("b", nullptr, a.get());
    OSSharedPtr<RegistryTestEntry> c = attached("c", "0,3", b.get());
    OSSharedPtr<RegistryTestEntry> plain = attached("plain", nullptr, root.get());

    EXPECT_EQ(pathOf(root.get(), paths()), "RegTestPaths:/");
    EXPECT_EQ(pathOf(a.get(), paths()), "RegTestPaths:/a@1f");
    EXPECT_EQ(pathOf(b.get(), paths()), "RegTestPaths:/a@1f/b");
    EXPECT_EQ(pathOf(c.get(), paths()), "RegTestPaths:/a@1f/b/c@0,3");
    EXPECT_EQ(pathOf(plain.get(), paths()), "RegTestPaths:/plain");

    for (IORegistryEntry* e : {root.get(), (IORegistryEntry*)a.get(), (IORegistryEntry*)b.get(),
                               (IORegistryEntry*)c.get(), (IORegistryEntry*)plain.get()}) {
        const std::string path = pathOf(e, paths());
        OSSharedPtr<IORegistryEntry> found = lookUp(path.c_str());
        EXPECT_EQ(found.get(), e) << path;
    }
    // fromPath retains its result.
    const int before = c->getRetainCount();
    IORegistryEntry* raw = IORegistryEntry::fromPath("RegTestPaths:/a@1f/b/c@0,3");
    EXPECT_EQ(raw, c.get());
    EXPECT_EQ(c->getRetainCount(), before + 1);
    raw->release();

    // A plane-less path with the plane given, and paths relative to an entry.
    EXPECT_EQ(lookUp("/a@1f/b", paths()).get(), b.get());
    EXPECT_EQ(lookUp("b/c@0,3", paths(), a.get()).get(), c.get());
    EXPECT_EQ(adopt(a->childFromPath("b", paths())).get(), b.get());
    // With a plane given, a plane prefix is not stripped (xnu).
    EXPECT_EQ(lookUp("RegTestPaths:/a@1f", paths()).get(), nullptr);
}

TEST_F(RegistryPaths, ComponentsMatchNamesLiterallyAndLocationsByValue)
{
    ServiceRoot root(paths());
    OSSharedPtr<RegistryTestEntry> first = attached("dev", "1", root.get());
    OSSharedPtr<RegistryTestEntry> second = attached("dev", "2", root.get());
    OSSharedPtr<RegistryTestEntry> prefix = attached("device", nullptr, root.get());

    EXPECT_EQ(lookUp("RegTestPaths:/dev@2").get(), second.get());
    EXPECT_EQ(lookUp("RegTestPaths:/dev@1").get(), first.get());
    EXPECT_EQ(lookUp("RegTestPaths:/dev").get(), first.get());      // a bare name: first match
    EXPECT_EQ(lookUp("RegTestPaths:/dev@02").get(), second.get());  // hex values, not text
    EXPECT_EQ(lookUp("RegTestPaths:/dev@2,0").get(), second.get()); // missing numbers are zero
    EXPECT_EQ(lookUp("RegTestPaths:/@2").get(), second.get());      // location only
    EXPECT_EQ(lookUp("RegTestPaths:/device").get(), prefix.get());  // not taken as "dev" + "ice"
    EXPECT_EQ(lookUp("RegTestPaths:/dev@3").get(), nullptr);
    EXPECT_EQ(lookUp("RegTestPaths:/de").get(), nullptr);
}

TEST_F(RegistryPaths, MissingPathsAndBadPlanesFindNothing)
{
    ServiceRoot root(paths());
    OSSharedPtr<RegistryTestEntry> a = attached("a", "1f", root.get());

    EXPECT_EQ(lookUp("RegTestPaths:/a@1f/missing").get(), nullptr);
    EXPECT_EQ(lookUp("RegTestPaths:/missing").get(), nullptr);
    EXPECT_EQ(lookUp("RegTestPaths:/a@1f/").get(), nullptr);  // trailing residue "/"
    EXPECT_EQ(lookUp("NoSuchPlane:/a@1f").get(), nullptr);
    EXPECT_EQ(lookUp("/a@1f").get(), nullptr);  // no plane at all
    EXPECT_EQ(lookUp("RegTestPaths:").get(), nullptr);
    EXPECT_EQ(lookUp("RegTestPaths:a").get(), nullptr);  // absolute paths start with '/'
    EXPECT_EQ(lookUp(nullptr).get(), nullptr);
    // Nothing below the registry root in a plane: no service root, no paths.
    EXPECT_EQ(lookUp("RegTestPathsEmpty:/", plane("RegTestPathsEmpty")).get(), nullptr);
    EXPECT_EQ(lookUp("/", plane("RegTestPathsEmpty")).get(), nullptr);
}

TEST_F(RegistryPaths, ResidualPathsAreHandedBackWhenAsked)
{
    ServiceRoot root(paths());
    OSSharedPtr<RegistryTestEntry> a = attached("a", "1f", root.get());
    OSSharedPtr<RegistryTestEntry> b = attached("b", nullptr, a.get());

    char residual[64];
    int residualLength = sizeof residual;
    OSSharedPtr<IORegistryEntry> found =
        adopt(IORegistryEntry::fromPath("RegTestPaths:/a@1f/b/extra/more", nullptr, residual, &residualLength));
    EXPECT_EQ(found.get(), b.get());
    EXPECT_EQ(residualLength, 11);
    EXPECT_STREQ(residual, "/extra/more");

    residualLength = sizeof residual;
    found = adopt(IORegistryEntry::fromPath("RegTestPaths:/a@1f/b", nullptr, residual, &residualLength));
    EXPECT_EQ(found.get(), b.get());
    EXPECT_EQ(residualLength, 0);
    EXPECT_STREQ(residual, "");

    // A ':' after a name also ends the walk (after a location it continues the location).
    residualLength = sizeof residual;
    found = adopt(IORegistryEntry::fromPath("RegTestPaths:/a@1f/b:tail", nullptr, residual, &residualLength));
    EXPECT_EQ(found.get(), b.get());
    EXPECT_STREQ(residual, ":tail");
    EXPECT_EQ(lookUp("RegTestPaths:/a@1f:0").get(), a.get());  // "1f:0" matches location "1f"

    // A residual that does not fit is not copied, but its length is reported.
    residualLength = 4;
    std::strcpy(residual, "old");
    found = adopt(IORegistryEntry::fromPath("RegTestPaths:/a@1f/b/extra", nullptr, residual, &residualLength));
    EXPECT_EQ(found.get(), b.get());
    EXPECT_EQ(residualLength, 6);
    EXPECT_STREQ(residual, "old");
}

TEST_F(RegistryPaths, GetPathFailsOutsideThePlaneOrWhenTheBufferIsShort)
{
    ServiceRoot root(paths());
    OSSharedPtr<RegistryTestEntry> a = attached("a", "1f", root.get());
    OSSharedPtr<RegistryTestEntry> loose = entry("loose");

    EXPECT_EQ(pathOf(loose.get(), paths()), "<failed>");
    EXPECT_EQ(pathOf(IORegistryEntry::getRegistryRoot(), paths()), "<failed>");  // the root has no path
    EXPECT_EQ(pathOf(a.get(), gIOPowerPlane), "<failed>");

    // "RegTestPaths:/a@1f" is 18 characters; xnu needs two spare bytes (NUL and one more).
    char buffer[64];
    int length = 21;
    ASSERT_TRUE(a->getPath(buffer, &length, paths()));
    EXPECT_EQ(length, 18);
    EXPECT_STREQ(buffer, "RegTestPaths:/a@1f");
    length = 20;
    EXPECT_FALSE(a->getPath(buffer, &length, paths()));
    length = 13;  // not even the plane name fits
    EXPECT_FALSE(a->getPath(buffer, &length, paths()));
    EXPECT_FALSE(a->getPath(nullptr, &length, paths()));
    EXPECT_FALSE(a->getPath(buffer, nullptr, paths()));
    EXPECT_FALSE(a->getPath(buffer, &length, nullptr));

    // Per-plane names and locations are what the path uses.
    a->setName("renamed", paths());
    a->setLocation("7", paths());
    EXPECT_EQ(pathOf(a.get(), paths()), "RegTestPaths:/renamed@7");
    EXPECT_EQ(lookUp("RegTestPaths:/renamed@7").get(), a.get());
}

TEST_F(RegistryPaths, TheServicePlaneRootIsSlashAndItsChildrenAreBelowIt)
{
    IORegistryEntry::initialize();
    ServiceRoot root(gIOServicePlane);
    // A registry-level test: a stand-in entry checks the path shape macOS shows for IOResources
    // (the real one, an IOService attached at start-up, is in test_io_matching_resources.cpp).
    OSSharedPtr<RegistryTestEntry> resources = entry("IOResourcesStandIn");
    ASSERT_TRUE(resources->attachToParent(root.get(), gIOServicePlane));

    EXPECT_EQ(pathOf(root.get(), gIOServicePlane), "IOService:/");
    EXPECT_EQ(pathOf(resources.get(), gIOServicePlane), "IOService:/IOResourcesStandIn");
    EXPECT_EQ(lookUp("IOService:/").get(), root.get());
    EXPECT_EQ(lookUp("IOService:/IOResourcesStandIn").get(), resources.get());
    EXPECT_EQ(root.get()->getParentEntry(gIOServicePlane), IORegistryEntry::getRegistryRoot());
}

}  // namespace
