// com_osxkernel_driverClient: one per client daemon (IOServiceOpen on com_osxkernel_driver).
// While it exists it holds a retain on its kext, which is what makes kextunload refuse
// (OSKextRetainKextWithLoadTag, taken in initWithTask, dropped at the end of free: the whole
// life of the object, so there is no moment when the kext looks unused but an instance of it
// still exists).
// clientClose / clientDied terminate it and tell the driver, which terminates itself after the
// last one. Selectors: osxkernel/DriverInterface.h.
#pragma once

#include <IOKit/IOUserClient.h>
#include <libkern/OSKextLib.h>

#include "DriverInterface.h"

class com_osxkernel_driver;

class com_osxkernel_driverClient : public IOUserClient {
    OSDeclareDefaultStructors(com_osxkernel_driverClient);

public:
    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type) APPLE_KEXT_OVERRIDE;
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    void stop(IOService* provider) APPLE_KEXT_OVERRIDE;
    bool terminate(IOOptionBits options = 0) APPLE_KEXT_OVERRIDE;
    bool willTerminate(IOService* provider, IOOptionBits options) APPLE_KEXT_OVERRIDE;
    void free(void) APPLE_KEXT_OVERRIDE;
    IOReturn clientClose(void) APPLE_KEXT_OVERRIDE;
    IOReturn clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory) APPLE_KEXT_OVERRIDE;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                            IOExternalMethodDispatch* dispatch, OSObject* target, void* reference) APPLE_KEXT_OVERRIDE;

    // The driver's interrupt: completes every pending wait with kIOReturnSuccess and
    // (count, total); returns how many. Any thread; sends outside the client's lock.
    uint32_t completeWaits(uint64_t count, uint64_t total);
    // Completes every pending wait with kIOReturnAborted.
    void abortWaits(void);
    // The driver this client serves, retained, or NULL once it left it.
    com_osxkernel_driver* copyDriver(void);

private:
    static IOReturn sIncrement(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sReadCounter(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sEcho(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sWaitForEvent(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static const IOExternalMethodDispatch sMethods[];

    // Takes the waits out under fLock and completes them outside it; returns how many.
    uint32_t finishWaits(IOReturn result, uint64_t count, uint64_t total);
    // Leaves the driver once (close or termination); returns whether this call did it.
    bool leaveDriver(com_osxkernel_driver** driver);

    IOLock* fLock;                  // guards fDriver, fWaits, fWaitCount
    com_osxkernel_driver* fDriver;  // retained from start until the client leaves
    OSAsyncReference64 fWaits[kOSXKernelMaxPendingWaits];  // pending "wait for event" references
    uint32_t fWaitCount;
    OSKextLoadTag fLoadTag;
    bool fRetainedKext;
};
