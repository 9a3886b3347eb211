// IOSimDevice: a device plugged into the simulated bus. Like a USB or PCI nub it is an IOService
// with a name, a location (its port on the bus) and the properties its description gave, and
// it is registered for matching so drivers match on those properties. Drivers receive its
// software interrupts through IOInterruptEventSource: the nub lists kIOSimDeviceInterruptCount
// sources in IOInterruptSpecifiers, and IOService's interrupt API serves them (the bus raises
// one with causeInterrupt).
#pragma once

#include <IOKit/IOService.h>

class IOSimDevice : public IOService {
    OSDeclareDefaultStructors(IOSimDevice);

public:
    // A new, unattached nub named `name` at `location`, carrying a copy of every entry of
    // `properties` (may be NULL). NULL if the name is empty or too long.
    static IOSimDevice* withDescription(const char* name, const char* location, OSDictionary* properties);
};
