// The kernel log: IOLog/os_log line format, module attribution, ring bound, subscribers.
#include <IOKit/IOLib.h>
#include <openiokit/KernelLog.h>
#include <os/log.h>

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using openiokit::KernelLog;
using namespace std::chrono_literals;

class KernelLogTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        KernelLog::setEchoToStderr(false); // keep test output readable; one test turns it on
        KernelLog::setTimestampPrefix(false);
        KernelLog::setCapacity(KernelLog::kDefaultCapacity);
        KernelLog::clear();
    }

    void TearDown() override
    {
        KernelLog::setCapacity(KernelLog::kDefaultCapacity);
        KernelLog::setTimestampPrefix(false);
        KernelLog::setEchoToStderr(true);
    }

    static std::vector<std::string> texts()
    {
        std::vector<std::string> lines;
        for (const auto &entry : KernelLog::snapshot()) {
            lines.push_back(entry.text);
        }
        return lines;
    }

    static KernelLog::Entry last()
    {
        const auto entries = KernelLog::snapshot();
        return entries.empty() ? KernelLog::Entry{} : entries.back();
    }
};

// The base address of this test executable, as the kext loader would pass for a kext.
const void *testImageBase()
{
    Dl_info info{};
    EXPECT_NE(dladdr(reinterpret_cast<const void *>(&testImageBase), &info), 0);
    return info.dli_fbase;
}

TEST_F(KernelLogTest, IOLogRecordsOneFormattedLine)
{
    IOLog("hello %s %d\n", "kernel", 42);
    const auto entry = last();
    EXPECT_EQ(entry.text, "hello kernel 42");
    EXPECT_EQ(entry.module, "kernel");
    EXPECT_EQ(entry.type, OS_LOG_TYPE_DEFAULT);
    EXPECT_EQ(KernelLog::formatLine(entry, false), "kernel: (kernel) hello kernel 42");
    EXPECT_LE(entry.time, std::chrono::system_clock::now());
    EXPECT_GT(entry.time, std::chrono::system_clock::now() - 1min);
}

TEST_F(KernelLogTest, EchoesToStderrInKernelFormat)
{
    KernelLog::setEchoToStderr(true);
    testing::internal::CaptureStderr();
    IOLog("echo line %d\n", 1);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "kernel: (kernel) echo line 1\n");

    KernelLog::setTimestampPrefix(true);
    testing::internal::CaptureStderr();
    IOLog("stamped\n");
    const std::string stamped = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(testing::internal::RE::FullMatch(
        stamped, testing::internal::RE("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} "
                                       "kernel: \\(kernel\\) stamped\n")))
        << stamped;
}

TEST_F(KernelLogTest, AttributesCallsToTheRegisteredImage)
{
    const void *base = testImageBase();
    KernelLog::registerModule(base, "com.example.test");
    IOLog("from the test image\n");
    EXPECT_EQ(last().module, "com.example.test");
    EXPECT_EQ(KernelLog::formatLine(last(), false), "kernel: (com.example.test) from the test image");

    os_log(OS_LOG_DEFAULT, "os_log from the test image");
    EXPECT_EQ(last().module, "com.example.test");

    KernelLog::unregisterModule(base);
    IOLog("after unregister\n");
    EXPECT_EQ(last().module, "kernel");
}

TEST_F(KernelLogTest, SplitsMultiLineTextWithoutTrailingEmptyEntry)
{
    IOLog("first\nsecond\n\nfourth\n");
    IOLog("no newline");
    KernelLog::append("kernel", OS_LOG_TYPE_DEFAULT, "");
    EXPECT_EQ(texts(), (std::vector<std::string>{"first", "second", "", "fourth", "no newline"}));
}

TEST_F(KernelLogTest, RingKeepsOnlyTheNewestLines)
{
    constexpr int kCapacity = 8;
    KernelLog::setCapacity(kCapacity);
    EXPECT_EQ(KernelLog::capacity(), static_cast<std::size_t>(kCapacity));
    for (int i = 0; i < kCapacity + 10; ++i) {
        IOLog("line %d\n", i);
    }
    const auto entries = KernelLog::snapshot();
    ASSERT_EQ(entries.size(), static_cast<std::size_t>(kCapacity));
    EXPECT_EQ(entries.front().text, "line 10");
    EXPECT_EQ(entries.back().text, "line 17");
    for (std::size_t i = 1; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].sequence, entries[i - 1].sequence + 1);
    }
    KernelLog::setCapacity(3); // shrinking drops the oldest
    EXPECT_EQ(texts(), (std::vector<std::string>{"line 15", "line 16", "line 17"}));
}

TEST_F(KernelLogTest, OSLogStripsPrivacyQualifiers)
{
    os_log(OS_LOG_DEFAULT, "user %{public}s id %{private}d at %d%% ok %{bool}d", "alice", 7, 50, 1);
    EXPECT_EQ(last().text, "user alice id 7 at 50% ok 1");
    os_log(OS_LOG_DEFAULT, "literal %%{public}s stays");
    EXPECT_EQ(last().text, "literal %{public}s stays");
    os_log(OS_LOG_DEFAULT, "%{public, mask.hash}s|%{ private }-4d|", "x", 3);
    EXPECT_EQ(last().text, "x|3   |");
}

TEST_F(KernelLogTest, OSLogTypesAndHandles)
{
    os_log_t log = os_log_create("com.example.test", "unit");
    EXPECT_EQ(os_log_create("com.example.test", "unit"), log);
    EXPECT_NE(os_log_create("com.example.test", "other"), log);

    os_log_error(log, "bad %d", 1);
    EXPECT_EQ(last().type, OS_LOG_TYPE_ERROR);
    os_log_fault(log, "worse");
    EXPECT_EQ(last().type, OS_LOG_TYPE_FAULT);
    os_log_info(log, "info");
    EXPECT_EQ(last().type, OS_LOG_TYPE_INFO);
    os_log_debug(log, "debug");
    EXPECT_EQ(last().type, OS_LOG_TYPE_DEBUG);
    os_log_with_type(log, OS_LOG_TYPE_DEFAULT, "default");
    EXPECT_EQ(last().text, "default");

    const auto before = KernelLog::snapshot().size();
    EXPECT_FALSE(os_log_type_enabled(OS_LOG_DISABLED, OS_LOG_TYPE_DEFAULT));
    os_log(OS_LOG_DISABLED, "dropped");
    EXPECT_EQ(KernelLog::snapshot().size(), before);
}

TEST_F(KernelLogTest, SubscribersSeeEntriesUntilUnsubscribed)
{
    std::vector<std::string> seen;
    const auto id = KernelLog::subscribe([&](const KernelLog::Entry &entry) { seen.push_back(entry.text); });
    IOLog("one\ntwo\n");
    KernelLog::unsubscribe(id);
    IOLog("three\n");
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two"}));
}

TEST_F(KernelLogTest, SubscriberThatLogsDoesNotRecurse)
{
    int calls = 0;
    const auto id = KernelLog::subscribe([&](const KernelLog::Entry &entry) {
        ++calls;
        IOLog("echo of %s\n", entry.text.c_str());
    });
    IOLog("original\n");
    KernelLog::unsubscribe(id);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(texts(), (std::vector<std::string>{"original", "echo of original"}));
}

TEST_F(KernelLogTest, UnsubscribeWaitsForARunningCallback)
{
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
    const auto id = KernelLog::subscribe([&](const KernelLog::Entry &) {
        started = true;
        std::this_thread::sleep_for(50ms);
        finished = true;
    });
    std::thread logger([] { IOLog("slow subscriber\n"); });
    while (!started) {
        std::this_thread::yield();
    }
    KernelLog::unsubscribe(id);
    EXPECT_TRUE(finished.load());
    logger.join();
}

TEST_F(KernelLogTest, ConcurrentLoggingKeepsEveryLine)
{
    constexpr int kThreads = 8;
    constexpr int kPerThread = 200;
    std::mutex seenMutex;
    std::set<std::string> seen;
    const auto id = KernelLog::subscribe([&](const KernelLog::Entry &entry) {
        std::lock_guard guard(seenMutex);
        seen.insert(entry.text);
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t] {
            for (int i = 0; i < kPerThread; ++i) {
                IOLog("thread %d line %d\n", t, i);
            }
        });
    }
    for (auto &thread : threads) {
        thread.join();
    }
    KernelLog::unsubscribe(id);
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
    const auto entries = KernelLog::snapshot();
    EXPECT_EQ(entries.size(), static_cast<std::size_t>(kThreads * kPerThread));
    std::set<std::uint64_t> sequences;
    for (const auto &entry : entries) {
        sequences.insert(entry.sequence);
    }
    EXPECT_EQ(sequences.size(), entries.size());
}

} // namespace
