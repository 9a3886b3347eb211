// The kernel log sink: module attribution, the bounded ring, the stderr echo and subscribers.
#include "KernelLog.h"

#include "common/NoDestructor.h"

#include <dlfcn.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace openiokit {
namespace {

struct Subscription {
    KernelLog::Subscriber callback;
    std::mutex running; // held while the callback runs, so unsubscribe can wait it out
    bool active = true; // guarded by `running`
};

// Set while this thread delivers entries, so a subscriber that logs does not recurse.
thread_local bool tDelivering = false;

class Sink {
public:
    static Sink &shared()
    {
        // Never destroyed: static destructors (kexts', the tests') may still log at exit.
        static NoDestructor<Sink> sink;
        return *sink;
    }

    void registerModule(const void *imageBase, std::string bundleID)
    {
        std::unique_lock guard(modulesMutex_);
        modules_.insert_or_assign(imageBase, std::move(bundleID));
        haveModules_.store(true, std::memory_order_release);
    }

    void unregisterModule(const void *imageBase)
    {
        std::unique_lock guard(modulesMutex_);
        modules_.erase(imageBase);
        haveModules_.store(!modules_.empty(), std::memory_order_release);
    }

    std::string moduleForAddress(const void *address)
    {
        // dladdr takes the dynamic linker's lock; skip it while no kext is registered.
        if (!haveModules_.load(std::memory_order_acquire)) {
            return std::string(KernelLog::kUnknownModule);
        }
        Dl_info info{};
        if (dladdr(address, &info) == 0 || info.dli_fbase == nullptr) {
            return std::string(KernelLog::kUnknownModule);
        }
        std::shared_lock guard(modulesMutex_);
        const auto found = modules_.find(info.dli_fbase);
        return found != modules_.end() ? found->second : std::string(KernelLog::kUnknownModule);
    }

    void append(std::string_view module, std::uint8_t type, std::string_view text)
    {
        const auto now = std::chrono::system_clock::now();
        std::vector<KernelLog::Entry> added;
        std::vector<std::shared_ptr<Subscription>> subscribers;
        {
            std::lock_guard guard(mutex_);
            const bool notify = !subscriptions_.empty() && !tDelivering;
            forEachLine(text, [&](std::string_view line) {
                KernelLog::Entry entry{++lastSequence_, now, std::string(module), type, std::string(line)};
                // Echo under the lock so stderr shows lines in ring order.
                if (echo_) {
                    const std::string formatted = KernelLog::formatLine(entry, timestamps_) + '\n';
                    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
                }
                if (notify) {
                    added.push_back(entry);
                }
                ring_.push_back(std::move(entry));
            });
            trimLocked();
            if (notify) {
                for (const auto &[id, subscription] : subscriptions_) {
                    subscribers.push_back(subscription);
                }
            }
        }
        deliver(subscribers, added);
    }

    std::vector<KernelLog::Entry> snapshot()
    {
        std::lock_guard guard(mutex_);
        return {ring_.begin(), ring_.end()};
    }

    void clear()
    {
        std::lock_guard guard(mutex_);
        ring_.clear();
    }

    void setCapacity(std::size_t lines)
    {
        std::lock_guard guard(mutex_);
        capacity_ = lines;
        trimLocked();
    }

    std::size_t capacity()
    {
        std::lock_guard guard(mutex_);
        return capacity_;
    }

    void setEchoToStderr(bool enabled)
    {
        std::lock_guard guard(mutex_);
        echo_ = enabled;
    }

    void setTimestampPrefix(bool enabled)
    {
        std::lock_guard guard(mutex_);
        timestamps_ = enabled;
    }

    KernelLog::SubscriptionID subscribe(KernelLog::Subscriber callback)
    {
        auto subscription = std::make_shared<Subscription>();
        subscription->callback = std::move(callback);
        std::lock_guard guard(mutex_);
        const KernelLog::SubscriptionID id = ++lastSubscriptionID_;
        subscriptions_.emplace(id, std::move(subscription));
        return id;
    }

    void unsubscribe(KernelLog::SubscriptionID id)
    {
        std::shared_ptr<Subscription> subscription;
        {
            std::lock_guard guard(mutex_);
            const auto found = subscriptions_.find(id);
            if (found == subscriptions_.end()) {
                return;
            }
            subscription = std::move(found->second);
            subscriptions_.erase(found);
        }
        // A delivery that copied the subscription before it was removed may be running now.
        std::lock_guard running(subscription->running);
        subscription->active = false;
    }

private:
    template <typename Visitor>
    static void forEachLine(std::string_view text, Visitor &&visit)
    {
        while (!text.empty()) {
            const auto newline = text.find('\n');
            visit(text.substr(0, newline));
            if (newline == std::string_view::npos) {
                break;
            }
            text.remove_prefix(newline + 1);
        }
    }

    void trimLocked()
    {
        while (ring_.size() > capacity_) {
            ring_.pop_front();
        }
    }

    static void deliver(const std::vector<std::shared_ptr<Subscription>> &subscribers,
                        const std::vector<KernelLog::Entry> &entries)
    {
        if (subscribers.empty()) {
            return;
        }
        tDelivering = true;
        for (const auto &subscription : subscribers) {
            std::lock_guard running(subscription->running);
            if (!subscription->active) {
                continue;
            }
            for (const auto &entry : entries) {
                try {
                    subscription->callback(entry);
                } catch (const std::exception &error) {
                    std::fprintf(stderr, "kernel log: subscriber threw: %s\n", error.what());
                } catch (...) {
                    std::fprintf(stderr, "kernel log: subscriber threw\n");
                }
            }
        }
        tDelivering = false;
    }

    std::shared_mutex modulesMutex_;
    std::map<const void *, std::string> modules_;
    std::atomic<bool> haveModules_{false};

    std::mutex mutex_; // everything below
    std::deque<KernelLog::Entry> ring_;
    std::size_t capacity_ = KernelLog::kDefaultCapacity;
    std::uint64_t lastSequence_ = 0;
    bool echo_ = true;
    bool timestamps_ = false;
    std::map<KernelLog::SubscriptionID, std::shared_ptr<Subscription>> subscriptions_;
    KernelLog::SubscriptionID lastSubscriptionID_ = 0;
};

} // namespace

void KernelLog::registerModule(const void *imageBase, std::string bundleID)
{
    Sink::shared().registerModule(imageBase, std::move(bundleID));
}

void KernelLog::unregisterModule(const void *imageBase)
{
    Sink::shared().unregisterModule(imageBase);
}

std::string KernelLog::moduleForAddress(const void *address)
{
    return Sink::shared().moduleForAddress(address);
}

void KernelLog::append(std::string_view module, std::uint8_t type, std::string_view text)
{
    Sink::shared().append(module, type, text);
}

std::vector<KernelLog::Entry> KernelLog::snapshot()
{
    return Sink::shared().snapshot();
}

void KernelLog::clear()
{
    Sink::shared().clear();
}

void KernelLog::setCapacity(std::size_t lines)
{
    Sink::shared().setCapacity(lines);
}

std::size_t KernelLog::capacity()
{
    return Sink::shared().capacity();
}

void KernelLog::setEchoToStderr(bool enabled)
{
    Sink::shared().setEchoToStderr(enabled);
}

void KernelLog::setTimestampPrefix(bool enabled)
{
    Sink::shared().setTimestampPrefix(enabled);
}

std::string KernelLog::formatLine(const Entry &entry, bool withTimestamp)
{
    std::string line;
    if (withTimestamp) {
        const auto sinceEpoch = entry.time.time_since_epoch();
        const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch).count();
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(sinceEpoch).count() % 1'000'000;
        std::tm local{};
        localtime_r(&seconds, &local);
        char stamp[64];
        const std::size_t length = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
        std::snprintf(stamp + length, sizeof stamp - length, ".%06lld ", static_cast<long long>(micros));
        line += stamp;
    }
    line += "kernel: (";
    line += entry.module;
    line += ") ";
    line += entry.text;
    return line;
}

KernelLog::SubscriptionID KernelLog::subscribe(Subscriber subscriber)
{
    return Sink::shared().subscribe(std::move(subscriber));
}

void KernelLog::unsubscribe(SubscriptionID id)
{
    Sink::shared().unsubscribe(id);
}

std::string formatMessage(const char *format, std::va_list args)
{
    std::va_list measure;
    va_copy(measure, args);
    const int length = std::vsnprintf(nullptr, 0, format, measure);
    va_end(measure);
    if (length <= 0) {
        return {};
    }
    std::string text(static_cast<std::size_t>(length), '\0');
    std::vsnprintf(text.data(), text.size() + 1, format, args);
    return text;
}

std::string moduleForReturnAddress(const void *returnAddress)
{
    // A return address points just past the call; step back into the calling instruction in
    // case the call was the last one of the image's text.
    return KernelLog::moduleForAddress(static_cast<const char *>(returnAddress) - 1);
}

} // namespace openiokit
