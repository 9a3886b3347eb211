// CFRunLoop: results as macOS defines them, stop from another thread, version-0 sources,
// timers and CFFileDescriptor sources.
#include <CoreFoundation/CoreFoundation.h>

#include <gtest/gtest.h>

#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace {

constexpr CFTimeInterval kGenerous = 30.0; // seconds; only reached if something is broken

TEST(CFRunLoop, EmptyModeFinishes)
{
    std::thread([] {
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, false), kCFRunLoopRunFinished);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopCommonModes, 1.0, false), kCFRunLoopRunFinished);
    }).join();
}

struct Counter {
    std::atomic<int> performed{0};
};

CFRunLoopSourceRef makeSource(Counter* counter)
{
    CFRunLoopSourceContext context{};
    context.info = counter;
    context.perform = [](void* info) { static_cast<Counter*>(info)->performed++; };
    return CFRunLoopSourceCreate(nullptr, 0, &context);
}

TEST(CFRunLoop, TimesOutWithAnIdleSource)
{
    std::thread([] {
        Counter counter;
        CFRunLoopSourceRef source = makeSource(&counter);
        CFRunLoopAddSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode);
        EXPECT_TRUE(CFRunLoopContainsSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode));
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.0, false), kCFRunLoopRunTimedOut);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.01, false), kCFRunLoopRunTimedOut);
        EXPECT_EQ(counter.performed, 0);
        CFRunLoopRemoveSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, false), kCFRunLoopRunFinished);
        CFRelease(source);
    }).join();
}

TEST(CFRunLoop, ReturnAfterSourceHandled)
{
    std::thread([] {
        Counter counter;
        CFRunLoopSourceRef source = makeSource(&counter);
        CFRunLoopAddSource(CFRunLoopGetCurrent(), source, kCFRunLoopCommonModes);
        CFRunLoopSourceSignal(source);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, true), kCFRunLoopRunHandledSource);
        EXPECT_EQ(counter.performed, 1);
        CFRunLoopSourceInvalidate(source);
        EXPECT_FALSE(CFRunLoopSourceIsValid(source));
        EXPECT_FALSE(CFRunLoopContainsSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode));
        CFRelease(source);
    }).join();
}

TEST(CFRunLoop, SignalAndWakeFromAnotherThread)
{
    Counter counter;
    CFRunLoopSourceRef source = makeSource(&counter);
    std::atomic<CFRunLoopRef> loop{nullptr};
    std::atomic<CFRunLoopRunResult> result{0};
    std::thread runner([&] {
        CFRunLoopAddSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode);
        // Retained: the thread may handle the signal and exit while WakeUp still runs.
        loop = static_cast<CFRunLoopRef>(const_cast<void*>(CFRetain(CFRunLoopGetCurrent())));
        result = CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, true);
    });
    while (!loop) std::this_thread::yield();
    CFRunLoopSourceSignal(source);
    CFRunLoopWakeUp(loop);
    runner.join();
    CFRelease(loop);
    EXPECT_EQ(result, kCFRunLoopRunHandledSource);
    EXPECT_EQ(counter.performed, 1);
    CFRelease(source);
}

TEST(CFRunLoop, StopFromAnotherThread)
{
    Counter counter;
    CFRunLoopSourceRef source = makeSource(&counter);
    std::atomic<CFRunLoopRef> loop{nullptr};
    std::atomic<bool> returned{false};
    std::thread runner([&] {
        CFRunLoopAddSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode);
        // Retained for the stopping thread: the loop dies with its thread, which may exit while
        // CFRunLoopStop is still waking it (the Get rule, as on macOS).
        loop = static_cast<CFRunLoopRef>(const_cast<void*>(CFRetain(CFRunLoopGetCurrent())));
        CFRunLoopRun(); // returns only when stopped
        returned = true;
    });
    while (!loop) std::this_thread::yield();
    // Stop until it takes: a stop that lands before the run starts ends the next run, which is
    // fine too; the loop must return either way.
    CFRunLoopStop(loop);
    runner.join();
    EXPECT_TRUE(returned);
    CFRelease(loop);
    CFRelease(source);
}

TEST(CFRunLoop, OneShotAndRepeatingTimers)
{
    std::thread([] {
        std::atomic<int> fired{0};
        CFRunLoopTimerContext context{};
        context.info = &fired;
        auto callout = [](CFRunLoopTimerRef, void* info) { ++*static_cast<std::atomic<int>*>(info); };
        CFRunLoopTimerRef once =
            CFRunLoopTimerCreate(nullptr, CFAbsoluteTimeGetCurrent() + 0.01, 0, 0, 0, callout, &context);
        CFRunLoopAddTimer(CFRunLoopGetCurrent(), once, kCFRunLoopDefaultMode);
        // The one-shot timer fires, is invalidated, and the mode is then empty: Finished.
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, false), kCFRunLoopRunFinished);
        EXPECT_EQ(fired, 1);
        EXPECT_FALSE(CFRunLoopTimerIsValid(once));
        CFRelease(once);

        struct Repeat {
            int count = 0;
        } repeat;
        CFRunLoopTimerContext repeatContext{};
        repeatContext.info = &repeat;
        CFRunLoopTimerRef repeating = CFRunLoopTimerCreate(
            nullptr, CFAbsoluteTimeGetCurrent(), 0.001, 0, 0,
            [](CFRunLoopTimerRef timer, void* info) {
                if (++static_cast<Repeat*>(info)->count == 3) {
                    CFRunLoopTimerInvalidate(timer);
                }
            },
            &repeatContext);
        EXPECT_TRUE(CFRunLoopTimerDoesRepeat(repeating));
        CFRunLoopAddTimer(CFRunLoopGetCurrent(), repeating, kCFRunLoopCommonModes);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, false), kCFRunLoopRunFinished);
        EXPECT_EQ(repeat.count, 3);
        CFRelease(repeating);
    }).join();
}

struct FdState {
    int calls = 0;
    CFOptionFlags types = 0;
};

TEST(CFFileDescriptor, FiresOncePerEnable)
{
    std::thread([] {
        const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        ASSERT_GE(fd, 0);
        FdState state;
        CFFileDescriptorContext context{0, &state, nullptr, nullptr, nullptr};
        CFFileDescriptorRef f = CFFileDescriptorCreate(
            nullptr, fd, true,
            [](CFFileDescriptorRef, CFOptionFlags types, void* info) {
                auto* s = static_cast<FdState*>(info);
                s->calls++;
                s->types = types;
            },
            &context);
        EXPECT_EQ(CFFileDescriptorGetNativeDescriptor(f), fd);
        CFRunLoopSourceRef source = CFFileDescriptorCreateRunLoopSource(nullptr, f, 0);
        CFRunLoopAddSource(CFRunLoopGetCurrent(), source, kCFRunLoopDefaultMode);
        CFFileDescriptorEnableCallBacks(f, kCFFileDescriptorReadCallBack);
        // Not readable yet: times out.
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.01, true), kCFRunLoopRunTimedOut);
        const uint64_t one = 1;
        ASSERT_EQ(write(fd, &one, sizeof one), 8);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, true), kCFRunLoopRunHandledSource);
        EXPECT_EQ(state.calls, 1);
        EXPECT_EQ(state.types, CFOptionFlags(kCFFileDescriptorReadCallBack));
        // Still readable, but the callback is one-shot until re-enabled.
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.01, true), kCFRunLoopRunTimedOut);
        EXPECT_EQ(state.calls, 1);
        CFFileDescriptorEnableCallBacks(f, kCFFileDescriptorReadCallBack);
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, kGenerous, true), kCFRunLoopRunHandledSource);
        EXPECT_EQ(state.calls, 2);
        CFFileDescriptorInvalidate(f);
        EXPECT_FALSE(CFFileDescriptorIsValid(f));
        EXPECT_FALSE(CFRunLoopSourceIsValid(source));
        EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 1.0, true), kCFRunLoopRunFinished);
        EXPECT_LT(fcntl(fd, F_GETFD), 0); // closed on invalidate
        CFRelease(source);
        CFRelease(f);
    }).join();
}

} // namespace
