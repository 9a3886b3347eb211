// DispatchDiagnostics.cpp: the kernel log ring (for `log`-like tools and tests) and class
// instance counts (ioclasscount). OpenIOKit extensions; macOS has log(1) and the
// IOKitDiagnostics property for these.
#include "Dispatcher.h"
#include "XMLBridge.h"

#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSMetaClass.h>
#include <openiokit/KernelLog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace openiokit::daemon {

namespace {

using ipc::Op;
constexpr uint32_t kMaxEntriesPerRead = 4096;
constexpr uint32_t kMaxWaitMs = 60'000;

// Wakes LogRead requests waiting for lines past a sequence number.
class LogWaiter {
public:
    static LogWaiter& shared()
    {
        static LogWaiter waiter;
        return waiter;
    }
    // Waits until an entry with sequence >= `from` exists, or `timeout` passes.
    void waitFor(uint64_t from, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return last_ >= from; });
    }

private:
    LogWaiter()
    {
        for (const auto& entry : KernelLog::snapshot()) {
            last_ = entry.sequence;
        }
        subscription_ = KernelLog::subscribe([this](const KernelLog::Entry& entry) {
            {
                std::lock_guard lock(mutex_);
                last_ = std::max(last_, entry.sequence);
            }
            changed_.notify_all();
        });
    }
    ~LogWaiter() { KernelLog::unsubscribe(subscription_); }

    std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t last_ = 0;
    KernelLog::SubscriptionID subscription_ = 0;
};

IOReturn logRead(Request& r)
{
    const uint64_t from = r.in.u64();
    const uint32_t maxEntries = std::min(r.in.u32(), kMaxEntriesPerRead);
    const uint32_t waitMs = std::min(r.in.u32(), kMaxWaitMs);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (waitMs > 0) {
        LogWaiter::shared().waitFor(from, std::chrono::milliseconds(waitMs));
    }
    std::vector<KernelLog::Entry> entries = KernelLog::snapshot();
    std::erase_if(entries, [&](const KernelLog::Entry& e) { return e.sequence < from; });
    if (entries.size() > maxEntries) {
        entries.resize(maxEntries);
    }
    const uint64_t next = entries.empty() ? from : entries.back().sequence + 1;
    r.out.u64(next).u32(static_cast<uint32_t>(entries.size()));
    for (const KernelLog::Entry& e : entries) {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch()).count();
        r.out.u64(e.sequence).i64(micros).u8(e.type).str(e.module).str(e.text);
    }
    return kIOReturnSuccess;
}

IOReturn classCounts(Request& r)
{
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<OSDictionary> counts(OSDictionary::withCapacity(256), OSNoRetain);
    OSMetaClass::serializeClassDictionary(counts.get());
    r.out.str(serializeXML(counts.get()));
    return kIOReturnSuccess;
}

}  // namespace

void registerDiagnosticHandlers(HandlerTable& t)
{
    t[static_cast<uint16_t>(Op::LogRead)] = logRead;
    t[static_cast<uint16_t>(Op::ClassCounts)] = classCounts;
}

}  // namespace openiokit::daemon
