// KextManager requests (load by URL and by identifier, loaded-kext info, unload by identifier),
// the kernel log ring (OpenIOKitLogRead, follow mode) and class instance counts, through a
// daemon started without the test kext.
#include "IntegrationSupport.h"

#include <IOKit/OpenIOKitLog.h>
#include <IOKit/kext/KextManager.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>

using namespace integration;

namespace {

CFURLRef testKextURL()
{
    const std::string path = OPENIOKIT_IPC_TEST_KEXT;
    return CFURLCreateFromFileSystemRepresentation(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(path.data()),
                                                   static_cast<CFIndex>(path.size()), true);
}

// The loaded-kext info for the test kext's identifier (NULL if it is not loaded).
CFDictionaryRef copyTestKextInfo()
{
    const void* ids[] = {CFSTR(kIPCTestDriverBundleID)};
    CFArrayRef identifiers = CFArrayCreate(kCFAllocatorDefault, ids, 1, &kCFTypeArrayCallBacks);
    CFDictionaryRef all = KextManagerCopyLoadedKextInfo(identifiers, nullptr);
    CFRelease(identifiers);
    if (!all) {
        return nullptr;
    }
    auto info = static_cast<CFDictionaryRef>(CFDictionaryGetValue(all, CFSTR(kIPCTestDriverBundleID)));
    if (info) {
        CFRetain(info);
    }
    CFRelease(all);
    return info;
}

bool driverPresent()
{
    io_service_t service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass));
    if (service) {
        IOObjectRelease(service);
    }
    return service != IO_OBJECT_NULL;
}

int64_t instanceCount(const char* className)
{
    CFDictionaryRef counts = OpenIOKitCopyClassInstanceCounts();
    if (!counts) {
        return -1;
    }
    CFStringRef key = CFStringCreateWithCString(kCFAllocatorDefault, className, kCFStringEncodingUTF8);
    int64_t value = 0;
    auto number = static_cast<CFNumberRef>(CFDictionaryGetValue(counts, key));
    if (!number || !CFNumberGetValue(number, kCFNumberSInt64Type, &value)) {
        value = 0;  // no live instance (or the class is unknown)
    }
    CFRelease(key);
    CFRelease(counts);
    return value;
}

}  // namespace

TEST(KextManager, LoadByURLInfoAndUnloadByIdentifier)
{
    Daemon daemon(/*loadTestKext*/ false);
    EXPECT_FALSE(driverPresent());
    CFDictionaryRef none = copyTestKextInfo();
    EXPECT_EQ(none, nullptr);
    if (none) {
        CFRelease(none);
    }

    CFURLRef url = testKextURL();
    ASSERT_NE(url, nullptr);
    ASSERT_EQ(KextManagerLoadKextWithURL(url, nullptr), kOSReturnSuccess);
    EXPECT_TRUE(eventually(driverPresent));

    CFDictionaryRef info = copyTestKextInfo();
    ASSERT_NE(info, nullptr);
    auto identifier = static_cast<CFStringRef>(CFDictionaryGetValue(info, CFSTR("CFBundleIdentifier")));
    ASSERT_NE(identifier, nullptr);
    EXPECT_TRUE(CFEqual(identifier, CFSTR(kIPCTestDriverBundleID)));
    EXPECT_NE(CFDictionaryGetValue(info, CFSTR("OSBundleLoadTag")), nullptr);
    CFRelease(info);

    // Only the requested keys when infoKeys is given.
    const void* keys[] = {CFSTR("CFBundleVersion")};
    CFArrayRef infoKeys = CFArrayCreate(kCFAllocatorDefault, keys, 1, &kCFTypeArrayCallBacks);
    CFDictionaryRef filtered = KextManagerCopyLoadedKextInfo(nullptr, infoKeys);
    CFRelease(infoKeys);
    ASSERT_NE(filtered, nullptr);
    auto mine = static_cast<CFDictionaryRef>(CFDictionaryGetValue(filtered, CFSTR(kIPCTestDriverBundleID)));
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(CFDictionaryGetCount(mine), 1);
    EXPECT_NE(CFDictionaryGetValue(mine, CFSTR("CFBundleVersion")), nullptr);
    CFRelease(filtered);

    EXPECT_EQ(instanceCount(kIPCTestDriverClass), 1);

    ASSERT_EQ(KextManagerUnloadKextWithIdentifier(CFSTR(kIPCTestDriverBundleID)), kOSReturnSuccess);
    EXPECT_FALSE(driverPresent());
    CFDictionaryRef gone = copyTestKextInfo();
    EXPECT_EQ(gone, nullptr);
    if (gone) {
        CFRelease(gone);
    }
    EXPECT_EQ(instanceCount(kIPCTestDriverClass), 0);

    // Unloading what is not loaded: the loader's code and its sentence.
    EXPECT_NE(KextManagerUnloadKextWithIdentifier(CFSTR(kIPCTestDriverBundleID)), kOSReturnSuccess);
    CFStringRef why = OpenIOKitCopyLastErrorMessage();
    EXPECT_NE(why, nullptr);
    if (why) {
        CFRelease(why);
    }

    // A non-root caller may not load.
    const pid_t child = forkChild([url] {
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            return 10;
        }
        return KextManagerLoadKextWithURL(url, nullptr) == kOSKextReturnNotPrivileged ? 0 : 11;
    });
    EXPECT_EQ(waitChild(child), 0);
    EXPECT_FALSE(driverPresent());
    CFRelease(url);
}

TEST(KextManager, LoadByIdentifierFromTheStateDirsExtensions)
{
    Daemon daemon(/*loadTestKext*/ false);
    const std::filesystem::path bundle = OPENIOKIT_IPC_TEST_KEXT;
    const std::filesystem::path extensions = std::filesystem::path(daemon.stateDir()) / "Extensions";
    std::filesystem::create_directories(extensions);
    std::filesystem::copy(bundle, extensions / bundle.filename(), std::filesystem::copy_options::recursive);

    EXPECT_NE(KextManagerLoadKextWithIdentifier(CFSTR("com.openiokit.test.NoSuchKext"), nullptr), kOSReturnSuccess);
    ASSERT_EQ(KextManagerLoadKextWithIdentifier(CFSTR(kIPCTestDriverBundleID), nullptr), kOSReturnSuccess)
        << daemon.log();
    EXPECT_TRUE(eventually(driverPresent));
    CFDictionaryRef info = copyTestKextInfo();
    EXPECT_NE(info, nullptr);
    if (info) {
        CFRelease(info);
    }
    EXPECT_EQ(KextManagerUnloadKextWithIdentifier(CFSTR(kIPCTestDriverBundleID)), kOSReturnSuccess);
}

TEST(KernelLog, ReadsTheRingAndFollowsNewLines)
{
    Daemon daemon(/*loadTestKext*/ false);

    // The ring so far: the daemon's own lines, with module and time.
    struct Seen {
        bool serving = false;
        uint64_t lastSequence = 0;
        int64_t time = 0;
    } seen;
    uint64_t from = 0;
    ASSERT_EQ(OpenIOKitLogRead(
                  &from, 0, 0,
                  [](void* context, const OpenIOKitLogEntry* entry) {
                      auto* s = static_cast<Seen*>(context);
                      if (std::string(entry->module) == "iokitd" &&
                          std::string(entry->text).find("serving") != std::string::npos) {
                          s->serving = true;
                          s->time = entry->timeMicros;
                      }
                      EXPECT_GT(entry->sequence, s->lastSequence);
                      s->lastSequence = entry->sequence;
                      return true;
                  },
                  &seen),
              kIOReturnSuccess);
    EXPECT_TRUE(seen.serving);
    EXPECT_GT(seen.time, 0);
    EXPECT_EQ(from, seen.lastSequence + 1);

    // maxEntries limits one read; the next read continues where it stopped.
    uint64_t one = 0;
    uint32_t delivered = 0;
    auto counter = [](void* context, const OpenIOKitLogEntry*) {
        ++*static_cast<uint32_t*>(context);
        return true;
    };
    ASSERT_EQ(OpenIOKitLogRead(&one, 1, 0, counter, &delivered), kIOReturnSuccess);
    EXPECT_EQ(delivered, 1u);

    // Follow mode: a reader waiting past the end gets the driver's IOLog line once it is written.
    struct Followed {
        std::atomic<bool> found{false};
        std::string module;
    } followed;
    CFURLRef url = testKextURL();
    ASSERT_NE(url, nullptr);
    std::thread follower([&] {
        uint64_t next = from;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!followed.found && std::chrono::steady_clock::now() < deadline) {
            OpenIOKitLogRead(
                &next, 0, 1000,
                [](void* context, const OpenIOKitLogEntry* entry) {
                    auto* f = static_cast<Followed*>(context);
                    if (std::string(entry->text).find("IPCTestDriver: started") != std::string::npos) {
                        f->module = entry->module;
                        f->found = true;
                        return false;
                    }
                    return true;
                },
                &followed);
        }
    });
    EXPECT_EQ(KextManagerLoadKextWithURL(url, nullptr), kOSReturnSuccess);
    CFRelease(url);
    follower.join();
    EXPECT_TRUE(followed.found);
    EXPECT_EQ(followed.module, kIPCTestDriverBundleID);
}
