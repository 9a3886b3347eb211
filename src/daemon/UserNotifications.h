// UserNotifications.h: the kernel objects behind IOServiceAddMatchingNotification and
// IOServiceAddInterestNotification (xnu's IOServiceUserNotification and
// IOServiceMessageUserNotification, iokit-semantics.md §3.6, §6).
//
// Matching: the kernel notifier's handler collects matched services (bounded, as xnu's
// kMaxOutstanding) and sends one ping to the notification port when the set goes from empty to
// non-empty while armed. The notification is not armed until the user drains the iterator, and
// each drain re-arms it (IOKitLib.h documents this). The ping carries the iterator's name.
//
// Interest: each message to the service is forwarded to the port as a
// kIOServiceMessageNotificationType message; the user's service name travels in the reference
// (slot kIOInterestCalloutServiceIndex), filled by IOKitLib as Apple's does.
#pragma once

#include "UserIterator.h"

#include <IOKit/IOService.h>
#include <IOKit/OSMessageNotification.h>
#include <openiokit/Task.h>

#include <deque>
#include <expected>
#include <memory>
#include <mutex>

namespace openiokit::daemon {

class MatchingNotification final : public UserIterator {
public:
    static constexpr size_t kMaxOutstanding = 1024;

    // Installs the kernel notifier; `matching` is not consumed. Pings go to `port` once the
    // caller has set the iterator's name (setName) and the user has drained the iterator.
    static std::expected<std::shared_ptr<MatchingNotification>, IOReturn> make(
        const OSSymbol* type, OSDictionary* matching, ipc_port* port, const OSAsyncReference64 reference);
    ~MatchingNotification() override;

    void setName(mach_port_name_t name);

    OSSharedPtr<OSObject> next() override;
    void reset() override {}
    bool isValid() override { return true; }

private:
    MatchingNotification(uint32_t msgType, ipc_port* port, const OSAsyncReference64 reference);
    static bool handler(void* target, void* refCon, IOService* newService, IONotifier* notifier);
    void collect(IOService* service);

    uint32_t msgType_;
    RefPtr<ipc_port> port_;
    OSAsyncReference64 reference_;
    IONotifier* notifier_ = nullptr;  // removed (and so released) by the destructor

    std::mutex lock_;
    std::deque<OSSharedPtr<IOService>> pending_;
    bool armed_ = false;
    mach_port_name_t name_ = 0;
};

class InterestNotification {
public:
    // kIOReturnUnsupported when the kernel refuses (inactive service, unknown interest type).
    static std::expected<std::shared_ptr<InterestNotification>, IOReturn> make(
        IOService* service, const OSSymbol* type, ipc_port* port, const OSAsyncReference64 reference);
    ~InterestNotification();
    InterestNotification(const InterestNotification&) = delete;
    InterestNotification& operator=(const InterestNotification&) = delete;

private:
    InterestNotification(ipc_port* port, const OSAsyncReference64 reference);
    static IOReturn handler(void* target, void* refCon, UInt32 messageType, IOService* provider, void* argument,
                            vm_size_t argSize);

    RefPtr<ipc_port> port_;
    OSAsyncReference64 reference_;
    IONotifier* notifier_ = nullptr;
};

}  // namespace openiokit::daemon
