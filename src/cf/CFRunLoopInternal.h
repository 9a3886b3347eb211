// The run loop's objects, shared by CFRunLoop.cpp, CFRunLoopSource.cpp (sources and timers) and
// CFFileDescriptor.cpp.
#pragma once

#include <CoreFoundation/CFFileDescriptor.h>
#include <CoreFoundation/CFRunLoop.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "CFRuntime.h"

struct __CFFileDescriptor;

// Where a source or timer is scheduled: (run loop, mode name) pairs. The loop retains the item;
// the item keeps these back-pointers so that invalidation can remove it everywhere.
using CFScheduleList = std::vector<std::pair<CFRunLoopRef, std::string>>;

struct __CFRunLoopSource final : cf::Object {
    __CFRunLoopSource(CFIndex order, const CFRunLoopSourceContext& context);
    ~__CFRunLoopSource() override;
    bool equal(const cf::Object& other) const override;
    CFHashCode hash() const override;

    const CFIndex order;
    CFRunLoopSourceContext context;
    std::atomic<bool> signaled{false};
    std::atomic<bool> valid{true};
    // Set for CFFileDescriptor sources (retained): the loop polls its descriptor.
    __CFFileDescriptor* fileDescriptor = nullptr;

    std::mutex lock;
    CFScheduleList scheduled;
};

struct __CFRunLoopTimer final : cf::Object {
    __CFRunLoopTimer(CFAbsoluteTime fireDate, CFTimeInterval interval, CFIndex order, CFRunLoopTimerCallBack callout,
                     const CFRunLoopTimerContext* context);
    ~__CFRunLoopTimer() override;

    std::atomic<CFAbsoluteTime> fireDate;
    const CFTimeInterval interval;
    const CFIndex order;
    const CFRunLoopTimerCallBack callout;
    CFRunLoopTimerContext context{};
    std::atomic<bool> valid{true};

    std::mutex lock;
    CFScheduleList scheduled;
};

struct __CFFileDescriptor final : cf::Object {
    __CFFileDescriptor(int fd, bool closeOnInvalidate, CFFileDescriptorCallBack callout,
                       const CFFileDescriptorContext* context);
    ~__CFFileDescriptor() override;

    const int fd;
    const bool closeOnInvalidate;
    const CFFileDescriptorCallBack callout;
    CFFileDescriptorContext context{};
    std::atomic<CFOptionFlags> enabled{0};
    std::atomic<bool> valid{true};

    std::mutex lock;
    CFRunLoopSourceRef source = nullptr; // retained until invalidation
};

namespace cf::runloop {
// Wakes every loop the source is scheduled in (after a file descriptor's callbacks change).
void wakeLoopsOf(__CFRunLoopSource* source);
} // namespace cf::runloop
