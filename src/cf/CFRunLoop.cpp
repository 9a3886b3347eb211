// CFRunLoop: one loop per thread, waiting in poll() on an eventfd (wake-ups, CFRunLoopStop from
// any thread) plus the descriptors of the CFFileDescriptor sources scheduled in the running mode.
// Each pass follows macOS's order: version-0 sources, wait, timers and descriptors, then the
// checks HandledSource, TimedOut, Stopped, Finished.
#include "CFRunLoopInternal.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>

#include "CFStringInternal.h"

const CFRunLoopMode kCFRunLoopDefaultMode = CFSTR("kCFRunLoopDefaultMode");
const CFRunLoopMode kCFRunLoopCommonModes = CFSTR("kCFRunLoopCommonModes");

namespace {
constexpr std::string_view kDefaultMode = "kCFRunLoopDefaultMode";
constexpr std::string_view kCommonModes = "kCFRunLoopCommonModes";
} // namespace

struct __CFRunLoop final : cf::Object {
    __CFRunLoop() : cf::Object(cf::kTypeRunLoop), wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    {
        commonModes.insert(std::string(kDefaultMode));
    }
    ~__CFRunLoop() override;

    struct Items {
        std::vector<__CFRunLoopSource*> sources; // retained
        std::vector<__CFRunLoopTimer*> timers;   // retained
        bool empty() const { return sources.empty() && timers.empty(); }
    };

    void wake() const
    {
        const uint64_t one = 1;
        [[maybe_unused]] ssize_t written = write(wakeFd, &one, sizeof one);
    }

    // Items of a mode, under lock. Common modes see the common items through their own lists
    // (they are copied in when added), so one lookup suffices.
    Items* itemsLocked(const std::string& mode, bool create)
    {
        auto it = modes.find(mode);
        if (it == modes.end()) {
            if (!create) {
                return nullptr;
            }
            it = modes.emplace(mode, Items{}).first;
        }
        return &it->second;
    }

    const int wakeFd;
    std::mutex lock;
    std::map<std::string, Items> modes;
    std::set<std::string> commonModes;
    Items commonItems;
    std::vector<std::string> runningModes; // innermost last; only touched by the loop's thread
    std::atomic<bool> stopped{false};
    std::atomic<bool> waiting{false};
};

__CFRunLoop::~__CFRunLoop()
{
    auto unschedule = [this](auto* item) {
        std::lock_guard guard(item->lock);
        std::erase_if(item->scheduled, [this](const auto& entry) { return entry.first == this; });
    };
    for (auto& [name, items] : modes) {
        for (auto* source : items.sources) {
            unschedule(source);
            source->release();
        }
        for (auto* timer : items.timers) {
            unschedule(timer);
            timer->release();
        }
    }
    for (auto* source : commonItems.sources) {
        unschedule(source);
        source->release();
    }
    for (auto* timer : commonItems.timers) {
        unschedule(timer);
        timer->release();
    }
    close(wakeFd);
}

namespace {

// The current thread's loop; released when the thread exits.
struct ThreadLoop {
    __CFRunLoop* loop = nullptr;
    ~ThreadLoop()
    {
        if (loop) {
            loop->release();
        }
    }
};
thread_local ThreadLoop tCurrent;

std::mutex gMainLock;
__CFRunLoop* gMain = nullptr; // never released: the main thread's loop lives as long as the process

bool isMainThread() { return syscall(SYS_gettid) == getpid(); }

__CFRunLoop* mainLoop()
{
    std::lock_guard guard(gMainLock);
    if (!gMain) {
        gMain = new __CFRunLoop;
        gMain->makeImmortal();
    }
    return gMain;
}

__CFRunLoop* loopOf(CFRunLoopRef rl, const char* function)
{
    return cf::checked<__CFRunLoop>(rl, cf::kTypeRunLoop, function);
}

std::string modeName(CFRunLoopMode mode, const char* function) { return std::string(cf::text(mode, function)); }

template <class T>
void addTo(std::vector<T*>& list, T* item)
{
    if (std::find(list.begin(), list.end(), item) == list.end()) {
        item->retain();
        list.push_back(item);
    }
}

// Removes item from list; the caller releases the returned references outside the lock.
template <class T>
bool removeFrom(std::vector<T*>& list, T* item)
{
    auto it = std::find(list.begin(), list.end(), item);
    if (it == list.end()) {
        return false;
    }
    list.erase(it);
    return true;
}

template <class T>
void recordSchedule(T* item, CFRunLoopRef loop, const std::string& mode, bool add)
{
    std::lock_guard guard(item->lock);
    auto entry = std::make_pair(loop, mode);
    auto it = std::find(item->scheduled.begin(), item->scheduled.end(), entry);
    if (add && it == item->scheduled.end()) {
        item->scheduled.push_back(entry);
    } else if (!add && it != item->scheduled.end()) {
        item->scheduled.erase(it);
    }
}

double monotonicNow()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

CFTypeID CFRunLoopGetTypeID(void) { return cf::kTypeRunLoop; }

CFRunLoopRef CFRunLoopGetCurrent(void)
{
    if (!tCurrent.loop) {
        if (isMainThread()) {
            tCurrent.loop = mainLoop(); // immortal: the holder's release is a no-op
        } else {
            tCurrent.loop = new __CFRunLoop;
        }
    }
    return tCurrent.loop;
}

CFRunLoopRef CFRunLoopGetMain(void) { return mainLoop(); }

CFRunLoopMode CFRunLoopCopyCurrentMode(CFRunLoopRef rl)
{
    auto* loop = loopOf(rl, "CFRunLoopCopyCurrentMode");
    std::lock_guard guard(loop ? loop->lock : gMainLock);
    if (!loop || loop->runningModes.empty()) {
        return nullptr;
    }
    return cf::makeString(loop->runningModes.back());
}

CFArrayRef CFRunLoopCopyAllModes(CFRunLoopRef rl)
{
    auto* loop = loopOf(rl, "CFRunLoopCopyAllModes");
    if (!loop) {
        return nullptr;
    }
    CFMutableArrayRef names = CFArrayCreateMutable(nullptr, 0, &kCFTypeArrayCallBacks);
    std::lock_guard guard(loop->lock);
    std::set<std::string> all(loop->commonModes);
    for (auto& entry : loop->modes) {
        all.insert(entry.first);
    }
    for (const auto& name : all) {
        CFStringRef s = cf::makeString(name);
        CFArrayAppendValue(names, s);
        CFRelease(s);
    }
    return names;
}

void CFRunLoopAddCommonMode(CFRunLoopRef rl, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopAddCommonMode");
    const std::string name = modeName(mode, "CFRunLoopAddCommonMode");
    if (!loop || !mode || name == kCommonModes) {
        return;
    }
    std::lock_guard guard(loop->lock);
    if (!loop->commonModes.insert(name).second) {
        return;
    }
    auto* items = loop->itemsLocked(name, true);
    for (auto* source : loop->commonItems.sources) addTo(items->sources, source);
    for (auto* timer : loop->commonItems.timers) addTo(items->timers, timer);
}

// --- Adding and removing sources and timers ---------------------------------------------------

namespace {

template <class T, class Member>
void schedule(__CFRunLoop* loop, T* item, const std::string& mode, Member member)
{
    {
        std::lock_guard guard(loop->lock);
        if (mode == kCommonModes) {
            addTo(loop->commonItems.*member, item);
            for (const auto& name : loop->commonModes) {
                addTo(loop->itemsLocked(name, true)->*member, item);
            }
        } else {
            addTo(loop->itemsLocked(mode, true)->*member, item);
        }
    }
    recordSchedule(item, loop, mode, true);
    loop->wake(); // a running loop must recompute what it waits for
}

template <class T, class Member>
void unschedule(__CFRunLoop* loop, T* item, const std::string& mode, Member member)
{
    int removed = 0;
    {
        std::lock_guard guard(loop->lock);
        if (mode == kCommonModes) {
            removed += removeFrom(loop->commonItems.*member, item);
            for (const auto& name : loop->commonModes) {
                if (auto* items = loop->itemsLocked(name, false)) {
                    removed += removeFrom(items->*member, item);
                }
            }
        } else if (auto* items = loop->itemsLocked(mode, false)) {
            removed += removeFrom(items->*member, item);
        }
    }
    recordSchedule(item, loop, mode, false);
    for (int i = 0; i < removed; i++) {
        item->release();
    }
    loop->wake();
}

template <class T, class Member>
bool contains(__CFRunLoop* loop, T* item, const std::string& mode, Member member)
{
    std::lock_guard guard(loop->lock);
    auto* items = mode == kCommonModes ? &loop->commonItems : loop->itemsLocked(mode, false);
    if (!items) {
        return false;
    }
    auto& list = items->*member;
    return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

Boolean CFRunLoopContainsSource(CFRunLoopRef rl, CFRunLoopSourceRef source, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopContainsSource");
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopContainsSource");
    return loop && s && mode && contains(loop, s, modeName(mode, "CFRunLoopContainsSource"), &__CFRunLoop::Items::sources);
}

void CFRunLoopAddSource(CFRunLoopRef rl, CFRunLoopSourceRef source, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopAddSource");
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopAddSource");
    if (!loop || !s || !mode || !s->valid) {
        return;
    }
    const std::string name = modeName(mode, "CFRunLoopAddSource");
    const bool wasThere = contains(loop, s, name, &__CFRunLoop::Items::sources);
    schedule(loop, s, name, &__CFRunLoop::Items::sources);
    if (!wasThere && s->context.schedule) {
        s->context.schedule(s->context.info, loop, mode);
    }
}

void CFRunLoopRemoveSource(CFRunLoopRef rl, CFRunLoopSourceRef source, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopRemoveSource");
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopRemoveSource");
    if (!loop || !s || !mode) {
        return;
    }
    const std::string name = modeName(mode, "CFRunLoopRemoveSource");
    if (!contains(loop, s, name, &__CFRunLoop::Items::sources)) {
        return;
    }
    s->retain(); // the loop may hold the last reference; cancel still needs the context
    unschedule(loop, s, name, &__CFRunLoop::Items::sources);
    if (s->context.cancel) {
        s->context.cancel(s->context.info, loop, mode);
    }
    s->release();
}

Boolean CFRunLoopContainsTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopContainsTimer");
    auto* t = cf::checked<__CFRunLoopTimer>(timer, cf::kTypeRunLoopTimer, "CFRunLoopContainsTimer");
    return loop && t && mode && contains(loop, t, modeName(mode, "CFRunLoopContainsTimer"), &__CFRunLoop::Items::timers);
}

void CFRunLoopAddTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopAddTimer");
    auto* t = cf::checked<__CFRunLoopTimer>(timer, cf::kTypeRunLoopTimer, "CFRunLoopAddTimer");
    if (loop && t && mode && t->valid) {
        schedule(loop, t, modeName(mode, "CFRunLoopAddTimer"), &__CFRunLoop::Items::timers);
    }
}

void CFRunLoopRemoveTimer(CFRunLoopRef rl, CFRunLoopTimerRef timer, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopRemoveTimer");
    auto* t = cf::checked<__CFRunLoopTimer>(timer, cf::kTypeRunLoopTimer, "CFRunLoopRemoveTimer");
    if (loop && t && mode) {
        unschedule(loop, t, modeName(mode, "CFRunLoopRemoveTimer"), &__CFRunLoop::Items::timers);
    }
}

CFAbsoluteTime CFRunLoopGetNextTimerFireDate(CFRunLoopRef rl, CFRunLoopMode mode)
{
    auto* loop = loopOf(rl, "CFRunLoopGetNextTimerFireDate");
    if (!loop || !mode) {
        return 0;
    }
    std::lock_guard guard(loop->lock);
    auto* items = loop->itemsLocked(modeName(mode, "CFRunLoopGetNextTimerFireDate"), false);
    CFAbsoluteTime next = 0;
    for (auto* timer : items ? items->timers : std::vector<__CFRunLoopTimer*>{}) {
        if (timer->valid && (next == 0 || timer->fireDate < next)) {
            next = timer->fireDate;
        }
    }
    return next;
}

// --- Running ---------------------------------------------------------------------------------

namespace {

// A retained snapshot of a mode's items, so callouts run without the loop's lock held and may
// add or remove items freely.
struct Snapshot {
    std::vector<__CFRunLoopSource*> sources;
    std::vector<__CFRunLoopTimer*> timers;
    Snapshot() = default;
    Snapshot(const Snapshot&) = delete;
    ~Snapshot()
    {
        for (auto* s : sources) s->release();
        for (auto* t : timers) t->release();
    }
};

bool takeSnapshot(__CFRunLoop* loop, const std::string& mode, Snapshot& out)
{
    std::lock_guard guard(loop->lock);
    auto* items = loop->itemsLocked(mode, false);
    if (!items || items->empty()) {
        return false;
    }
    for (auto* s : items->sources) {
        s->retain();
        out.sources.push_back(s);
    }
    for (auto* t : items->timers) {
        t->retain();
        out.timers.push_back(t);
    }
    std::stable_sort(out.sources.begin(), out.sources.end(), [](auto* a, auto* b) { return a->order < b->order; });
    std::stable_sort(out.timers.begin(), out.timers.end(), [](auto* a, auto* b) { return a->order < b->order; });
    return true;
}

bool modeIsEmpty(__CFRunLoop* loop, const std::string& mode)
{
    std::lock_guard guard(loop->lock);
    auto* items = loop->itemsLocked(mode, false);
    return !items || items->empty();
}

// Performs signalled version-0 sources; with stopAfterOne, at most one.
bool doSources0(const Snapshot& snapshot, bool stopAfterOne)
{
    bool handled = false;
    for (auto* source : snapshot.sources) {
        if (source->fileDescriptor || !source->valid || !source->signaled.exchange(false)) {
            continue;
        }
        if (source->context.perform) {
            source->context.perform(source->context.info);
        }
        handled = true;
        if (stopAfterOne) {
            break;
        }
    }
    return handled;
}

void fireTimers(__CFRunLoop* loop, const Snapshot& snapshot)
{
    const CFAbsoluteTime now = CFAbsoluteTimeGetCurrent();
    for (auto* timer : snapshot.timers) {
        const CFAbsoluteTime due = timer->fireDate;
        if (!timer->valid || due > now) {
            continue;
        }
        if (timer->interval > 0) {
            // Skip missed firings: the next date is the first multiple of the interval after now.
            const double periods = std::floor((now - due) / timer->interval) + 1;
            timer->fireDate = due + periods * timer->interval;
        }
        timer->callout(timer, timer->context.info);
        if (timer->interval <= 0) {
            CFRunLoopTimerInvalidate(timer); // one-shot
        }
    }
}

} // namespace

// Defined in CFFileDescriptor.cpp: the events to poll for, and the callout after readiness.
short cfFileDescriptorPollEvents(__CFFileDescriptor* f);
bool cfFileDescriptorHandle(__CFFileDescriptor* f, short revents);

CFRunLoopRunResult CFRunLoopRunInMode(CFRunLoopMode modeRef, CFTimeInterval seconds, Boolean returnAfterSourceHandled)
{
    auto* loop = static_cast<__CFRunLoop*>(CFRunLoopGetCurrent());
    if (!modeRef) {
        cf::reportMisuse("CFRunLoopRunInMode", "mode is NULL");
        return kCFRunLoopRunFinished;
    }
    const std::string mode = modeName(modeRef, "CFRunLoopRunInMode");
    if (mode == kCommonModes || modeIsEmpty(loop, mode)) {
        return kCFRunLoopRunFinished;
    }
    const double start = monotonicNow();
    const double deadline = seconds > 0 ? start + std::min(seconds, 1.0e10) : start;

    {
        std::lock_guard guard(loop->lock);
        loop->runningModes.push_back(mode);
    }
    CFRunLoopRunResult result = 0;
    if (loop->stopped.exchange(false)) {
        result = kCFRunLoopRunStopped; // a stop requested while not running ends the next run at once
    }
    while (!result) {
        Snapshot snapshot;
        takeSnapshot(loop, mode, snapshot);
        bool handled = doSources0(snapshot, returnAfterSourceHandled);

        // Wait for the wake-up eventfd, descriptors, the next timer or the deadline.
        std::vector<pollfd> fds{{loop->wakeFd, POLLIN, 0}};
        std::vector<__CFFileDescriptor*> owners{nullptr};
        for (auto* source : snapshot.sources) {
            if (source->fileDescriptor && source->valid) {
                if (const short events = cfFileDescriptorPollEvents(source->fileDescriptor)) {
                    fds.push_back({source->fileDescriptor->fd, events, 0});
                    owners.push_back(source->fileDescriptor);
                }
            }
        }
        double wakeAt = deadline;
        const double monoToAbs = CFAbsoluteTimeGetCurrent() - monotonicNow();
        for (auto* timer : snapshot.timers) {
            if (timer->valid) {
                wakeAt = std::min(wakeAt, timer->fireDate - monoToAbs);
            }
        }
        const bool pending = std::any_of(snapshot.sources.begin(), snapshot.sources.end(),
                                         [](auto* s) { return !s->fileDescriptor && s->valid && s->signaled; });
        int timeoutMs = 0;
        if (!handled && !pending) {
            const double wait = wakeAt - monotonicNow();
            timeoutMs = wait <= 0 ? 0 : static_cast<int>(std::min(std::ceil(wait * 1000.0), 2.0e9));
        }
        loop->waiting = true;
        int ready = poll(fds.data(), fds.size(), timeoutMs);
        loop->waiting = false;
        if (ready < 0 && errno != EINTR) {
            cf::reportMisuse("CFRunLoopRunInMode", "poll failed");
        }
        if (fds[0].revents & POLLIN) {
            uint64_t count;
            [[maybe_unused]] ssize_t drained = read(loop->wakeFd, &count, sizeof count);
        }

        fireTimers(loop, snapshot);
        for (size_t i = 1; i < fds.size(); i++) {
            if (fds[i].revents && !(handled && returnAfterSourceHandled)) {
                handled |= cfFileDescriptorHandle(owners[i], fds[i].revents);
            }
        }

        if (handled && returnAfterSourceHandled) {
            result = kCFRunLoopRunHandledSource;
        } else if (monotonicNow() >= deadline) {
            result = kCFRunLoopRunTimedOut;
        } else if (loop->stopped.exchange(false)) {
            result = kCFRunLoopRunStopped;
        } else if (modeIsEmpty(loop, mode)) {
            result = kCFRunLoopRunFinished;
        }
    }
    {
        std::lock_guard guard(loop->lock);
        loop->runningModes.pop_back();
    }
    return result;
}

void CFRunLoopRun(void)
{
    CFRunLoopRunResult result;
    do {
        result = CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0e10, false);
    } while (result != kCFRunLoopRunStopped && result != kCFRunLoopRunFinished);
}

Boolean CFRunLoopIsWaiting(CFRunLoopRef rl)
{
    auto* loop = loopOf(rl, "CFRunLoopIsWaiting");
    return loop && loop->waiting;
}

void CFRunLoopWakeUp(CFRunLoopRef rl)
{
    if (auto* loop = loopOf(rl, "CFRunLoopWakeUp")) {
        loop->wake();
    }
}

void CFRunLoopStop(CFRunLoopRef rl)
{
    if (auto* loop = loopOf(rl, "CFRunLoopStop")) {
        loop->stopped = true;
        loop->wake();
    }
}

namespace cf::runloop {
void wakeLoopsOf(__CFRunLoopSource* source)
{
    CFScheduleList scheduled;
    {
        std::lock_guard guard(source->lock);
        scheduled = source->scheduled;
    }
    for (auto& entry : scheduled) {
        CFRunLoopWakeUp(entry.first);
    }
}
} // namespace cf::runloop
