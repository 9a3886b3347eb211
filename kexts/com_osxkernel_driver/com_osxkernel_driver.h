// com_osxkernel_driver: the seed's driver, written so that it meets the seed's three goals with
// the public IOKit API only (docs/seed-answer.md):
//   R1  kextunload is refused while any client is connected: each user client holds a retain on
//       this kext (OSKextRetainKextWithLoadTag), so the kext is "in use" and kextunload fails
//       before a single service is terminated.
//   R2  when the last client goes (IOServiceClose or process death) the driver terminates
//       itself, and the kext, now unreferenced and without instances, auto-unloads.
//   R3  terminate() is never refused: when the device goes away, the driver and its clients
//       stop at once, pending waits are aborted and clients are told.
//
// Service: a counter shared by all clients, an echo, an asynchronous "wait for the device's
// interrupt", and a status page clients map read-only (osxkernel/DriverInterface.h).
// Threading: everything that changes the driver's state runs inside its work loop's gate.
#pragma once

#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOCommandGate.h>
#include <IOKit/IOInterruptEventSource.h>
#include <IOKit/IOService.h>
#include <IOKit/IOWorkLoop.h>

class com_osxkernel_driverClient;
struct OSXKernelStatusPage;

class com_osxkernel_driver : public IOService {
    OSDeclareDefaultStructors(com_osxkernel_driver);

public:
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    void stop(IOService* provider) APPLE_KEXT_OVERRIDE;
    bool terminate(IOOptionBits options = 0) APPLE_KEXT_OVERRIDE;
    void free(void) APPLE_KEXT_OVERRIDE;
    IOWorkLoop* getWorkLoop(void) const APPLE_KEXT_OVERRIDE;

    // --- For com_osxkernel_driverClient --------------------------------------------------------
    // A client finished starting: false (the open fails) once the driver is going away.
    bool clientOpened(com_osxkernel_driverClient* client);
    // A client closed or its process died. The last one makes the driver terminate itself.
    void clientClosed(com_osxkernel_driverClient* client);
    // A client is leaving without a close (the driver or the device is terminating).
    void clientGone(com_osxkernel_driverClient* client);
    uint64_t addToCounter(uint64_t delta);
    uint64_t readCounter(void);
    // The status page (retained), for clientMemoryForType.
    IOMemoryDescriptor* copyStatusMemory(void);

private:
    static void interruptOccurred(OSObject* owner, IOInterruptEventSource* sender, int count);
    // Gated halves of the client calls above (IOCommandGate::Action).
    static IOReturn gatedClientOpened(OSObject* owner, void* client, void*, void*, void*);
    static IOReturn gatedClientLeft(OSObject* owner, void* client, void* closed, void* terminateNow, void*);
    static IOReturn gatedAdd(OSObject* owner, void* delta, void* result, void*, void*);
    // Bumps the status page's generation after an update. Gate held.
    void publishStatusLocked(void);

    IOWorkLoop* fWorkLoop;
    IOCommandGate* fGate;
    IOInterruptEventSource* fInterruptSource;
    IOBufferMemoryDescriptor* fStatusMemory;
    OSXKernelStatusPage* fStatus;   // inside fStatusMemory
    OSArray* fClients;              // the open clients, in open order
    uint64_t fCounter;
    uint64_t fInterrupts;
    bool fLeaving;                  // the last client left: no new client may open
};
