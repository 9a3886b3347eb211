// kextload, kextstat, ioreg, ioclasscount, kernlog and simbusctl against a live iokitd.
#include "ToolsTestSupport.h"

#include <plist/plist.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <strings.h>

using namespace toolstest;

namespace {

const char* kDriver = "com.openiokit.test.Driver";

std::string transcript(const Result& r)
{
    return normalise("exit " + std::to_string(r.exitCode) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err);
}

// Depth-first search of an `ioreg -a` archive for an entry of `className`.
plist_t findClass(plist_t entry, const std::string& className)
{
    if (plist_t cls = plist_dict_get_item(entry, "IOObjectClass")) {
        char* value = nullptr;
        plist_get_string_val(cls, &value);
        const bool match = value && className == value;
        free(value);
        if (match) {
            return entry;
        }
    }
    plist_t children = plist_dict_get_item(entry, "IORegistryEntryChildren");
    for (uint32_t i = 0; children && i < plist_array_get_size(children); i++) {
        if (plist_t found = findClass(plist_array_get_item(children, i), className)) {
            return found;
        }
    }
    return nullptr;
}

}  // namespace

TEST(Tools, EveryToolHasAManPageHelp)
{
    for (const char* tool :
         {"kextload", "kextunload", "kextstat", "ioreg", "ioclasscount", "kernlog", "simbusctl", "pmset"}) {
        const Result r = runTool(tool, {"--help"});
        EXPECT_EQ(r.exitCode, 0) << tool;
        for (const char* section : {"NAME\n", "SYNOPSIS\n", "DESCRIPTION\n", "OPTIONS\n", "EXIT STATUS\n", "EXAMPLES\n"}) {
            EXPECT_NE(r.out.find(section), std::string::npos) << tool << " --help lacks " << section;
        }
    }
}

TEST(Tools, MissingDaemonIsOneLineAndExit69)
{
    TempDir dir;
    const std::string socket = dir.path() + "/none.sock";
    std::string all;
    for (const auto& [tool, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"kextstat", {}}, {"ioreg", {}}, {"ioclasscount", {}}, {"kernlog", {}}, {"pmset", {"sleepnow"}}}) {
        const Result r = runTool(tool, args, RunOptions{.uid = 0, .socket = socket});
        EXPECT_EQ(r.exitCode, 69) << tool;
        all += normalise(r.err);
    }
    expectGolden("nodaemon.txt", all);
}

TEST(Tools, UnknownOptionsAreUsageErrors)
{
    std::string all;
    for (const char* tool : {"kextload", "kextstat", "ioreg", "ioclasscount", "kernlog", "simbusctl", "pmset"}) {
        const Result r = runTool(tool, {"--bogus"});
        EXPECT_EQ(r.exitCode, 64) << tool;
        all += r.err;
    }
    expectGolden("badoption.txt", all);
}

TEST(Kextload, LoadsByPathAndIdentifier)
{
    Daemon daemon;
    Result r = runTool("kextload", {"-v", testKext("KextTestDriver")});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(normalise(r.out), "Requesting load of <test-kexts>/KextTestDriver.kext.\n"
                                "<test-kexts>/KextTestDriver.kext loaded successfully (or already loaded).\n");
    r = runTool("kextload", {"-b", "com.openiokit.test.Dependent"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    // Dependencies first: the library came in with Dependent.
    const Result stat = runTool("kextstat", {"-l", "-b", kDriver, "-b", "com.openiokit.test.Library", "-b",
                                             "com.openiokit.test.Dependent"});
    std::string rows;
    std::string line;
    for (std::istringstream lines(stat.out); std::getline(lines, line);) {
        // Index, address and size depend on load order and the build: keep name, version, links.
        const size_t name = line.find("com.");
        ASSERT_NE(name, std::string::npos) << line;
        rows += line.substr(name) + "\n";
    }
    expectGolden("kextstat-rows.txt", normalise(rows));
}

TEST(Kextload, BrokenBundlesNameTheFile)
{
    Daemon daemon;
    TempDir dir;
    std::ofstream(dir.path() + "/File.kext") << "x";
    std::filesystem::create_directory(dir.path() + "/Empty.kext");
    std::string all;
    for (const std::string& path : {dir.path() + "/File.kext", dir.path() + "/Empty.kext", testKext("KextTestBrokenUnresolved")}) {
        const Result r = runTool("kextload", {path});
        EXPECT_EQ(r.exitCode, 1) << path;
        all += transcript(r);
    }
    const Result unknown = runTool("kextload", {"-b", "com.openiokit.test.NoSuchKext"});
    EXPECT_EQ(unknown.exitCode, 1);
    all += transcript(unknown);
    expectGolden("kextload-broken.txt", all);
}

TEST(Kextload, NonRootIsRefused)
{
    Daemon daemon;
    const Result r = runTool("kextload", {testKext("KextTestDriver")}, RunOptions{.uid = 65534, .socket = {}});
    EXPECT_EQ(r.exitCode, 77);
    EXPECT_EQ(r.err, "You must be running as root to load kexts.\n");
    EXPECT_EQ(runTool("kextstat", {"-l", "-b", kDriver}).out, "");
}

TEST(Kextstat, HeaderAndJSON)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextstat", {});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
              "Index Refs Address            Size       Wired      Name (Version) UUID <Linked Against>");
    EXPECT_NE(r.out.find(" com.openiokit.test.Driver (1.0.0) "), std::string::npos) << r.out;
    const Result json = runTool("kextstat", {"--json", "-b", kDriver});
    EXPECT_EQ(json.exitCode, 0);
    // One object per kext, named by its bundle identifier (libplist 2.2 has no JSON reader).
    EXPECT_EQ(json.out.rfind("[\n  {\"index\": ", 0), 0u) << json.out;
    EXPECT_NE(json.out.find("\"name\": \"com.openiokit.test.Driver\", \"version\": \"1.0.0\""), std::string::npos)
        << json.out;
    EXPECT_TRUE(json.out.ends_with("}\n]\n")) << json.out;
}

TEST(Ioreg, TreeAndPropertiesMatchGolden)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result tree = runTool("ioreg", {"-w0"});
    EXPECT_EQ(tree.exitCode, 0) << tree.err;
    expectGolden("ioreg-tree.txt", normalise(tree.out));
    const Result driver = runTool("ioreg", {"-r", "-c", "KextTestDriver", "-w0"});
    EXPECT_EQ(driver.exitCode, 0) << driver.err;
    expectGolden("ioreg-driver.txt", normalise(driver.out));
    const Result bundled = runTool("ioreg", {"-lw0", "-d", "3", "-i", "-x"});
    EXPECT_EQ(bundled.exitCode, 0) << bundled.err;
    EXPECT_NE(bundled.out.find("<class OSObject:IORegistryEntry:IOService:IOResources, "), std::string::npos)
        << bundled.out;
    const Result unknownPlane = runTool("ioreg", {"-p", "IONoSuchPlane"});
    EXPECT_EQ(unknownPlane.exitCode, 1);
    EXPECT_EQ(unknownPlane.err, "ioreg: no registry plane named IONoSuchPlane.\n");
}

TEST(Ioreg, ArchiveParsesBackWithLibplist)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("ioreg", {"-a", "-l"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("<?xml", 0), 0u);
    plist_t root = nullptr;
    plist_from_xml(r.out.c_str(), static_cast<uint32_t>(r.out.size()), &root);
    ASSERT_NE(root, nullptr);
    ASSERT_EQ(plist_get_node_type(root), PLIST_DICT);
    plist_t driver = findClass(root, "KextTestDriver");
    ASSERT_NE(driver, nullptr);
    char* bundle = nullptr;
    plist_get_string_val(plist_dict_get_item(driver, "CFBundleIdentifier"), &bundle);
    EXPECT_STREQ(bundle, kDriver);
    free(bundle);
    EXPECT_NE(plist_dict_get_item(driver, "IORegistryEntryID"), nullptr);
    plist_free(root);
}

TEST(SimBus, PlugAndUnplugDriveMatchingAndTermination)
{
    Daemon daemon({kext("SimBus"), testKext("SeedNaiveDriver")});
    auto count = [](const char* cls) { return runTool("ioclasscount", {cls}).out; };
    ASSERT_EQ(count("SeedNaiveDriver"), "SeedNaiveDriver = 0\n");

    Result r = runTool("simbusctl", {"plug", "dev1", "seed-naive-device=true", "vendor=0x1234"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::string log = transcript(r);
    // Synchronous plug: matching already ran.
    EXPECT_EQ(count("SeedNaiveDriver"), "SeedNaiveDriver = 1\n");
    EXPECT_EQ(count("IOSimDevice"), "IOSimDevice = 1\n");
    log += normalise(runTool("ioreg", {"-r", "-c", "IOSimDevice", "-w0"}).out);
    log += normalise(runTool("simbusctl", {"list"}).out);

    r = runTool("simbusctl", {"trigger", "dev1", "1"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    log += transcript(r);

    r = runTool("simbusctl", {"unplug", "dev1"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    log += transcript(r);
    // Synchronous unplug: the driver has stopped; once freed its count is 0.
    EXPECT_TRUE(eventually([&] { return count("SeedNaiveDriver") == "SeedNaiveDriver = 0\n"; }));
    EXPECT_EQ(runTool("ioreg", {"-r", "-c", "IOSimDevice"}).out, "");

    // Bad input: one line, documented code, nothing changed.
    log += transcript(runTool("simbusctl", {"unplug", "nosuch"}));
    log += transcript(runTool("simbusctl", {"plug", "dev2", "novalue"}));
    log += transcript(runTool("simbusctl", {"plug", "dev3"}, RunOptions{.uid = 65534, .socket = {}}));
    EXPECT_EQ(count("IOSimDevice"), "IOSimDevice = 0\n");
    expectGolden("simbus.txt", log);

    const Result kernlog = runTool("kernlog", {"--raw"});
    EXPECT_EQ(kernlog.exitCode, 0);
    EXPECT_NE(kernlog.out.find("SeedNaiveDriver::stop"), std::string::npos) << kernlog.out;
}

TEST(SimBus, AsyncUnplugCompletes)
{
    Daemon daemon({kext("SimBus"), testKext("SeedNaiveDriver")});
    ASSERT_EQ(runTool("simbusctl", {"plug", "dev1", "seed-naive-device=true"}).exitCode, 0);
    const Result r = runTool("simbusctl", {"unplug", "dev1", "--async"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "dev1 unplug started.\n");
    EXPECT_TRUE(eventually([] { return runTool("ioclasscount", {"SeedNaiveDriver"}).out == "SeedNaiveDriver = 0\n"; }));
}

TEST(Ioclasscount, UnknownClass)
{
    Daemon daemon;
    const Result r = runTool("ioclasscount", {"IOService", "NoSuchClass"});
    EXPECT_EQ(r.exitCode, 1);
    // macOS's line: the counts joined by ", ", "<no such class>" for a name nobody registers.
    EXPECT_EQ(r.out.rfind("IOService = ", 0), 0u) << r.out;
    EXPECT_TRUE(r.out.ends_with(", NoSuchClass = <no such class>\n")) << r.out;
    EXPECT_EQ(r.err, "");
}

TEST(Ioclasscount, EveryRegisteredClassIsListedZeroIncluded)
{
    // Loaded, but no IOSimDevice to match: the kext's classes exist with no instance.
    Daemon daemon({testKext("SeedNaiveDriver")});
    Result r = runTool("ioclasscount", {"SeedNaiveDriver", "SeedNaiveDriverClient"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "SeedNaiveDriver = 0, SeedNaiveDriverClient = 0\n");

    r = runTool("ioclasscount", {});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> names;
    std::string line;
    for (std::istringstream lines(r.out); std::getline(lines, line);) {
        names.push_back(line.substr(0, line.find(" = ")));
    }
    // Sorted ignoring case, as ioclasscount sorts; zero counts included.
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        return ::strcasecmp(a.c_str(), b.c_str()) < 0;
    })) << r.out;
    EXPECT_NE(r.out.find("\nSeedNaiveDriverClient = 0\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nIOService = "), std::string::npos) << r.out;
}

TEST(Pmset, SleepnowAndWake)
{
    Daemon daemon;
    std::string log;
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"sleepnow"}, {"sleepnow"}, {"wake"}, {"wake"}, {"hibernate"}, {}}) {
        std::string command = "$ pmset";
        for (const std::string& a : args) {
            command += " " + a;
        }
        log += command + "\n" + transcript(runTool("pmset", args));
    }
    log += "$ pmset sleepnow (uid 65534)\n" +
           transcript(runTool("pmset", {"sleepnow"}, RunOptions{.uid = 65534, .socket = {}}));
    expectGolden("pmset.txt", log);

    // iokitd's account of each request, in the kernel log.
    const Result kernlog = runTool("kernlog", {"--raw"});
    EXPECT_EQ(kernlog.exitCode, 0);
    for (const char* line : {"System Sleep requested by pid", "System Sleep complete", "already asleep",
                             "System Wake requested by pid", "System Wake complete", "already awake"}) {
        EXPECT_NE(kernlog.out.find(line), std::string::npos) << line << " missing from:\n" << kernlog.out;
    }
}

TEST(Ioreg, StateWordsFollowTheService)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("ioreg", {"-r", "-c", "KextTestDriver", "-w0", "-d", "1"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    // Registered, matched and active; busy while it was matched, so the busy time is shown.
    EXPECT_TRUE(std::regex_search(r.out, std::regex(", registered, matched, active, busy [0-9]+ \\([0-9]+ ms\\)")))
        << r.out;
    // The archive carries the raw words.
    const Result archive = runTool("ioreg", {"-a", "-r", "-c", "KextTestDriver", "-d", "1"});
    ASSERT_EQ(archive.exitCode, 0) << archive.err;
    plist_t root = nullptr;
    plist_from_xml(archive.out.c_str(), static_cast<uint32_t>(archive.out.size()), &root);
    ASSERT_NE(root, nullptr);
    ASSERT_EQ(plist_get_node_type(root), PLIST_ARRAY);
    ASSERT_EQ(plist_array_get_size(root), 1u);
    uint64_t state = 0;
    plist_get_uint_val(plist_dict_get_item(plist_array_get_item(root, 0), "IOServiceState"), &state);
    EXPECT_EQ(state & 0x7, 0x6u);  // registered | matched, not inactive
    plist_free(root);
}
