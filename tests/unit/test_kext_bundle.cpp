// Loading kext bundles by path (iokit-semantics.md §4.5): Info.plist parsing and validation,
// dependencies, load tags, kmod start/stop, and every broken-bundle case failing with an
// OSKextReturn code and a sentence naming the file, leaving nothing registered or mapped.
#include "test_kext_support.h"

#include "../../src/kernel/KextVersion.h"

#include <IOKit/IOCatalogue.h>
#include <libkern/c++/OSString.h>

#include <plist/plist.h>

#include <dlfcn.h>

#include <algorithm>

using namespace kexttest;
namespace kexts = openiokit::kexts;

namespace {

class KextBundleTest : public KextTest {};

std::string libraryPlist(const std::string& extra = {})
{
    return plist(key("CFBundleIdentifier", "com.openiokit.test.Temp") + key("CFBundleVersion", "1.0") +
                 key("CFBundleExecutable", "Temp") +
                 "<key>OSBundleLibraries</key><dict>" + key("com.apple.kpi.libkern", "8.0.0") + "</dict>\n" + extra);
}

}  // namespace

TEST(KextVersion, ParsesAppleVersionsInOrder)
{
    using kexts::parseKextVersion;
    ASSERT_TRUE(parseKextVersion("1.0.0d1"));
    EXPECT_LT(*parseKextVersion("1.0.0d1"), *parseKextVersion("1.0.0a1"));
    EXPECT_LT(*parseKextVersion("1.0.0a1"), *parseKextVersion("1.0.0b1"));
    EXPECT_LT(*parseKextVersion("1.0.0b1"), *parseKextVersion("1.0.0fc1"));
    EXPECT_LT(*parseKextVersion("1.0.0fc1"), *parseKextVersion("1.0.0"));
    EXPECT_EQ(*parseKextVersion("1"), *parseKextVersion("1.0.0"));
    EXPECT_LT(*parseKextVersion("1.99.99"), *parseKextVersion("2.0"));
    for (const char* bad : {"", "banana", "1.", "1.100", "1.0.0x1", "1.0.0d256", "123456.0"}) {
        EXPECT_FALSE(parseKextVersion(bad)) << bad;
    }
}

TEST_F(KextBundleTest, KernelComponentsComeFirstAndCannotBeUnloaded)
{
    const auto rows = kexts::loadedKexts();
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.front().bundleID, kOSKextKernelIdentifier);
    EXPECT_EQ(rows.front().loadTag, 0u);
    bool sawIOKitKPI = false;
    for (const auto& row : rows) {
        sawIOKitKPI = sawIOKitKPI || (row.bundleID == "com.apple.kpi.iokit" && row.isKernelComponent);
    }
    EXPECT_TRUE(sawIOKitKPI);
    // A component no loaded kext links against (a dependent would make it "in use" first).
    auto refused = kexts::unloadKextWithIdentifier("com.apple.kpi.dsep", false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, kOSKextReturnInvalidArgument);
}

TEST_F(KextBundleTest, DependenciesLoadFirstAndUnloadLast)
{
    LogCapture log("com.openiokit.test.Dependent");
    auto tag = kexts::loadKextWithPath(bundle("KextTestDependent"));
    ASSERT_TRUE(tag) << tag.error().message;
    ASSERT_TRUE(isLoaded("com.openiokit.test.Library"));

    OSKext* library = OSKext::lookupKextWithIdentifier("com.openiokit.test.Library");
    ASSERT_NE(library, nullptr);
    EXPECT_LT(library->getLoadTag(), *tag);
    const OSKextLoadTag libraryTag = library->getLoadTag();
    library->release();

    // The kmod start routine ran, called into the library and knows who it is.
    EXPECT_TRUE(log.contains("Dependent start: answer 42, identifier com.openiokit.test.Dependent, version 2.0.0, tag " +
                             std::to_string(*tag) + ", kmod id " + std::to_string(*tag)));

    bool listed = false;
    for (const auto& row : kexts::loadedKexts()) {
        if (row.bundleID == "com.openiokit.test.Dependent") {
            listed = true;
            EXPECT_EQ(row.version, "2.0.0");
            EXPECT_NE(row.address, 0u);
            EXPECT_GT(row.size, 0u);
            EXPECT_EQ(row.retainCount, 0);
            EXPECT_NE(std::find(row.linkedAgainst.begin(), row.linkedAgainst.end(), libraryTag), row.linkedAgainst.end());
            EXPECT_EQ(std::filesystem::path(row.path), bundle("KextTestDependent"));
        }
        if (row.bundleID == "com.openiokit.test.Library") {
            EXPECT_EQ(row.retainCount, 1);  // the dependent links against it
        }
    }
    EXPECT_TRUE(listed);

    // The library is held by its dependent.
    auto refused = kexts::unloadKextWithIdentifier("com.openiokit.test.Library", false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, kOSKextReturnInUse);
    EXPECT_EQ(refused.error().message,
              "Can't unload kext com.openiokit.test.Library; outstanding references 1 (linkage or tracking object).");

    ASSERT_TRUE(kexts::unloadKextWithIdentifier("com.openiokit.test.Dependent", false));
    EXPECT_TRUE(log.contains("Dependent stop"));
    EXPECT_FALSE(isMapped(executableOf("KextTestDependent")));
    ASSERT_TRUE(kexts::unloadKextWithIdentifier("com.openiokit.test.Library", false));
    EXPECT_FALSE(isMapped(executableOf("KextTestLibrary")));
}

TEST_F(KextBundleTest, LoadingTwiceAnswersTheSameTagAndTagsAreMonotonic)
{
    auto first = kexts::loadKextWithPath(bundle("KextTestLibrary"));
    ASSERT_TRUE(first);
    auto again = kexts::loadKextWithIdentifier("com.openiokit.test.Library");
    ASSERT_TRUE(again);
    EXPECT_EQ(*first, *again);
    ASSERT_TRUE(kexts::unloadKextWithPath(bundle("KextTestLibrary"), false));
    auto reloaded = kexts::loadKextWithPath(bundle("KextTestLibrary"));
    ASSERT_TRUE(reloaded);
    EXPECT_GT(*reloaded, *first);
}

TEST_F(KextBundleTest, BinaryInfoPlistIsAccepted)
{
    TempDir dir;
    plist_t root = nullptr;
    plist_from_xml(libraryPlist().c_str(), static_cast<uint32_t>(libraryPlist().size()), &root);
    ASSERT_NE(root, nullptr);
    plist_dict_set_item(root, "CFBundleIdentifier", plist_new_string("com.openiokit.test.Library"));
    plist_dict_set_item(root, "CFBundleExecutable", plist_new_string("KextTestLibrary"));
    plist_dict_set_item(root, "OSBundleCompatibleVersion", plist_new_string("1.0"));
    char* bytes = nullptr;
    uint32_t length = 0;
    plist_to_bin(root, &bytes, &length);
    plist_free(root);
    const auto path = makeBundle(dir.path(), "Binary", "", executableOf("KextTestLibrary"), "KextTestLibrary");
    std::ofstream(path / "Contents" / "Info.plist", std::ios::binary).write(bytes, length);
    free(bytes);
    EXPECT_EQ(kexts::bundleIDForPath(path), "com.openiokit.test.Library");
    auto tag = kexts::loadKextWithPath(path);
    ASSERT_TRUE(tag) << tag.error().message;
    ASSERT_TRUE(kexts::unloadKextWithIdentifier("com.openiokit.test.Library", false));
}

TEST_F(KextBundleTest, MissingBundleIsNotFound)
{
    TempDir dir;
    auto result = kexts::loadKextWithPath(dir.path() / "Nothing.kext");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnNotFound);
    EXPECT_NE(result.error().message.find("Nothing.kext"), std::string::npos);
}

TEST_F(KextBundleTest, MissingInfoPlistIsNotFound)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "NoPlist", "", executableOf("KextTestLibrary"), "KextTestLibrary");
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnNotFound);
    EXPECT_EQ(result.error().message, (path / "Contents" / "Info.plist").string() +
                                          " does not exist; the bundle is not a kext.");
}

TEST_F(KextBundleTest, InvalidInfoPlistIsBadData)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "Garbage", "<plist><dict><key>oops");
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnBadData);
    EXPECT_NE(result.error().message.find("Info.plist is not a valid property list"), std::string::npos);
}

TEST_F(KextBundleTest, MissingIdentifierFailsValidation)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "NoID", plist(key("CFBundleVersion", "1.0")));
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnValidation);
    EXPECT_EQ(result.error().message,
              (path / "Contents" / "Info.plist").string() + ": CFBundleIdentifier is missing or not a string.");
}

TEST_F(KextBundleTest, BadVersionFailsValidation)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "BadVersion",
                                 plist(key("CFBundleIdentifier", "com.openiokit.test.Temp") + key("CFBundleVersion", "banana")));
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnValidation);
    EXPECT_NE(result.error().message.find("CFBundleVersion \"banana\" is not a valid kext version."), std::string::npos);
}

TEST_F(KextBundleTest, MissingExecutableFailsValidation)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "NoExe", libraryPlist());
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnValidation);
    EXPECT_NE(result.error().message.find((path / "Contents" / "MacOS" / "Temp").string() + " does not exist"),
              std::string::npos);
}

TEST_F(KextBundleTest, ExecutableWithoutLibrariesFailsValidation)
{
    TempDir dir;
    const auto path = makeBundle(dir.path(), "NoLibs",
                                 plist(key("CFBundleIdentifier", "com.openiokit.test.Temp") + key("CFBundleVersion", "1.0") +
                                       key("CFBundleExecutable", "Temp")),
                                 executableOf("KextTestLibrary"), "Temp");
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnValidation);
    EXPECT_NE(result.error().message.find("OSBundleLibraries is missing"), std::string::npos);
}

TEST_F(KextBundleTest, MissingDependencyFails)
{
    TempDir dir;
    const auto path = makeBundle(
        dir.path(), "NeedsMissing",
        plist(key("CFBundleIdentifier", "com.openiokit.test.Temp") + key("CFBundleVersion", "1.0") +
              "<key>OSBundleLibraries</key><dict>" + key("com.openiokit.test.DoesNotExist", "1.0") + "</dict>\n"));
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnDependencies);
    EXPECT_NE(result.error().message.find("library com.openiokit.test.DoesNotExist is neither loaded nor found"),
              std::string::npos);
    EXPECT_FALSE(isLoaded("com.openiokit.test.Temp"));
}

TEST_F(KextBundleTest, IncompatibleDependencyVersionFails)
{
    TempDir dir;
    const auto path = makeBundle(
        dir.path(), "NeedsNewer",
        plist(key("CFBundleIdentifier", "com.openiokit.test.Temp") + key("CFBundleVersion", "1.0") +
              "<key>OSBundleLibraries</key><dict>" + key("com.openiokit.test.Library", "9.0") + "</dict>\n"));
    auto result = kexts::loadKextWithPath(path);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnDependencies);
    EXPECT_NE(result.error().message.find("requires com.openiokit.test.Library 9.0"), std::string::npos);
}

TEST_F(KextBundleTest, UnresolvedSymbolIsALinkError)
{
    auto result = kexts::loadKextWithPath(bundle("KextTestBrokenUnresolved"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnLinkError);
    EXPECT_NE(result.error().message.find(executableOf("KextTestBrokenUnresolved").string()), std::string::npos);
    EXPECT_NE(result.error().message.find("openiokit_test_symbol_nobody_defines"), std::string::npos);
    EXPECT_FALSE(isLoaded("com.openiokit.test.BrokenUnresolved"));
    EXPECT_FALSE(isMapped(executableOf("KextTestBrokenUnresolved")));
}

TEST_F(KextBundleTest, DuplicateClassIsRefusedAndNothingStays)
{
    ASSERT_TRUE(kexts::loadKextWithPath(bundle("KextTestLibrary")));
    auto result = kexts::loadKextWithPath(bundle("KextTestBrokenDuplicate"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSMetaClassDuplicateClass);
    EXPECT_NE(result.error().message.find("defines class KextTestLibraryObject that is already loaded"), std::string::npos);
    EXPECT_FALSE(isLoaded("com.openiokit.test.BrokenDuplicate"));
    EXPECT_FALSE(isMapped(executableOf("KextTestBrokenDuplicate")));
    // The first definition is intact.
    OSObject* object = OSMetaClass::allocClassWithName("KextTestLibraryObject");
    ASSERT_NE(object, nullptr);
    EXPECT_STREQ(object->getMetaClass()->getKmodName()->getCStringNoCopy(), "com.openiokit.test.Library");
    object->release();
}

TEST_F(KextBundleTest, ThrowingConstructorFailsAndUnregistersItsClasses)
{
    auto result = kexts::loadKextWithPath(bundle("KextTestBrokenThrowing"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnStartStopError);
    EXPECT_EQ(result.error().message, executableOf("KextTestBrokenThrowing").string() +
                                          ": a static constructor threw: KextTestBrokenThrowing refuses to construct.");
    EXPECT_EQ(OSMetaClass::allocClassWithName("KextTestThrowingObject"), nullptr);
    EXPECT_FALSE(isLoaded("com.openiokit.test.BrokenThrowing"));
    EXPECT_FALSE(isMapped(executableOf("KextTestBrokenThrowing")));
}

TEST_F(KextBundleTest, HiddenConstructorBoundsFailSafe)
{
    auto result = kexts::loadKextWithPath(bundle("KextTestBrokenHidden"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, kOSKextReturnLinkError);
    EXPECT_EQ(result.error().message, executableOf("KextTestBrokenHidden").string() +
                                          ": has its static constructors in section openiokit_mod_init but does not "
                                          "export openiokit_mod_init_start and openiokit_mod_init_end.");
    EXPECT_EQ(OSMetaClass::getMetaClassWithName("KextTestHiddenObject"), nullptr);
    EXPECT_FALSE(isLoaded("com.openiokit.test.BrokenHidden"));
    EXPECT_FALSE(isMapped(executableOf("KextTestBrokenHidden")));
}

TEST_F(KextBundleTest, UnknownIdentifierIsNotFound)
{
    auto load = kexts::loadKextWithIdentifier("com.openiokit.test.Nowhere");
    ASSERT_FALSE(load);
    EXPECT_EQ(load.error().code, kOSKextReturnNotFound);
    auto unload = kexts::unloadKextWithIdentifier("com.openiokit.test.Nowhere", true);
    ASSERT_FALSE(unload);
    EXPECT_EQ(unload.error().code, kOSKextReturnNotFound);
    EXPECT_EQ(unload.error().message, "Kext com.openiokit.test.Nowhere not found for unload request.");
}

TEST_F(KextBundleTest, StaticInitialisersRunOncePerLoadInsideTheClassWindowBeforeStart)
{
    constexpr const char* kStaticsID = "com.openiokit.test.Statics";
    const auto executable = executableOf("KextTestStatics");
    // Twice: the second load must map a fresh image whose initialisers run again, once each.
    for (int round = 1; round <= 2; round++) {
        SCOPED_TRACE(round);
        LogCapture log(kStaticsID);
        auto loaded = kexts::loadKextWithPath(bundle("KextTestStatics"));
        ASSERT_TRUE(loaded) << loaded.error().message;

        // The constructors ran inside the registration window: the class belongs to the kext.
        const OSMetaClass* meta = OSMetaClass::getMetaClassWithName("KextTestStaticsObject");
        ASSERT_NE(meta, nullptr);
        EXPECT_STREQ(meta->getKmodName()->getCStringNoCopy(), kStaticsID);

        void* handle = dlopen(executable.c_str(), RTLD_NOW | RTLD_NOLOAD);
        ASSERT_NE(handle, nullptr) << dlerror();
        auto* report = reinterpret_cast<int (*)(char*, size_t)>(dlsym(handle, "KextTestStaticsReport"));
        ASSERT_NE(report, nullptr);
        char text[128] = {};
        report(text, sizeof text);
        dlclose(handle);
        EXPECT_STREQ(text, "global=1 inline=1 local=7 hello from KextTestStatics");

        const auto lines = log.lines();
        const auto count = [&](const char* text) { return std::count(lines.begin(), lines.end(), std::string(text)); };
        EXPECT_EQ(count("KextTestStatics: global constructor"), 1);
        EXPECT_EQ(count("KextTestStatics: inline static"), 1);
        EXPECT_EQ(count("KextTestStatics: function-local static"), 1);
        EXPECT_EQ(count("KextTestStatics: started"), 1);

        auto unloaded = kexts::unloadKextWithIdentifier(kStaticsID, false);
        ASSERT_TRUE(unloaded) << unloaded.error().message;
        EXPECT_FALSE(isMapped(executable));
    }
}
