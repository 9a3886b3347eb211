// <IOKit/pwr_mgt/IOPMpowerState.h>: one entry of a driver's power-state table
// (registerPowerDriver), as Apple declares it.
#pragma once

#include <IOKit/pwr_mgt/IOPM.h>

struct IOPMPowerState {
    unsigned long version;                 // kIOPMPowerStateVersion1 or 2
    IOPMPowerFlags capabilityFlags;        // what the device can do in this state
    IOPMPowerFlags outputPowerCharacter;   // power it gives its children (kIOPMPowerOn ...)
    IOPMPowerFlags inputPowerRequirement;  // power it needs from its parent
    unsigned long staticPower;
    unsigned long stateOrder;  // version 2 only
    unsigned long powerToAttain;
    unsigned long timeToAttain;
    unsigned long settleUpTime;
    unsigned long timeToLower;
    unsigned long settleDownTime;
    unsigned long powerDomainBudget;
};
typedef struct IOPMPowerState IOPMPowerState;

enum {
    kIOPMPowerStateVersion1 = 1,
    kIOPMPowerStateVersion2 = 2
};
