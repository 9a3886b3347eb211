// <IOKit/pwr_mgt/RootDomain.h>: the root of the power tree (minimal: xnu's IOPMrootDomain does
// far more). IOService::getPMRootDomain() returns it; it is attached to the service plane root
// as "IOPMrootDomain" the first time it is asked for.
//
// System sleep and wake are simulated (openiokit::pm::systemSleep / systemWake, called by the
// daemon): interested clients of the root domain (registerInterest(gIOGeneralInterest) or
// gIOPriorityPowerStateInterest) receive kIOMessageSystemWillSleep before any driver is put to
// sleep and kIOMessageSystemHasPoweredOn once every driver is back on. The message argument is
// an IOPowerStateChangeNotification; acknowledgement is implied (allowPowerChange is accepted).
#pragma once

#include <IOKit/IOService.h>
#include <IOKit/pwr_mgt/IOPM.h>
#include <IOKit/pwr_mgt/IOPMpowerState.h>

// The argument of the system power messages (xnu IOMessage.h / IOPMLib.h shape).
struct IOPowerStateChangeNotification {
    void *powerRef;
    unsigned long returnValue;
    unsigned long stateNumber;
    IOPMPowerFlags stateFlags;
};
typedef struct IOPowerStateChangeNotification IOPowerStateChangeNotification;
typedef IOPowerStateChangeNotification sleepWakeNote;

class IOPMrootDomain : public IOService {
    OSDeclareDefaultStructors(IOPMrootDomain);

public:
    static IOPMrootDomain *construct(void);

    // Acknowledges a kIOMessageCanSystemSleep / SystemWillSleep; nothing waits for it here.
    virtual IOReturn allowPowerChange(unsigned long refNum);
    virtual IOReturn cancelPowerChange(unsigned long refNum);
    // Receives a power button / clamshell event: logged (the simulated system has none).
    virtual IOReturn receivePowerNotification(UInt32 msg);
    // Whether the simulated system is asleep.
    bool isSystemAsleep() const;
};
