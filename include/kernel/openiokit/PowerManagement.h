// OpenIOKit-internal power management entry points (not Apple API): the daemon's simulated
// system sleep and wake, and a barrier for tests. Semantics in IOServicePM*.cpp and
// docs/kernel-extras.md.
#pragma once

#include <IOKit/IOReturn.h>

namespace openiokit::pm {

// Simulated system sleep: root-domain interest clients get kIOMessageSystemWillSleep, then every
// registered driver is lowered to the highest state that needs no power from its parent,
// children before parents. Returns once every change has completed (or timed out).
IOReturn systemSleep();
// Simulated wake: kIOMessageSystemWillPowerOn, drivers raised parents before children, then
// kIOMessageSystemHasPoweredOn. Returns once every change has completed.
IOReturn systemWake();
bool isSystemAsleep();
// Waits until the PM thread has no queued work (tests).
void waitForIdle();

}  // namespace openiokit::pm
