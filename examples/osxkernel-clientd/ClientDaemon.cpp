#include "ClientDaemon.h"

#include "DriverInterface.h"

#include <IOKit/IOMessage.h>
#include <mach/mach.h>

#include <cstdio>
#include <cstring>

namespace clientd {

namespace {

std::string hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

std::string messageName(uint32_t type)
{
    switch (type) {
    case kIOMessageServiceIsTerminated: return "kIOMessageServiceIsTerminated";
    case kIOMessageServiceIsSuspended: return "kIOMessageServiceIsSuspended";
    case kIOMessageServiceIsResumed: return "kIOMessageServiceIsResumed";
    case kIOMessageServiceIsRequestingClose: return "kIOMessageServiceIsRequestingClose";
    case kIOMessageServiceWasClosed: return "kIOMessageServiceWasClosed";
    case kIOMessageServiceBusyStateChange: return "kIOMessageServiceBusyStateChange";
    default: return hex(type);
    }
}

// The connection no longer reaches the driver: its port was destroyed when the driver or the
// device terminated (§3.7), or the driver refuses calls while it is leaving.
bool connectionGone(kern_return_t result)
{
    return result == MACH_SEND_INVALID_DEST || result == kIOReturnNotAttached || result == kIOReturnBadArgument;
}

}  // namespace

ClientDaemon::ClientDaemon(Options options, EventLog log) : options_(std::move(options)), log_(std::move(log)) {}

ClientDaemon::~ClientDaemon()
{
    disconnect(nullptr);
    if (matchIterator_) {
        IOObjectRelease(matchIterator_);
    }
    if (port_) {
        IONotificationPortDestroy(port_);
    }
}

bool ClientDaemon::start()
{
    port_ = IONotificationPortCreate(kIOMainPortDefault);
    if (!port_) {
        log_.write("error", "what=\"IONotificationPortCreate failed\"");
        return false;
    }
    CFRunLoopAddSource(CFRunLoopGetCurrent(), IONotificationPortGetRunLoopSource(port_), kCFRunLoopDefaultMode);
    const kern_return_t result =
        IOServiceAddMatchingNotification(port_, kIOFirstMatchNotification, IOServiceMatching(kOSXKernelDriverClassName),
                                         &ClientDaemon::matched, this, &matchIterator_);
    if (result != KERN_SUCCESS) {
        log_.write("error", "what=\"IOServiceAddMatchingNotification failed\" " + EventLog::result(result));
        return false;
    }
    log_.write("waiting", "class=" kOSXKernelDriverClassName);
    drainMatches();  // the drivers that exist already; draining also arms the notification
    return true;
}

void ClientDaemon::shutdown(const char* reason)
{
    if (finished_) {
        return;
    }
    finished_ = true;
    log_.write("shutdown", std::string("reason=") + reason);
    disconnect("shutdown");
    CFRunLoopStop(CFRunLoopGetCurrent());
}

// --- Matching -----------------------------------------------------------------------------------

void ClientDaemon::matched(void* refcon, io_iterator_t)
{
    static_cast<ClientDaemon*>(refcon)->drainMatches();
}

void ClientDaemon::drainMatches()
{
    while (io_service_t service = IOIteratorNext(matchIterator_)) {
        uint64_t id = 0;
        IORegistryEntryGetRegistryEntryID(service, &id);
        if (finished_ || (connect_ && !connectionDead_)) {
            IOObjectRelease(service);  // one driver at a time
            continue;
        }
        if (connect_) {
            // A new driver while the old connection still waits for its termination message:
            // that message can no longer matter.
            disconnect("replaced");
        }
        log_.write("matched", "service=" + hex(id));
        if (!connect(service)) {
            IOObjectRelease(service);
            log_.write("waiting", "class=" kOSXKernelDriverClassName);
        }
    }
}

bool ClientDaemon::connect(io_service_t service)
{
    io_connect_t connect = IO_OBJECT_NULL;
    const kern_return_t opened = IOServiceOpen(service, mach_task_self(), kOSXKernelDriverConnectType, &connect);
    if (opened != KERN_SUCCESS) {
        // The driver is leaving (its last client just closed) or was terminated: wait for the next.
        log_.write("open-failed", EventLog::result(opened));
        return false;
    }
    io_object_t interest = IO_OBJECT_NULL;
    const kern_return_t watched =
        IOServiceAddInterestNotification(port_, service, kIOGeneralInterest, &ClientDaemon::interest, this, &interest);
    if (watched != KERN_SUCCESS) {
        // The driver became inactive between the open and now (§3.7: Unsupported).
        log_.write("interest-failed", EventLog::result(watched));
        IOServiceClose(connect);
        return false;
    }
    service_ = service;
    connect_ = connect;
    interest_ = interest;
    connectionDead_ = false;
    IORegistryEntryGetRegistryEntryID(service, &serviceID_);
    log_.write("opened", "service=" + hex(serviceID_));
    if (options_.mapStatus) {
        reportStatusPage();
    }
    CFRunLoopTimerContext context{0, this, nullptr, nullptr, nullptr};
    const double interval = options_.intervalSeconds > 0 ? options_.intervalSeconds : 0.0005;
    timer_ = CFRunLoopTimerCreate(kCFAllocatorDefault, CFAbsoluteTimeGetCurrent(), interval, 0, 0, &ClientDaemon::tick,
                                  &context);
    CFRunLoopAddTimer(CFRunLoopGetCurrent(), timer_, kCFRunLoopDefaultMode);
    if (options_.waitEvents) {
        armWaitForEvent();
    }
    return true;
}

void ClientDaemon::disconnect(const char* why)
{
    if (timer_) {
        CFRunLoopTimerInvalidate(timer_);
        CFRelease(timer_);
        timer_ = nullptr;
    }
    if (connect_) {
        if (statusAddress_) {
            IOConnectUnmapMemory64(connect_, kOSXKernelMemoryTypeStatus, mach_task_self(), statusAddress_);
            statusAddress_ = 0;
        }
        const kern_return_t closed = IOServiceClose(connect_);
        if (why) {
            log_.write("closed", "service=" + hex(serviceID_) + " why=" + why + " " + EventLog::result(closed));
        }
        connect_ = IO_OBJECT_NULL;
    }
    if (interest_) {
        IOObjectRelease(interest_);
        interest_ = IO_OBJECT_NULL;
    }
    if (service_) {
        IOObjectRelease(service_);
        service_ = IO_OBJECT_NULL;
    }
    connectionDead_ = false;
    waitPending_ = false;
}

// --- Interest messages ------------------------------------------------------------------------

void ClientDaemon::interest(void* refcon, io_service_t, uint32_t messageType, void* argument)
{
    auto* self = static_cast<ClientDaemon*>(refcon);
    self->log_.write("message", "type=" + messageName(messageType) + " argument=" +
                                    hex(reinterpret_cast<uintptr_t>(argument)) + " service=" + hex(self->serviceID_));
    if (messageType == kIOMessageServiceIsTerminated && self->connect_) {
        self->disconnect("terminated");
        if (!self->finished_) {
            self->log_.write("waiting", "class=" kOSXKernelDriverClassName);
        }
    }
}

// --- Calls ----------------------------------------------------------------------------------

void ClientDaemon::tick(CFRunLoopTimerRef, void* info)
{
    static_cast<ClientDaemon*>(info)->callDriver();
}

void ClientDaemon::callDriver()
{
    if (!connect_ || connectionDead_) {
        return;
    }
    tickCount_++;
    kern_return_t result;
    std::string details;
    if (tickCount_ % 2 == 1) {
        const uint64_t delta = 1;
        uint64_t value = 0;
        uint32_t count = 1;
        result = IOConnectCallScalarMethod(connect_, kOSXKernelMethodIncrement, &delta, 1, &value, &count);
        details = "selector=increment value=" + std::to_string(value);
    } else {
        char sent[64];
        const int length = std::snprintf(sent, sizeof sent, "%s #%llu", options_.name.c_str(),
                                         static_cast<unsigned long long>(tickCount_));
        char received[64] = {};
        size_t receivedSize = sizeof received;
        result = IOConnectCallStructMethod(connect_, kOSXKernelMethodEcho, sent, static_cast<size_t>(length),
                                           received, &receivedSize);
        const bool same = result == KERN_SUCCESS && receivedSize == static_cast<size_t>(length) &&
                          std::memcmp(sent, received, receivedSize) == 0;
        details = std::string("selector=echo same=") + (same ? "yes" : "no");
        if (result == KERN_SUCCESS && !same) {
            result = kIOReturnInternalError;  // the driver answered something else: report it as a failure
        }
    }
    log_.write(result == KERN_SUCCESS ? "call" : "call-failed", details + " " + EventLog::result(result));
    if (result == KERN_SUCCESS) {
        successfulCalls_++;
        if (options_.calls && successfulCalls_ >= options_.calls) {
            shutdown("calls-done");
        }
    } else if (connectionGone(result)) {
        // Wait for kIOMessageServiceIsTerminated, which closes and re-arms.
        connectionDead_ = true;
    }
}

void ClientDaemon::armWaitForEvent()
{
    if (!connect_ || waitPending_) {
        return;
    }
    uint64_t reference[kOSAsyncRef64Count] = {};
    reference[kIOAsyncCalloutFuncIndex] = reinterpret_cast<uintptr_t>(&ClientDaemon::eventCompleted);
    reference[kIOAsyncCalloutRefconIndex] = reinterpret_cast<uintptr_t>(this);
    const kern_return_t result =
        IOConnectCallAsyncScalarMethod(connect_, kOSXKernelMethodWaitForEvent, IONotificationPortGetMachPort(port_),
                                       reference, kOSAsyncRef64Count, nullptr, 0, nullptr, nullptr);
    if (result == KERN_SUCCESS) {
        waitPending_ = true;
        log_.write("wait-armed");
    } else {
        log_.write("wait-failed", EventLog::result(result));
    }
}

void ClientDaemon::eventCompleted(void* refcon, IOReturn result, void** args, uint32_t numArgs)
{
    auto* self = static_cast<ClientDaemon*>(refcon);
    self->waitPending_ = false;
    if (result == kIOReturnSuccess && numArgs >= 2) {
        self->log_.write("event", "count=" + std::to_string(reinterpret_cast<uintptr_t>(args[0])) +
                                      " total=" + std::to_string(reinterpret_cast<uintptr_t>(args[1])));
        self->armWaitForEvent();
    } else {
        // kIOReturnAborted: we closed, or the driver is terminating.
        self->log_.write("event-aborted", EventLog::result(result));
    }
}

void ClientDaemon::reportStatusPage()
{
    const kern_return_t result = IOConnectMapMemory64(connect_, kOSXKernelMemoryTypeStatus, mach_task_self(),
                                                      &statusAddress_, &statusSize_, kIOMapAnywhere | kIOMapReadOnly);
    if (result != KERN_SUCCESS || statusSize_ < sizeof(OSXKernelStatusPage)) {
        log_.write("status-failed", EventLog::result(result));
        statusAddress_ = 0;
        return;
    }
    const auto* page = reinterpret_cast<const OSXKernelStatusPage*>(static_cast<uintptr_t>(statusAddress_));
    log_.write("status", "version=" + std::to_string(page->version) + " clients=" +
                             std::to_string(__atomic_load_n(&page->clientCount, __ATOMIC_ACQUIRE)) +
                             " counter=" + std::to_string(__atomic_load_n(&page->counter, __ATOMIC_ACQUIRE)));
}

}  // namespace clientd
