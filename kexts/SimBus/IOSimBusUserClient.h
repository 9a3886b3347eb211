// IOSimBusUserClient: the control connection to the simulated bus (simbusctl's). Selectors,
// arguments and codes are in SimBusUserClient.h. Plug, unplug and trigger change the system and
// are for an administrator only: whether the opening task is one is decided once, in
// initWithTask (as Apple's families do with clientHasPrivilege), and each of those calls from
// another task's connection is refused with kIOReturnNotPrivileged; list is open to everyone.
#pragma once

#include <IOKit/IOUserClient.h>

class IOSimBus;

class IOSimBusUserClient : public IOUserClient {
    OSDeclareDefaultStructors(IOSimBusUserClient);

public:
    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type) APPLE_KEXT_OVERRIDE;
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    void stop(IOService* provider) APPLE_KEXT_OVERRIDE;
    void free(void) APPLE_KEXT_OVERRIDE;
    IOReturn clientClose(void) APPLE_KEXT_OVERRIDE;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                            IOExternalMethodDispatch* dispatch, OSObject* target, void* reference) APPLE_KEXT_OVERRIDE;

private:
    static IOReturn sPlug(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sUnplug(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sList(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sTrigger(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static const IOExternalMethodDispatch sMethods[];

    // The bus, or NULL once stopped (then every call is kIOReturnNotAttached).
    IOSimBus* copyBus(void);

    IOLock* fLock;          // guards fBus
    IOSimBus* fBus;         // retained between start and stop
    bool fAdministrator;    // the opening task is root
};
