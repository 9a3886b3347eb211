// <IOKit/pwr_mgt/IOPM.h>: power-management flags and return values, with Apple's names and
// values (xnu iokit/IOKit/pwr_mgt/IOPM.h): the parts drivers use with registerPowerDriver.
#pragma once

#include <IOKit/IOMessage.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>

enum {
    kIOPMMaxPowerStates = 10,
    IOPMMaxPowerStates = kIOPMMaxPowerStates
};

typedef unsigned long IOPMPowerFlags;

// IOPMPowerState capability / character / requirement flags.
enum {
    kIOPMPowerOn = 0x00000002,
    kIOPMDeviceUsable = 0x00008000,
    kIOPMLowPower = 0x00010000,
    kIOPMPreventIdleSleep = 0x00000040,
    kIOPMSleepCapability = 0x00000004,
    kIOPMRestartCapability = 0x00000080,
    kIOPMSleep = 0x00000001,
    kIOPMRestart = 0x00000080,
    kIOPMInitialDeviceState = 0x00000100,
    kIOPMRootDomainState = 0x00000200
};

enum {
    kIOPMClockNormal = 0x0004,
    kIOPMClockRunning = 0x0008,
    kIOPMPreventSystemSleep = 0x0010,
    kIOPMDoze = 0x0400,
    kIOPMChildClamp = 0x0080,
    kIOPMChildClamp2 = 0x0200,
    kIOPMNotPowerManaged = 0x0800
};

enum {
    kIOPMMaxPerformance = 0x4000,
    kIOPMPassThrough = 0x0100,
    kIOPMAuxPowerOn = 0x0020,
    kIOPMNotAttainable = 0x0001,
    kIOPMContextRetained = 0x2000,
    kIOPMConfigRetained = 0x1000,
    kIOPMStaticPowerValid = 0x0800,
    kIOPMSoftSleep = 0x0400,
    kIOPMCapabilitiesMask = kIOPMPowerOn | kIOPMDeviceUsable | kIOPMMaxPerformance | kIOPMContextRetained |
                            kIOPMConfigRetained | kIOPMSleepCapability | kIOPMRestartCapability
};

enum {
    IOPMNotAttainable = kIOPMNotAttainable,
    IOPMPowerOn = kIOPMPowerOn,
    IOPMClockNormal = kIOPMClockNormal,
    IOPMClockRunning = kIOPMClockRunning,
    IOPMAuxPowerOn = kIOPMAuxPowerOn,
    IOPMDeviceUsable = kIOPMDeviceUsable,
    IOPMMaxPerformance = kIOPMMaxPerformance,
    IOPMContextRetained = kIOPMContextRetained,
    IOPMConfigRetained = kIOPMConfigRetained,
    IOPMNotPowerManaged = kIOPMNotPowerManaged,
    IOPMSoftSleep = kIOPMSoftSleep
};

enum {
    kIOPMNextHigherState = 1,
    kIOPMHighestState = 2,
    kIOPMNextLowerState = 3,
    kIOPMLowestState = 4
};

enum {
    kIOPMUnknown = 0xFFFF
};

// What setPowerState & co return; also PM's own error values.
enum {
    kIOPMNoErr = 0,
    kIOPMAckImplied = 0,    // the change is done when the call returns
    kIOPMWillAckLater = 1,  // deprecated
    kIOPMBadSpecification = 4,
    kIOPMNoSuchState = 5,
    kIOPMCannotRaisePower = 6,
    kIOPMParameterError = 7,
    kIOPMNotYetInitialized = 8,  // PM state used before PMinit()

    IOPMNoErr = kIOPMNoErr,
    IOPMAckImplied = kIOPMAckImplied,
    IOPMWillAckLater = kIOPMWillAckLater,
    IOPMBadSpecification = kIOPMBadSpecification,
    IOPMNoSuchState = kIOPMNoSuchState,
    IOPMCannotRaisePower = kIOPMCannotRaisePower,
    IOPMParameterError = kIOPMParameterError,
    IOPMNotYetInitialized = kIOPMNotYetInitialized
};
