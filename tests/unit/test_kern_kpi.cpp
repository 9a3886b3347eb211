// Kernel KPIs kexts call directly: kernel_thread_start / thread_terminate / thread_deallocate,
// the OSMalloc tag API, kmod_info_t and KMOD_DECL, <libkern/version.h> and IOKit/assert.h.
#include <kern/thread.h>
#include <libkern/OSMalloc.h>
#include <libkern/version.h>
#include <mach/kmod.h>
#include <openiokit/KernelLog.h>
#include <sys/kernel_types.h>

#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

// Last: <assert.h> (which gtest includes) redefines assert each time it is included.
#define MACH_ASSERT 1
#include <IOKit/assert.h>

using namespace std::chrono_literals;

namespace {

struct ThreadProbe {
    std::mutex lock;
    std::condition_variable changed;
    bool ran = false;
    thread_t self = THREAD_NULL;
    void* parameter = nullptr;
    wait_result_t result = -1;
    long tid = 0;
    std::atomic<bool> pastTerminate{false};

    void finish(void* param, wait_result_t wresult)
    {
        std::lock_guard guard(lock);
        ran = true;
        self = current_thread();
        parameter = param;
        result = wresult;
        tid = static_cast<long>(syscall(SYS_gettid));
        changed.notify_all();
    }
    bool waitRan()
    {
        std::unique_lock guard(lock);
        return changed.wait_for(guard, 30s, [&] { return ran; });
    }
};

void recordingThread(void* parameter, wait_result_t wresult)
{
    static_cast<ThreadProbe*>(parameter)->finish(parameter, wresult);
}

void terminatingThread(void* parameter, wait_result_t wresult)
{
    auto* probe = static_cast<ThreadProbe*>(parameter);
    probe->finish(parameter, wresult);
    thread_terminate(current_thread());
    probe->pastTerminate = true;  // never reached
}

bool threadGone(long tid)
{
    const auto end = std::chrono::steady_clock::now() + 30s;
    const std::string path = "/proc/self/task/" + std::to_string(tid);
    while (access(path.c_str(), F_OK) == 0) {
        if (std::chrono::steady_clock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

TEST(KernelThread, StartRunsTheContinuationOnItsOwnThread)
{
    ThreadProbe probe;
    thread_t thread = THREAD_NULL;
    ASSERT_EQ(kernel_thread_start(&recordingThread, &probe, &thread), KERN_SUCCESS);
    ASSERT_NE(thread, THREAD_NULL);
    ASSERT_TRUE(probe.waitRan());
    std::lock_guard guard(probe.lock);
    EXPECT_EQ(probe.self, thread);  // current_thread() in the new thread is what we were given
    EXPECT_NE(probe.self, current_thread());
    EXPECT_EQ(probe.parameter, &probe);
    EXPECT_EQ(probe.result, THREAD_AWAKENED);
    thread_reference(thread);
    thread_deallocate(thread);
    thread_deallocate(thread);
    thread_deallocate(THREAD_NULL);
}

TEST(KernelThread, BadArguments)
{
    thread_t thread = THREAD_NULL;
    EXPECT_EQ(kernel_thread_start(nullptr, nullptr, &thread), KERN_INVALID_ARGUMENT);
    EXPECT_EQ(kernel_thread_start(&recordingThread, nullptr, nullptr), KERN_INVALID_ARGUMENT);
    EXPECT_EQ(thread_terminate(THREAD_NULL), KERN_INVALID_ARGUMENT);
}

TEST(KernelThread, TerminateCurrentThreadEndsIt)
{
    ThreadProbe probe;
    thread_t thread = THREAD_NULL;
    ASSERT_EQ(kernel_thread_start(&terminatingThread, &probe, &thread), KERN_SUCCESS);
    ASSERT_TRUE(probe.waitRan());
    long tid = 0;
    {
        std::lock_guard guard(probe.lock);
        tid = probe.tid;
    }
    ASSERT_TRUE(threadGone(tid));
    EXPECT_FALSE(probe.pastTerminate.load());
    thread_deallocate(thread);
}

TEST(KernelThread, TerminatingAnotherThreadIsRefused)
{
    ThreadProbe probe;
    thread_t thread = THREAD_NULL;
    ASSERT_EQ(kernel_thread_start(&recordingThread, &probe, &thread), KERN_SUCCESS);
    ASSERT_TRUE(probe.waitRan());
    EXPECT_EQ(thread_terminate(thread), KERN_INVALID_ARGUMENT);
    thread_deallocate(thread);
}

// --- OSMalloc ----------------------------------------------------------------------------------

bool logContains(const std::string& text)
{
    for (const auto& entry : openiokit::KernelLog::snapshot()) {
        if (entry.text.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(OSMallocTag, AllocateWriteFree)
{
    OSMallocTag tag = OSMalloc_Tagalloc("com.example.kpi", OSMT_DEFAULT);
    ASSERT_NE(tag, nullptr);
    auto* bytes = static_cast<char*>(OSMalloc(100, tag));
    ASSERT_NE(bytes, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % alignof(std::max_align_t), 0u);
    std::memset(bytes, 0xab, 100);
    void* other = OSMalloc_nowait(8, tag);
    void* third = OSMalloc_noblock(8, tag);
    ASSERT_TRUE(other && third);
    OSFree(bytes, 100, tag);
    OSFree(other, 8, tag);
    OSFree(third, 8, tag);
    OSFree(nullptr, 0, tag);
    OSMalloc_Tagfree(tag);
}

TEST(OSMallocTag, BadRequests)
{
    EXPECT_EQ(OSMalloc_Tagalloc(nullptr, 0), nullptr);
    EXPECT_EQ(OSMalloc(16, nullptr), nullptr);
    OSMallocTag tag = OSMalloc_Tagalloc("com.example.zero", OSMT_PAGEABLE);
    EXPECT_EQ(OSMalloc(0, tag), nullptr);
    OSMalloc_Tagfree(tag);
}

TEST(OSMallocTag, TagOutlivesTagfreeUntilTheLastAllocationIsFreed)
{
    OSMallocTag tag = OSMalloc_Tagalloc("com.example.late", OSMT_DEFAULT);
    void* block = OSMalloc(32, tag);
    ASSERT_NE(block, nullptr);
    OSMalloc_Tagfree(tag);
    EXPECT_TRUE(logContains("tag \"com.example.late\" still has 1 allocations"));
    OSFree(block, 32, tag);  // frees the tag too (LeakSanitizer would report it otherwise)
}

TEST(OSMallocTag, WrongSizeIsLogged)
{
    OSMallocTag tag = OSMalloc_Tagalloc("com.example.size", OSMT_DEFAULT);
    void* block = OSMalloc(24, tag);
    ASSERT_NE(block, nullptr);
    OSFree(block, 25, tag);
    EXPECT_TRUE(logContains("was allocated as 24 bytes with tag \"com.example.size\", freed as 25 bytes"));
    OSMalloc_Tagfree(tag);
}

// --- kmod_info, version, assert ----------------------------------------------------------------

kern_return_t kpiStart(kmod_info_t* info, void* data)
{
    return KERN_SUCCESS;
}

kern_return_t kpiStop(kmod_info_t* info, void* data)
{
    return KERN_FAILURE;
}

namespace plain {
KMOD_DECL(com.example.plain, "1.2.3")
}
namespace explicitDecl {
KMOD_EXPLICIT_DECL(com.example.explicit, "4.5", kpiStart, kpiStop)
}

TEST(KmodInfo, DeclarationsFillTheRecord)
{
    EXPECT_STREQ(plain::kmod_info.name, "com.example.plain");
    EXPECT_STREQ(plain::kmod_info.version, "1.2.3");
    EXPECT_EQ(plain::kmod_info.info_version, KMOD_INFO_VERSION);
    EXPECT_EQ(plain::kmod_info.start, nullptr);
    EXPECT_EQ(plain::kmod_info.stop, nullptr);
    EXPECT_STREQ(explicitDecl::kmod_info.name, "com.example.explicit");
    ASSERT_NE(explicitDecl::kmod_info.start, nullptr);
    EXPECT_EQ(explicitDecl::kmod_info.start(&explicitDecl::kmod_info, nullptr), KERN_SUCCESS);
    EXPECT_EQ(explicitDecl::kmod_info.stop(&explicitDecl::kmod_info, nullptr), KERN_FAILURE);
}

TEST(SysKernelTypes, AreOpaquePointers)
{
    mbuf_t packet = nullptr;
    vnode_t node = nullptr;
    EXPECT_EQ(packet, nullptr);  // kexts only pass these handles around
    EXPECT_EQ(node, nullptr);
    static_assert(sizeof(socket_t) == sizeof(void*));
}

TEST(LibkernVersion, ReportsDarwin23)
{
    EXPECT_EQ(version_major, VERSION_MAJOR);
    EXPECT_EQ(version_major, 23);
    EXPECT_EQ(version_minor, 0);
    EXPECT_EQ(version_stage, VERSION_STAGE_RELEASE);
    EXPECT_STREQ(ostype, "Darwin");
    EXPECT_EQ(std::string(osrelease).rfind("23.", 0), 0u);
    EXPECT_NE(std::string(version).find("Darwin Kernel Version 23.0.0"), std::string::npos);
}

TEST(IOKitAssert, HoldsQuietlyAndPanicsWhenFalse)
{
    int value = 2;
    assert(value == 2);
    OSCompileAssert(sizeof(int) == 4);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(assert(value == 3), "Assertion failed: value == 3");
}

}  // namespace
