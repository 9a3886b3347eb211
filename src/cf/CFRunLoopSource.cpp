// CFRunLoopSource (version 0) and CFRunLoopTimer objects. Scheduling lives in CFRunLoop.cpp.
#include "CFRunLoopInternal.h"

__CFRunLoopSource::__CFRunLoopSource(CFIndex order, const CFRunLoopSourceContext& context)
    : cf::Object(cf::kTypeRunLoopSource), order(order), context(context)
{
    if (context.retain && context.info) {
        this->context.info = const_cast<void*>(context.retain(context.info));
    }
}

__CFRunLoopSource::~__CFRunLoopSource()
{
    if (context.release && context.info) {
        context.release(context.info);
    }
    if (fileDescriptor) {
        CFRelease(fileDescriptor);
    }
}

bool __CFRunLoopSource::equal(const cf::Object& other) const
{
    auto& o = static_cast<const __CFRunLoopSource&>(other);
    if (order != o.order || context.perform != o.context.perform) {
        return false;
    }
    return context.equal ? context.equal(context.info, o.context.info) : context.info == o.context.info;
}

CFHashCode __CFRunLoopSource::hash() const
{
    return context.hash ? context.hash(context.info) : reinterpret_cast<CFHashCode>(context.info);
}

CFTypeID CFRunLoopSourceGetTypeID(void) { return cf::kTypeRunLoopSource; }

CFRunLoopSourceRef CFRunLoopSourceCreate(CFAllocatorRef, CFIndex order, CFRunLoopSourceContext* context)
{
    if (!context || context->version != 0) {
        cf::reportMisuse("CFRunLoopSourceCreate", !context ? "context is NULL"
                                                           : "only version 0 sources exist (no mach ports here)");
        return nullptr;
    }
    return new __CFRunLoopSource(order, *context);
}

CFIndex CFRunLoopSourceGetOrder(CFRunLoopSourceRef source)
{
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopSourceGetOrder");
    return s ? s->order : 0;
}

void CFRunLoopSourceInvalidate(CFRunLoopSourceRef source)
{
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopSourceInvalidate");
    if (!s || !s->valid.exchange(false)) {
        return;
    }
    s->retain(); // the loops may hold the last references
    CFScheduleList scheduled;
    {
        std::lock_guard guard(s->lock);
        scheduled = s->scheduled;
    }
    for (auto& [loop, mode] : scheduled) {
        CFStringRef name = CFStringCreateWithCString(nullptr, mode.c_str(), kCFStringEncodingUTF8);
        CFRunLoopRemoveSource(loop, s, name);
        CFRelease(name);
    }
    s->release();
}

Boolean CFRunLoopSourceIsValid(CFRunLoopSourceRef source)
{
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopSourceIsValid");
    return s && s->valid;
}

void CFRunLoopSourceGetContext(CFRunLoopSourceRef source, CFRunLoopSourceContext* context)
{
    auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopSourceGetContext");
    if (s && context) {
        *context = s->context;
    }
}

void CFRunLoopSourceSignal(CFRunLoopSourceRef source)
{
    // As on macOS, signalling does not wake the loop: call CFRunLoopWakeUp from another thread.
    if (auto* s = cf::checked<__CFRunLoopSource>(source, cf::kTypeRunLoopSource, "CFRunLoopSourceSignal")) {
        s->signaled = true;
    }
}

// --- Timers ----------------------------------------------------------------------------------

__CFRunLoopTimer::__CFRunLoopTimer(CFAbsoluteTime fireDate, CFTimeInterval interval, CFIndex order,
                                   CFRunLoopTimerCallBack callout, const CFRunLoopTimerContext* context)
    : cf::Object(cf::kTypeRunLoopTimer), fireDate(fireDate), interval(interval > 0 ? interval : 0), order(order),
      callout(callout)
{
    if (context) {
        this->context = *context;
        if (context->retain && context->info) {
            this->context.info = const_cast<void*>(context->retain(context->info));
        }
    }
}

__CFRunLoopTimer::~__CFRunLoopTimer()
{
    if (context.release && context.info) {
        context.release(context.info);
    }
}

CFTypeID CFRunLoopTimerGetTypeID(void) { return cf::kTypeRunLoopTimer; }

CFRunLoopTimerRef CFRunLoopTimerCreate(CFAllocatorRef, CFAbsoluteTime fireDate, CFTimeInterval interval, CFOptionFlags,
                                       CFIndex order, CFRunLoopTimerCallBack callout, CFRunLoopTimerContext* context)
{
    if (!callout) {
        cf::reportMisuse("CFRunLoopTimerCreate", "callout is NULL");
        return nullptr;
    }
    return new __CFRunLoopTimer(fireDate, interval, order, callout, context);
}

namespace {
__CFRunLoopTimer* timer(CFRunLoopTimerRef t, const char* function)
{
    return cf::checked<__CFRunLoopTimer>(t, cf::kTypeRunLoopTimer, function);
}
} // namespace

CFAbsoluteTime CFRunLoopTimerGetNextFireDate(CFRunLoopTimerRef t)
{
    auto* x = timer(t, "CFRunLoopTimerGetNextFireDate");
    return x ? x->fireDate.load() : 0;
}

void CFRunLoopTimerSetNextFireDate(CFRunLoopTimerRef t, CFAbsoluteTime fireDate)
{
    auto* x = timer(t, "CFRunLoopTimerSetNextFireDate");
    if (!x) {
        return;
    }
    x->fireDate = fireDate;
    CFScheduleList scheduled;
    {
        std::lock_guard guard(x->lock);
        scheduled = x->scheduled;
    }
    for (auto& entry : scheduled) {
        CFRunLoopWakeUp(entry.first); // the loop recomputes its wait
    }
}

CFTimeInterval CFRunLoopTimerGetInterval(CFRunLoopTimerRef t)
{
    auto* x = timer(t, "CFRunLoopTimerGetInterval");
    return x ? x->interval : 0;
}

Boolean CFRunLoopTimerDoesRepeat(CFRunLoopTimerRef t) { return CFRunLoopTimerGetInterval(t) > 0; }

CFIndex CFRunLoopTimerGetOrder(CFRunLoopTimerRef t)
{
    auto* x = timer(t, "CFRunLoopTimerGetOrder");
    return x ? x->order : 0;
}

void CFRunLoopTimerInvalidate(CFRunLoopTimerRef t)
{
    auto* x = timer(t, "CFRunLoopTimerInvalidate");
    if (!x || !x->valid.exchange(false)) {
        return;
    }
    x->retain();
    CFScheduleList scheduled;
    {
        std::lock_guard guard(x->lock);
        scheduled = x->scheduled;
    }
    for (auto& [loop, mode] : scheduled) {
        CFStringRef name = CFStringCreateWithCString(nullptr, mode.c_str(), kCFStringEncodingUTF8);
        CFRunLoopRemoveTimer(loop, x, name);
        CFRelease(name);
    }
    x->release();
}

Boolean CFRunLoopTimerIsValid(CFRunLoopTimerRef t)
{
    auto* x = timer(t, "CFRunLoopTimerIsValid");
    return x && x->valid;
}

void CFRunLoopTimerGetContext(CFRunLoopTimerRef t, CFRunLoopTimerContext* context)
{
    auto* x = timer(t, "CFRunLoopTimerGetContext");
    if (x && context) {
        *context = x->context;
    }
}
