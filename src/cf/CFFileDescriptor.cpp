// CFFileDescriptor: a descriptor polled by the run loops its source is scheduled in. Callbacks
// are one-shot, as on macOS: a callback type is disabled before its callout runs.
#include "CFRunLoopInternal.h"

#include <poll.h>
#include <unistd.h>

__CFFileDescriptor::__CFFileDescriptor(int fd, bool closeOnInvalidate, CFFileDescriptorCallBack callout,
                                       const CFFileDescriptorContext* context)
    : cf::Object(cf::kTypeFileDescriptor), fd(fd), closeOnInvalidate(closeOnInvalidate), callout(callout)
{
    if (context) {
        this->context = *context;
        if (context->retain && context->info) {
            this->context.info = context->retain(context->info);
        }
    }
}

__CFFileDescriptor::~__CFFileDescriptor()
{
    if (valid && closeOnInvalidate) {
        close(fd);
    }
    if (context.release && context.info) {
        context.release(context.info);
    }
}

namespace {
__CFFileDescriptor* descriptor(CFFileDescriptorRef f, const char* function)
{
    return cf::checked<__CFFileDescriptor>(f, cf::kTypeFileDescriptor, function);
}
} // namespace

short cfFileDescriptorPollEvents(__CFFileDescriptor* f)
{
    if (!f->valid) {
        return 0;
    }
    const CFOptionFlags enabled = f->enabled;
    return static_cast<short>(((enabled & kCFFileDescriptorReadCallBack) ? POLLIN : 0) |
                              ((enabled & kCFFileDescriptorWriteCallBack) ? POLLOUT : 0));
}

bool cfFileDescriptorHandle(__CFFileDescriptor* f, short revents)
{
    CFOptionFlags fired = 0;
    // Errors and hang-ups are reported to whichever callbacks are waiting, so the client reads
    // (or writes) and sees the condition itself.
    if (revents & (POLLIN | POLLHUP | POLLERR)) fired |= kCFFileDescriptorReadCallBack;
    if (revents & (POLLOUT | POLLERR)) fired |= kCFFileDescriptorWriteCallBack;
    fired &= f->enabled.fetch_and(~fired);
    if (!fired || !f->valid) {
        return false;
    }
    f->retain(); // the callout may invalidate and release it
    if (f->callout) {
        f->callout(f, fired, f->context.info);
    }
    f->release();
    return true;
}

CFTypeID CFFileDescriptorGetTypeID(void) { return cf::kTypeFileDescriptor; }

CFFileDescriptorRef CFFileDescriptorCreate(CFAllocatorRef, CFFileDescriptorNativeDescriptor fd,
                                           Boolean closeOnInvalidate, CFFileDescriptorCallBack callout,
                                           const CFFileDescriptorContext* context)
{
    if (fd < 0) {
        cf::reportMisuse("CFFileDescriptorCreate", "fd is negative");
        return nullptr;
    }
    return new __CFFileDescriptor(fd, closeOnInvalidate, callout, context);
}

CFFileDescriptorNativeDescriptor CFFileDescriptorGetNativeDescriptor(CFFileDescriptorRef f)
{
    auto* d = descriptor(f, "CFFileDescriptorGetNativeDescriptor");
    return d ? d->fd : -1;
}

void CFFileDescriptorGetContext(CFFileDescriptorRef f, CFFileDescriptorContext* context)
{
    auto* d = descriptor(f, "CFFileDescriptorGetContext");
    if (d && context) {
        *context = d->context;
    }
}

void CFFileDescriptorEnableCallBacks(CFFileDescriptorRef f, CFOptionFlags callBackTypes)
{
    auto* d = descriptor(f, "CFFileDescriptorEnableCallBacks");
    if (!d || !d->valid) {
        return;
    }
    d->enabled |= callBackTypes & (kCFFileDescriptorReadCallBack | kCFFileDescriptorWriteCallBack);
    std::lock_guard guard(d->lock);
    if (d->source) {
        cf::runloop::wakeLoopsOf(static_cast<__CFRunLoopSource*>(d->source)); // they must poll it now
    }
}

void CFFileDescriptorDisableCallBacks(CFFileDescriptorRef f, CFOptionFlags callBackTypes)
{
    if (auto* d = descriptor(f, "CFFileDescriptorDisableCallBacks")) {
        d->enabled &= ~callBackTypes;
    }
}

void CFFileDescriptorInvalidate(CFFileDescriptorRef f)
{
    auto* d = descriptor(f, "CFFileDescriptorInvalidate");
    if (!d || !d->valid) {
        return;
    }
    d->retain();
    CFRunLoopSourceRef source;
    {
        std::lock_guard guard(d->lock);
        source = d->source;
        d->source = nullptr;
    }
    d->enabled = 0;
    if (source) {
        CFRunLoopSourceInvalidate(source); // out of every loop before the descriptor closes
        CFRelease(source);
    }
    if (d->valid.exchange(false) && d->closeOnInvalidate) {
        close(d->fd);
    }
    d->release();
}

Boolean CFFileDescriptorIsValid(CFFileDescriptorRef f)
{
    auto* d = descriptor(f, "CFFileDescriptorIsValid");
    return d && d->valid;
}

CFRunLoopSourceRef CFFileDescriptorCreateRunLoopSource(CFAllocatorRef, CFFileDescriptorRef f, CFIndex order)
{
    auto* d = descriptor(f, "CFFileDescriptorCreateRunLoopSource");
    if (!d || !d->valid) {
        return nullptr;
    }
    std::lock_guard guard(d->lock);
    if (!d->source) {
        // One source per descriptor, as on macOS; it retains the descriptor, and the descriptor
        // keeps it until invalidation.
        CFRunLoopSourceContext context{};
        auto* source = new __CFRunLoopSource(order, context);
        d->retain();
        source->fileDescriptor = d;
        d->source = source;
    }
    CFRetain(d->source);
    return d->source;
}
