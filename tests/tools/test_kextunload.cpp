// kextunload against a live iokitd: every message and exit code of iokit-semantics.md §1.1.
#include "ToolsTestSupport.h"

#include <fstream>

using namespace toolstest;

namespace {

const char* kDriver = "com.openiokit.test.Driver";

// Both streams, labelled, for one golden file per case.
std::string transcript(const Result& r)
{
    return normalise("exit " + std::to_string(r.exitCode) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err);
}

}  // namespace

TEST(Kextunload, NonRootIsRefusedByTheToolFirst)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextunload", {"-b", kDriver}, RunOptions{.uid = 65534, .socket = {}});
    EXPECT_EQ(r.exitCode, 77);
    expectGolden("kextunload-nonroot.txt", transcript(r));
    // Nothing changed: the kext is still loaded.
    EXPECT_NE(runTool("kextstat", {"-l", "-b", kDriver}).out.find(kDriver), std::string::npos);
}

TEST(Kextunload, NothingToUnloadIsAUsageError)
{
    const Result r = runTool("kextunload", {});
    EXPECT_EQ(r.exitCode, 64);
    expectGolden("kextunload-noargs.txt", transcript(r));
}

TEST(Kextunload, UnknownOptionIsOneLine)
{
    const Result r = runTool("kextunload", {"-z"});
    EXPECT_EQ(r.exitCode, 64);
    expectGolden("kextunload-badoption.txt", transcript(r));
}

TEST(Kextunload, ByIdentifierUnloadsAndRemovesPersonalities)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextunload", {"-b", kDriver});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    expectGolden("kextunload-bundle.txt", transcript(r));
    EXPECT_EQ(runTool("kextstat", {"-l", "-b", kDriver}).out, "");
}

TEST(Kextunload, QuietPrintsNothing)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextunload", {"-q", "-b", kDriver});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.out + r.err, "");
}

TEST(Kextunload, UnknownIdentifierIsPartialFailure)
{
    Daemon daemon;
    const Result r = runTool("kextunload", {"-b", "com.openiokit.test.NoSuchKext"});
    EXPECT_EQ(r.exitCode, 3);
    expectGolden("kextunload-unknown-bundle.txt", transcript(r));
}

TEST(Kextunload, InUseIsPartialFailureAndNamesTheReason)
{
    // The library kext is linked against by Dependent: it cannot unload (§1.4, §1.6).
    Daemon daemon({testKext("KextTestDependent")});
    const Result r = runTool("kextunload", {"-b", "com.openiokit.test.Library"});
    EXPECT_EQ(r.exitCode, 3);
    expectGolden("kextunload-inuse.txt", transcript(r));
    EXPECT_NE(runTool("kextstat", {"-l", "-b", "com.openiokit.test.Library"}).out, "");
}

TEST(Kextunload, ClassTerminatesInstancesOnly)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextunload", {"-c", "KextTestDriver"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    expectGolden("kextunload-class.txt", transcript(r));
    EXPECT_EQ(runTool("ioclasscount", {"KextTestDriver"}).out, "KextTestDriver = 0\n");
    EXPECT_NE(runTool("kextstat", {"-l", "-b", kDriver}).out, "");
}

TEST(Kextunload, PersonalitiesOnlyKeepsTheKextLoaded)
{
    Daemon daemon({testKext("KextTestDriver")});
    const Result r = runTool("kextunload", {"-p", "-b", kDriver});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    expectGolden("kextunload-personalities.txt", transcript(r));
    EXPECT_NE(runTool("kextstat", {"-l", "-b", kDriver}).out, "");
}

TEST(Kextunload, PathThatIsNotABundleIsNotFound)
{
    Daemon daemon;
    TempDir dir;
    const std::string file = dir.path() + "/NotABundle.kext";
    std::ofstream(file) << "x";
    const Result r = runTool("kextunload", {file});
    EXPECT_EQ(r.exitCode, 1);
    expectGolden("kextunload-notadir.txt", transcript(r));
}

TEST(Kextunload, ClassesThenIdentifiersThenPaths)
{
    Daemon daemon({testKext("KextTestDriver"), testKext("SeedNaiveDriver")});
    // Given in the opposite order on the command line.
    const Result r = runTool("kextunload", {testKext("SeedNaiveDriver"), "-b", kDriver, "-c", "KextTestDriver"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    expectGolden("kextunload-order.txt", transcript(r));
}

TEST(Kextunload, FirstNonFatalErrorIsTheExitStatus)
{
    Daemon daemon({testKext("KextTestDriver")});
    TempDir dir;
    // NotFound (1) from the path comes before the PartialFailure (3) of the unknown identifier.
    const Result r = runTool("kextunload", {dir.path() + "/Missing.kext", "-b", "com.openiokit.test.NoSuchKext"});
    EXPECT_EQ(r.exitCode, 1);
    expectGolden("kextunload-first-error.txt", transcript(r));
}

TEST(Kextunload, MissingDaemon)
{
    TempDir dir;
    const Result r = runTool("kextunload", {"-b", kDriver}, RunOptions{.uid = 0, .socket = dir.path() + "/none.sock"});
    EXPECT_EQ(r.exitCode, 69);
    expectGolden("kextunload-nodaemon.txt", transcript(r));
}
