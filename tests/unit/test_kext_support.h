// Helpers for the kext tests (test_kext_*.cpp): the bundles built by openiokit_add_kext under
// tests/kexts, a kernel-log capture, temporary bundle directories and /proc/self/maps checks.
#pragma once

#include <IOKit/IOKitServer.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSKext.h>
#include <openiokit/KernelLog.h>
#include <openiokit/Kexts.h>

#include "../../src/kernel/IOServiceMatchingInternal.h"
#include "../../src/kernel/Termination.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kexttest {

inline std::filesystem::path bundle(const char* name)
{
    return std::filesystem::path(OPENIOKIT_TEST_KEXT_DIR) / (std::string(name) + ".kext");
}

inline std::filesystem::path executableOf(const char* name)
{
    return bundle(name) / "Contents" / "MacOS" / name;
}

inline bool isMapped(const std::filesystem::path& file)
{
    std::ifstream maps("/proc/self/maps");
    const std::string canonical = std::filesystem::canonical(file).string();
    for (std::string line; std::getline(maps, line);) {
        if (line.find(canonical) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// Polls `done` until it holds or 30 s pass (condition waits, not timing assertions).
inline bool eventually(const std::function<bool()>& done)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// A terminated service stays an instance of its class until its last reference goes, and that
// reference may belong to a thread that finished with it after the synchronous terminate
// returned: the config thread that matched it (its job's reference), the terminate thread. xnu
// refuses the unload in that window too (§1.6, instance counts), so a test that unloads right
// after a terminate waits for the registry to go quiet, termination and the config threads to
// go idle, and the kext's classes to lose their last instance. (The config threads matter
// twice: OSObject::free counts the instance gone before it runs the destructor, which is kext
// code, so an unload must not overtake a release still in progress on one of them.)
inline bool waitForNoInstances(const char* identifier)
{
    constexpr uint64_t kThirtySeconds = 30ull * 1000 * 1000 * 1000;
    openiokit::waitForTerminationIdle();
    if (IOService* root = IOService::getServiceRoot()) {
        root->waitQuiet(kThirtySeconds);
    }
    openiokit::waitMatchIdle(kThirtySeconds);
    return eventually([identifier] { return !OSMetaClass::modHasInstance(identifier); });
}

inline bool isLoaded(const char* identifier)
{
    OSKext* kext = OSKext::lookupKextWithIdentifier(identifier);
    if (kext) {
        kext->release();
    }
    return kext != nullptr;
}

// Kernel log lines attributed to one module, in order.
class LogCapture {
public:
    explicit LogCapture(std::string module) : module_(std::move(module))
    {
        id_ = openiokit::KernelLog::subscribe([this](const openiokit::KernelLog::Entry& entry) {
            std::lock_guard lock(lock_);
            if (module_.empty() || entry.module == module_) {
                lines_.push_back(entry.text);
            }
        });
    }
    ~LogCapture() { openiokit::KernelLog::unsubscribe(id_); }
    std::vector<std::string> lines() const
    {
        std::lock_guard lock(lock_);
        return lines_;
    }
    bool contains(const std::string& text) const
    {
        for (const auto& line : lines()) {
            if (line.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

private:
    std::string module_;
    openiokit::KernelLog::SubscriptionID id_;
    mutable std::mutex lock_;
    std::vector<std::string> lines_;
};

// A fresh directory under /tmp, removed with its contents at the end.
class TempDir {
public:
    TempDir()
    {
        char pattern[] = "/tmp/openiokit-kext-XXXXXX";
        path_ = mkdtemp(pattern);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Writes `dir`/<name>.kext with `infoPlist` (omitted if empty) and, if `executableFrom` is set,
// a copy of that file as Contents/MacOS/<executableName>.
inline std::filesystem::path makeBundle(const std::filesystem::path& dir, const std::string& name,
                                        const std::string& infoPlist, const std::filesystem::path& executableFrom = {},
                                        const std::string& executableName = {})
{
    const auto path = dir / (name + ".kext");
    std::filesystem::create_directories(path / "Contents" / "MacOS");
    if (!infoPlist.empty()) {
        std::ofstream(path / "Contents" / "Info.plist") << infoPlist;
    }
    if (!executableFrom.empty()) {
        std::filesystem::copy_file(executableFrom, path / "Contents" / "MacOS" / executableName);
    }
    return path;
}

// An XML Info.plist: `body` goes inside the top dictionary.
inline std::string plist(const std::string& body)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n" + body + "</dict>\n</plist>\n";
}

inline std::string key(const std::string& name, const std::string& value)
{
    return "<key>" + name + "</key><string>" + value + "</string>\n";
}

// Per-test set-up: IOService running, autounload far away so it cannot interfere.
class KextTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        IOService::initialize();
        openiokit::kexts::setAutounloadDelay(std::chrono::hours(1));
        openiokit::kexts::setExtensionsDirectories({OPENIOKIT_TEST_KEXT_DIR});
    }
    void TearDown() override
    {
        // Leave nothing loaded for the next test. Terminated services are freed on the terminate
        // thread, later on a loaded machine: wait for their instances before unloading.
        for (const char* id : {"com.openiokit.test.Dependent", "com.openiokit.test.Driver", "com.openiokit.test.OnDemand",
                               "com.openiokit.test.Library"}) {
            if (isLoaded(id)) {
                openiokit::kexts::catalogueTerminate(kIOCatalogModuleTerminate, id);
                EXPECT_TRUE(waitForNoInstances(id)) << id;
                EXPECT_TRUE(openiokit::kexts::unloadKextWithIdentifier(id, true).has_value()) << id;
            }
        }
        openiokit::kexts::setExtensionsDirectories({});
    }
};

}  // namespace kexttest
