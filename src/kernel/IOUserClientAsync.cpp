// Async completions (IOConnectCallAsync*): filling an OSAsyncReference64 and sending the
// kIOAsyncCompletionNotificationType message to its wake port (iokit-semantics.md §3.6).
//
// Slot 0 of a reference holds the wake port (a kernel ipc_port pointer) or'ed with two flag
// bits: kIOUCAsync64Flag (the task is 64-bit: send the 64-bit message layout) and
// kIOUCAsyncErrorLoggedFlag (a failed send was already logged for this reference).
#include <IOKit/IOUserClient.h>

#include <openiokit/Task.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr io_user_reference_t kIOUCAsync0Flags = 3;
constexpr io_user_reference_t kIOUCAsync64Flag = 1;
constexpr io_user_reference_t kIOUCAsyncErrorLoggedFlag = 2;

// Mach's "send timed out" (mach/message.h), which a kIOUserNotifyOptionCanDrop send may return
// and which is not logged.
constexpr kern_return_t kMachSendTimedOut = 0x10000004;

void append(std::vector<uint8_t>& out, const void* bytes, size_t length)
{
    const auto* first = static_cast<const uint8_t*>(bytes);
    out.insert(out.end(), first, first + length);
}

// The payload xnu builds after the mach_msg_header_t: a notification header whose
// reference[0] is zero, the result, then the arguments — 64-bit or 32-bit wide.
openiokit::PortMessage completionMessage(const OSAsyncReference64 reference, IOReturn result,
                                         const io_user_reference_t args[], UInt32 numArgs)
{
    openiokit::PortMessage message;
    message.msgID = kOSNotificationMessageID;
    if (reference[0] & kIOUCAsync64Flag) {
        OSNotificationHeader64 header = {};
        header.size = (natural_t)(sizeof(IOAsyncCompletionContent) + numArgs * sizeof(io_user_reference_t));
        header.type = kIOAsyncCompletionNotificationType;
        std::memcpy(&header.reference[1], &reference[1], sizeof(OSAsyncReference64) - sizeof(reference[0]));
        append(message.body, &header, sizeof(header));
        append(message.body, &result, sizeof(result));
        append(message.body, args, numArgs * sizeof(io_user_reference_t));
    } else {
        OSNotificationHeader header = {};
        header.size = (natural_t)(sizeof(IOAsyncCompletionContent) + numArgs * sizeof(uint32_t));
        header.type = kIOAsyncCompletionNotificationType;
        for (int i = 1; i < kOSAsyncRefCount; i++) {
            header.reference[i] = (natural_t)(int)reference[i];
        }
        append(message.body, &header, sizeof(header));
        append(message.body, &result, sizeof(result));
        for (UInt32 i = 0; i < numArgs; i++) {
            const uint32_t arg = (uint32_t)(int)args[i];
            append(message.body, &arg, sizeof(arg));
        }
    }
    return message;
}

IOReturn sendCompletion(OSAsyncReference64 reference, IOReturn result, io_user_reference_t args[], UInt32 numArgs,
                        IOOptionBits options)
{
    const auto portBits = reference[0] & ~kIOUCAsync0Flags;
    if (portBits == 0) {
        return kIOReturnSuccess;  // no wake port: nothing to do
    }
    if (numArgs > kMaxAsyncArgs) {
        return kIOReturnMessageTooLarge;
    }
    const openiokit::PortMessage message = completionMessage(reference, result, args, numArgs);
    kern_return_t kr = MACH_SEND_INVALID_DEST;
    openiokit::RefPtr<ipc_port> port = openiokit::RefPtr<ipc_port>::adopt(ipc_port::copyValid((const void*)portBits));
    if (port) {
        kr = port->send(message, options & kIOUserNotifyOptionCanDrop);
    }
    if (kr != KERN_SUCCESS && kr != kMachSendTimedOut && !(reference[0] & kIOUCAsyncErrorLoggedFlag)) {
        reference[0] |= kIOUCAsyncErrorLoggedFlag;
        IOLog("%s: mach_msg_send_from_kernel_proper(0x%x)\n", __PRETTY_FUNCTION__, kr);
    }
    return kr;
}

}  // namespace

void IOUserClient::setAsyncReference(OSAsyncReference, mach_port_t, void*, void*)
{
    IOLog("setAsyncReference not valid for 64b\n");
    std::abort();  // xnu panics
}

void IOUserClient::setAsyncReference64(OSAsyncReference64 asyncRef, mach_port_t wakePort, mach_vm_address_t callback,
                                       io_user_reference_t refcon)
{
    asyncRef[kIOAsyncReservedIndex] = ((io_user_reference_t)(uintptr_t)wakePort) |
                                      (kIOUCAsync0Flags & asyncRef[kIOAsyncReservedIndex]);
    asyncRef[kIOAsyncCalloutFuncIndex] = (io_user_reference_t)callback;
    asyncRef[kIOAsyncCalloutRefconIndex] = refcon;
}

void IOUserClient::setAsyncReference64(OSAsyncReference64 asyncRef, mach_port_t wakePort, mach_vm_address_t callback,
                                       io_user_reference_t refcon, task_t task)
{
    setAsyncReference64(asyncRef, wakePort, callback, refcon);
    if (task && task->is64Bit()) {
        asyncRef[kIOAsyncReservedIndex] |= kIOUCAsync64Flag;
    }
}

IOReturn IOUserClient::sendAsyncResult(OSAsyncReference reference, IOReturn result, void* args[], UInt32 numArgs)
{
    if (numArgs > kMaxAsyncArgs) {
        return kIOReturnMessageTooLarge;
    }
    OSAsyncReference64 reference64;
    io_user_reference_t args64[kMaxAsyncArgs];
    for (int i = 0; i < kOSAsyncRef64Count; i++) {
        reference64[i] = (io_user_reference_t)reference[i];
    }
    for (UInt32 i = 0; i < numArgs; i++) {
        args64[i] = (io_user_reference_t)(uintptr_t)args[i];
    }
    return sendAsyncResult64(reference64, result, args64, numArgs);
}

IOReturn IOUserClient::sendAsyncResult64(OSAsyncReference64 reference, IOReturn result, io_user_reference_t args[],
                                         UInt32 numArgs)
{
    return sendCompletion(reference, result, args, numArgs, 0);
}

IOReturn IOUserClient::sendAsyncResult64WithOptions(OSAsyncReference64 reference, IOReturn result,
                                                    io_user_reference_t args[], UInt32 numArgs, IOOptionBits options)
{
    return sendCompletion(reference, result, args, numArgs, options);
}

IOReturn IOUserClient::releaseAsyncReference64(OSAsyncReference64 reference)
{
    return releaseNotificationPort((mach_port_t)(uintptr_t)(reference[0] & ~kIOUCAsync0Flags));
}

IOReturn IOUserClient::releaseNotificationPort(mach_port_t port)
{
    // Drops the send right the reference or registration held. A pointer that is not a live
    // port (already released, or never one) is ignored rather than trusted.
    if (port != MACH_PORT_NULL) {
        if (ipc_port* live = ipc_port::copyValid(port)) {
            live->release();  // the reference copyValid took
            live->release();  // the send right
        }
    }
    return kIOReturnSuccess;
}
