// UserNotifications.cpp: matching and interest notifications for user space (see the header).
#include "UserNotifications.h"

#include <algorithm>
#include <IOKit/IOUserClient.h>

#include <cstring>
#include <vector>

namespace openiokit::daemon {

namespace {

// The notification type user space sees for a kernel matching notification type (xnu
// is_io_service_add_notification).
uint32_t userMessageType(const OSSymbol* type)
{
    if (type == gIOPublishNotification || type == gIOFirstPublishNotification) {
        return kIOServicePublishNotificationType;
    }
    if (type == gIOMatchedNotification || type == gIOFirstMatchNotification) {
        return kIOServiceMatchedNotificationType;
    }
    if (type == gIOTerminatedNotification || type == gIOWillTerminateNotification) {
        return kIOServiceTerminatedNotificationType;
    }
    return kLastIOKitNotificationType;
}

void append(std::vector<uint8_t>& out, const void* bytes, size_t length)
{
    const auto* p = static_cast<const uint8_t*>(bytes);
    out.insert(out.end(), p, p + length);
}

PortMessage notificationMessage(uint32_t type, const OSAsyncReference64 reference, const void* content,
                                size_t contentSize)
{
    PortMessage message;
    message.msgID = kOSNotificationMessageID;
    OSNotificationHeader64 header = {};
    header.size = static_cast<natural_t>(contentSize);
    header.type = type;
    std::memcpy(header.reference, reference, sizeof(OSAsyncReference64));
    header.reference[kIOAsyncReservedIndex] = 0;
    append(message.body, &header, sizeof(header));
    append(message.body, content, contentSize);
    return message;
}

}  // namespace

// --- MatchingNotification ----------------------------------------------------------------------

MatchingNotification::MatchingNotification(uint32_t msgType, ipc_port* port, const OSAsyncReference64 reference)
    : msgType_(msgType), port_(RefPtr<ipc_port>::retain(port))
{
    std::memcpy(reference_, reference, sizeof(reference_));
}

std::expected<std::shared_ptr<MatchingNotification>, IOReturn> MatchingNotification::make(
    const OSSymbol* type, OSDictionary* matching, ipc_port* port, const OSAsyncReference64 reference)
{
    const uint32_t msgType = userMessageType(type);
    if (msgType == kLastIOKitNotificationType || !matching || !port) {
        return std::unexpected(kIOReturnBadArgument);
    }
    std::shared_ptr<MatchingNotification> notification(new MatchingNotification(msgType, port, reference));
    notification->notifier_ =
        IOService::addMatchingNotification(type, matching, &MatchingNotification::handler, notification.get());
    if (!notification->notifier_) {
        return std::unexpected(kIOReturnUnsupported);
    }
    return notification;
}

MatchingNotification::~MatchingNotification()
{
    if (notifier_) {
        notifier_->remove();  // waits for handlers running on other threads
    }
}

void MatchingNotification::setName(mach_port_name_t name)
{
    std::lock_guard guard(lock_);
    name_ = name;
}

bool MatchingNotification::handler(void* target, void*, IOService* newService, IONotifier*)
{
    static_cast<MatchingNotification*>(target)->collect(newService);
    return true;
}

void MatchingNotification::collect(IOService* service)
{
    bool ping = false;
    mach_port_name_t name;
    {
        std::lock_guard guard(lock_);
        if (pending_.size() < kMaxOutstanding) {
            pending_.emplace_back(service, OSRetain);
            ping = armed_ && pending_.size() == 1;
            if (ping) {
                armed_ = false;
            }
        }
        name = name_;
    }
    if (ping) {
        // The content is the iterator's name in the receiving task (xnu sends a port
        // descriptor for the notification object).
        const uint32_t content = name;
        port_->send(notificationMessage(msgType_, reference_, &content, sizeof(content)), 0);
    }
}

OSSharedPtr<OSObject> MatchingNotification::next()
{
    std::lock_guard guard(lock_);
    if (pending_.empty()) {
        armed_ = true;
        return nullptr;
    }
    OSSharedPtr<OSObject> front(pending_.front().get(), OSRetain);
    pending_.pop_front();
    return front;
}

// --- InterestNotification ----------------------------------------------------------------------

InterestNotification::InterestNotification(ipc_port* port, const OSAsyncReference64 reference)
    : port_(RefPtr<ipc_port>::retain(port))
{
    std::memcpy(reference_, reference, sizeof(reference_));
}

std::expected<std::shared_ptr<InterestNotification>, IOReturn> InterestNotification::make(
    IOService* service, const OSSymbol* type, ipc_port* port, const OSAsyncReference64 reference)
{
    if (!service || !type || !port) {
        return std::unexpected(kIOReturnBadArgument);
    }
    std::shared_ptr<InterestNotification> notification(new InterestNotification(port, reference));
    notification->notifier_ = service->registerInterest(type, &InterestNotification::handler, notification.get());
    if (!notification->notifier_) {
        return std::unexpected(kIOReturnUnsupported);
    }
    return notification;
}

InterestNotification::~InterestNotification()
{
    if (notifier_) {
        notifier_->remove();
    }
}

IOReturn InterestNotification::handler(void* target, void*, UInt32 messageType, IOService*, void* argument,
                                       vm_size_t argSize)
{
    auto* self = static_cast<InterestNotification*>(target);
    // IOServiceInterestContent64: the message type, then either the argument's value (argSize
    // 0) or up to kIOUserNotifyMaxMessageSize bytes it points to.
    std::vector<uint8_t> content;
    const natural_t type = messageType;
    append(content, &type, sizeof(type));
    const natural_t pad = 0;
    append(content, &pad, sizeof(pad));  // messageArgument is 8-byte aligned
    if (argSize == 0 || !argument) {
        const io_user_reference_t value = reinterpret_cast<uintptr_t>(argument);
        append(content, &value, sizeof(value));
    } else {
        const size_t length = std::min<size_t>(argSize, kIOUserNotifyMaxMessageSize);
        append(content, argument, length);
        while (content.size() < sizeof(IOServiceInterestContent64)) {
            content.push_back(0);
        }
    }
    self->port_->send(notificationMessage(kIOServiceMessageNotificationType, self->reference_, content.data(),
                                          content.size()),
                      0);
    return kIOReturnSuccess;
}

}  // namespace openiokit::daemon
