// ClientDaemon: the life of one osxkernel-clientd on its CFRunLoop.
//
//   Waiting ──(driver matched, IOServiceOpen ok)──▶ Connected ──(kIOMessageServiceIsTerminated)──▶ Waiting
//                                                      │  ▲                                          (close, re-wait)
//                                                      │  └─ timer: call the driver every --interval
//                                                      └────(SIGTERM / --once / --calls done)──▶ closed, run loop stops
//
// Waiting means a kIOFirstMatchNotification on IOServiceMatching("com_osxkernel_driver") is
// armed: the driver may not be loaded yet, may be leaving (its open is then refused and we wait
// for the next instance), or may come back after a re-plug. A call failing because the
// connection is dead (the driver terminated; iokit-semantics.md §3.7) stops the calls but the
// daemon still waits for the termination message before closing, so the message is never missed.
#pragma once

#include "EventLog.h"

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>

#include <cstdint>
#include <string>

namespace clientd {

struct Options {
    std::string name = "clientd";
    double intervalSeconds = 0.5;   // between two calls to the driver
    uint64_t calls = 0;             // exit after this many successful calls (0 = never)
    bool waitEvents = false;        // keep one "wait for event" request pending
    bool mapStatus = false;         // map the driver's status page and report its client count
};

class ClientDaemon {
public:
    ClientDaemon(Options options, EventLog log);
    ~ClientDaemon();
    ClientDaemon(const ClientDaemon&) = delete;
    ClientDaemon& operator=(const ClientDaemon&) = delete;

    // Arms the matching notification and opens a driver that already exists. false: IOKit
    // cannot be reached or refused the notification (logged).
    bool start();
    // Closes the connection (if any) and stops the run loop. Safe to call more than once.
    void shutdown(const char* reason);

    bool finished() const { return finished_; }

private:
    static void matched(void* refcon, io_iterator_t iterator);
    static void interest(void* refcon, io_service_t service, uint32_t messageType, void* argument);
    static void tick(CFRunLoopTimerRef timer, void* info);
    static void eventCompleted(void* refcon, IOReturn result, void** args, uint32_t numArgs);

    void drainMatches();
    bool connect(io_service_t service);
    void disconnect(const char* why);
    void callDriver();
    void armWaitForEvent();
    void reportStatusPage();

    Options options_;
    EventLog log_;
    IONotificationPortRef port_ = nullptr;
    io_iterator_t matchIterator_ = IO_OBJECT_NULL;
    io_service_t service_ = IO_OBJECT_NULL;   // the driver we are connected to
    io_connect_t connect_ = IO_OBJECT_NULL;
    io_object_t interest_ = IO_OBJECT_NULL;
    CFRunLoopTimerRef timer_ = nullptr;
    mach_vm_address_t statusAddress_ = 0;
    mach_vm_size_t statusSize_ = 0;
    uint64_t serviceID_ = 0;
    uint64_t tickCount_ = 0;
    uint64_t successfulCalls_ = 0;
    bool connectionDead_ = false;           // a call found the connection destroyed
    bool waitPending_ = false;
    bool finished_ = false;
};

}  // namespace clientd
