// IONotificationPort.cpp: notification ports and the notifications delivered to them
// (IOKitLib.h; iokit-semantics.md §3.6, §6).
//
// A port is a socket pair: iokitd holds one end (PortCreate) and writes one record per kernel
// message; this end is read without blocking, from the CFRunLoop source (a CFFileDescriptor) or
// by IONotificationPortDispatchPending. Each record is dispatched as IOKitUser's
// IODispatchCalloutFromMessage does: by the notification type, to the callback stored in the
// message's reference.
#include "ClientSupport.h"

#include <algorithm>
#include <IOKit/OpenIOKit.h>

#include <fcntl.h>
#include <mutex>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

struct IONotificationPort {
    mach_port_t name = MACH_PORT_NULL;
    ipc::Socket socket;
    std::mutex dispatchLock;  // one dispatcher at a time
    std::vector<uint8_t> storage;
    CFFileDescriptorRef descriptor = nullptr;
    CFRunLoopSourceRef source = nullptr;
};

namespace {

// A port name -> its IONotificationPort is not needed: the messages arrive on the port's own
// socket. This decodes and runs one message.
void dispatchMessage(std::span<const uint8_t> payload)
{
    ipc::Reader r(payload);
    const uint32_t msgID = r.u32();
    const std::span<const uint8_t> body = r.raw(r.remaining());
    if (!r.ok() || msgID != kOSNotificationMessageID || body.size() < sizeof(OSNotificationHeader64)) {
        return;
    }
    OSNotificationHeader64 header;
    std::memcpy(&header, body.data(), sizeof(header));
    const std::span<const uint8_t> content = body.subspan(sizeof(header));
    if (header.size > content.size()) {
        return;
    }
    const uint32_t type = header.type & kIOKitNoticationTypeMask;
    switch (type) {
    case kIOAsyncCompletionNotificationType: {
        if (header.size < sizeof(IOReturn)) {
            return;
        }
        IOReturn result;
        std::memcpy(&result, content.data(), sizeof(result));
        const uint32_t numArgs = static_cast<uint32_t>((header.size - sizeof(IOReturn)) / sizeof(uint64_t));
        void* args[kMaxAsyncArgs] = {};
        for (uint32_t i = 0; i < numArgs && i < kMaxAsyncArgs; i++) {
            uint64_t value;
            std::memcpy(&value, content.data() + sizeof(IOReturn) + i * sizeof(uint64_t), sizeof(value));
            args[i] = reinterpret_cast<void*>(static_cast<uintptr_t>(value));
        }
        auto callback = reinterpret_cast<IOAsyncCallback>(header.reference[kIOAsyncCalloutFuncIndex]);
        if (callback) {
            callback(reinterpret_cast<void*>(header.reference[kIOAsyncCalloutRefconIndex]), result, args,
                     std::min<uint32_t>(numArgs, kMaxAsyncArgs));
        }
        return;
    }
    case kIOServicePublishNotificationType:
    case kIOServiceMatchedNotificationType:
    case kIOServiceTerminatedNotificationType: {
        if (header.size < sizeof(uint32_t)) {
            return;
        }
        uint32_t iterator;
        std::memcpy(&iterator, content.data(), sizeof(iterator));
        auto callback = reinterpret_cast<IOServiceMatchingCallback>(header.reference[kIOMatchingCalloutFuncIndex]);
        if (callback) {
            callback(reinterpret_cast<void*>(header.reference[kIOMatchingCalloutRefconIndex]), iterator);
        }
        return;
    }
    case kIOServiceMessageNotificationType: {
        if (header.size < sizeof(IOServiceInterestContent64)) {
            return;
        }
        IOServiceInterestContent64 interest;
        std::memcpy(&interest, content.data(), sizeof(interest));
        auto callback = reinterpret_cast<IOServiceInterestCallback>(header.reference[kIOInterestCalloutFuncIndex]);
        if (callback) {
            callback(reinterpret_cast<void*>(header.reference[kIOInterestCalloutRefconIndex]),
                     static_cast<io_service_t>(header.reference[kIOInterestCalloutServiceIndex]), interest.messageType,
                     reinterpret_cast<void*>(static_cast<uintptr_t>(interest.messageArgument[0])));
        }
        return;
    }
    default:
        return;
    }
}

void descriptorCallBack(CFFileDescriptorRef descriptor, CFOptionFlags, void* info)
{
    IONotificationPortDispatchPending(static_cast<IONotificationPortRef>(info));
    CFFileDescriptorEnableCallBacks(descriptor, kCFFileDescriptorReadCallBack);
}

}  // namespace

extern "C" {

IONotificationPortRef IONotificationPortCreate(mach_port_t)
{
    auto pair = ipc::Socket::pair();
    if (!pair) {
        return nullptr;
    }
    const int theirs = pair->second.fd();
    Call call(Op::PortCreate);
    call.attach(theirs);
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const uint32_t name = reply.fields.u32();
    if (!reply.fields.ok()) {
        return nullptr;
    }
    auto* port = new IONotificationPort;
    port->name = name;
    port->socket = std::move(pair->first);
    fcntl(port->socket.fd(), F_SETFL, fcntl(port->socket.fd(), F_GETFL) | O_NONBLOCK);
    return port;
}

void IONotificationPortDestroy(IONotificationPortRef notify)
{
    if (!notify) {
        return;
    }
    if (notify->source) {
        CFRunLoopSourceInvalidate(notify->source);
        CFRelease(notify->source);
    }
    if (notify->descriptor) {
        CFFileDescriptorInvalidate(notify->descriptor);
        CFRelease(notify->descriptor);
    }
    simpleCall(Op::PortDestroy, notify->name);
    delete notify;
}

CFRunLoopSourceRef IONotificationPortGetRunLoopSource(IONotificationPortRef notify)
{
    if (!notify) {
        return nullptr;
    }
    if (!notify->source) {
        CFFileDescriptorContext context = {0, notify, nullptr, nullptr, nullptr};
        notify->descriptor =
            CFFileDescriptorCreate(kCFAllocatorDefault, notify->socket.fd(), false, descriptorCallBack, &context);
        if (!notify->descriptor) {
            return nullptr;
        }
        CFFileDescriptorEnableCallBacks(notify->descriptor, kCFFileDescriptorReadCallBack);
        notify->source = CFFileDescriptorCreateRunLoopSource(kCFAllocatorDefault, notify->descriptor, 0);
    }
    return notify->source;
}

mach_port_t IONotificationPortGetMachPort(IONotificationPortRef notify)
{
    return notify ? notify->name : MACH_PORT_NULL;
}

kern_return_t IONotificationPortSetImportanceReceiver(IONotificationPortRef notify)
{
    return notify ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;  // no importance donation on Linux
}

int IONotificationPortGetFileDescriptor(IONotificationPortRef notify)
{
    return notify ? notify->socket.fd() : -1;
}

uint32_t IONotificationPortDispatchPending(IONotificationPortRef notify)
{
    if (!notify) {
        return 0;
    }
    uint32_t dispatched = 0;
    std::lock_guard guard(notify->dispatchLock);
    for (;;) {
        auto message = notify->socket.receive(notify->storage);
        if (!message) {
            return dispatched;
        }
        if (message->header.op == ipc::kPortMessageOp) {
            dispatchMessage(message->payload);
            dispatched++;
        }
    }
}

kern_return_t IOServiceAddMatchingNotification(IONotificationPortRef notifyPort, const io_name_t notificationType,
                                               CFDictionaryRef matching, IOServiceMatchingCallback callback,
                                               void* refCon, io_iterator_t* notification)
{
    if (!matching) {
        return kIOReturnBadArgument;
    }
    const std::string xml = serialize(matching);
    CFRelease(matching);  // consumed, even on failure
    if (!notifyPort || !notification || xml.empty()) {
        return kIOReturnBadArgument;
    }
    uint64_t reference[ipc::kAsyncReferenceCount] = {};
    reference[kIOMatchingCalloutFuncIndex] = reinterpret_cast<uintptr_t>(callback);
    reference[kIOMatchingCalloutRefconIndex] = reinterpret_cast<uintptr_t>(refCon);
    Call call(Op::AddMatchingNotification);
    call.w().u32(notifyPort->name).str(text(notificationType)).str(xml);
    for (uint64_t value : reference) {
        call.w().u64(value);
    }
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *notification = name;
        }
    }
    return decodeError(reply);
}

kern_return_t IOServiceAddInterestNotification(IONotificationPortRef notifyPort, io_service_t service,
                                               const io_name_t interestType, IOServiceInterestCallback callback,
                                               void* refCon, io_object_t* notification)
{
    if (!notifyPort || !notification) {
        return kIOReturnBadArgument;
    }
    uint64_t reference[ipc::kAsyncReferenceCount] = {};
    reference[kIOInterestCalloutFuncIndex] = reinterpret_cast<uintptr_t>(callback);
    reference[kIOInterestCalloutRefconIndex] = reinterpret_cast<uintptr_t>(refCon);
    reference[kIOInterestCalloutServiceIndex] = service;
    Call call(Op::AddInterestNotification);
    call.w().u32(notifyPort->name).u32(service).str(text(interestType));
    for (uint64_t value : reference) {
        call.w().u64(value);
    }
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *notification = name;
        }
    }
    return decodeError(reply);
}

}  // extern "C"
