// Kext autounload (iokit-semantics.md §1.7): considerUnloads arms one scan a configurable delay
// out (xnu's sConsiderUnloadDelay, 60 s); the service plane's root going quiet and a kext class
// losing its last instance (a hook in the class registry) re-arm it. The
// scan walks the loaded kexts backwards and repeats until a pass unloads nothing, so a chain of
// libraries unwinds leaf-first. It runs on its own thread, started on first use. A scan while
// the service plane is busy unloads nothing (matching may be about to instantiate a class).
#include "KextState.h"

#include <IOKit/IOLib.h>
#include <IOKit/IOMessage.h>
#include <IOKit/IOService.h>

#include "../libkern/OSMetaClassRegistry.h"
#include "common/NoDestructor.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace openiokit::kexts {
namespace {

struct Autounload {
    std::mutex lock;
    std::condition_variable changed;
    std::chrono::milliseconds delay{std::chrono::seconds(60)};
    std::optional<std::chrono::steady_clock::time_point> deadline;  // a scan is pending
    bool threadStarted = false;
    uint64_t scans = 0;
};
openiokit::NoDestructor<Autounload> gAutounload;

void scan()
{
    // Matching in progress may have found a kext's classes and be about to instantiate one
    // (xnu's probeCandidates holds the kext for that): leave every kext while the service plane
    // is busy. Its going quiet arms the next scan.
    if (IOService* root = IOService::getServiceRoot(); root && root->getBusyState() != 0) {
        return;
    }
    std::lock_guard operation(kextLock());
    for (;;) {
        bool unloaded = false;
        auto kexts = loadedKextsSnapshot();
        for (auto kext = kexts.rbegin(); kext != kexts.rend(); ++kext) {
            OSKext* candidate = kext->get();
            // The snapshot's reference must not count against the kext.
            kext->reset();
            if (autounloadKext(candidate)) {
                unloaded = true;
            }
        }
        if (!unloaded) {
            break;
        }
    }
}

void run()
{
    std::unique_lock lock(gAutounload->lock);
    for (;;) {
        gAutounload->changed.wait(lock, [] { return gAutounload->deadline.has_value(); });
        if (gAutounload->changed.wait_until(lock, *gAutounload->deadline,
                                            [] { return !gAutounload->deadline ||
                                                        std::chrono::steady_clock::now() >= *gAutounload->deadline; })) {
            if (!gAutounload->deadline) {
                continue;
            }
        } else {
            continue;  // the deadline moved
        }
        gAutounload->deadline.reset();
        lock.unlock();
        scan();
        lock.lock();
        gAutounload->scans++;
        gAutounload->changed.notify_all();
    }
}

// A kext class's last instance went away (which need not make the registry busy, e.g. an object
// a client held outside it): xnu re-considers unloads at that moment too.
void lastKextInstanceGone(const char*)
{
    OSKext::considerUnloads();
}

IOReturn registryBusyChanged(void*, void*, UInt32 messageType, IOService*, void* argument, vm_size_t)
{
    if (messageType == kIOMessageServiceBusyStateChange && argument == nullptr) {
        releaseMatchingHolds();
        OSKext::considerUnloads();
    }
    return kIOReturnSuccess;
}

}  // namespace

void startAutounloadMonitor()
{
    static std::once_flag once;
    std::call_once(once, [] {
        OSMetaClassRegistry::shared().setLastInstanceHook(&lastKextInstanceGone);
        if (IOService* root = IOService::getServiceRoot()) {
            // Kept for the life of the kernel.
            root->registerInterest(gIOBusyInterest, &registryBusyChanged, nullptr, nullptr);
        }
    });
}

void setAutounloadDelay(std::chrono::milliseconds delay)
{
    std::lock_guard lock(gAutounload->lock);
    gAutounload->delay = delay;
}

std::chrono::milliseconds autounloadDelay()
{
    std::lock_guard lock(gAutounload->lock);
    return gAutounload->delay;
}

uint64_t autounloadScanCount()
{
    std::lock_guard lock(gAutounload->lock);
    return gAutounload->scans;
}

bool waitForAutounloadScan(uint64_t after, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(gAutounload->lock);
    return gAutounload->changed.wait_for(lock, timeout, [&] { return gAutounload->scans > after; });
}

}  // namespace openiokit::kexts

void OSKext::considerUnloads(Boolean rescheduleOnly)
{
    using namespace openiokit::kexts;
    std::lock_guard lock(gAutounload->lock);
    if (rescheduleOnly && !gAutounload->deadline) {
        return;
    }
    gAutounload->deadline = std::chrono::steady_clock::now() + gAutounload->delay;
    if (!gAutounload->threadStarted) {
        gAutounload->threadStarted = true;
        std::thread(run).detach();  // immortal, like xnu's thread call
    }
    gAutounload->changed.notify_all();
}
