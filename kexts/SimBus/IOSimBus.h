// IOSimBus: the simulated bus family's controller. It matches IOResources (a software bus has
// no hardware parent), publishes itself so user space can open IOSimBusUserClient on it, and
// keeps the devices currently plugged in, in plug order. Plugging makes an IOSimDevice nub and
// registers it for matching; unplugging terminates the nub as a USB or Thunderbolt family does
// when a device disappears. All of it through the public IOService API.
#pragma once

#include <IOKit/IOService.h>

class IOSimDevice;

class IOSimBus : public IOService {
    OSDeclareDefaultStructors(IOSimBus);

public:
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    void stop(IOService* provider) APPLE_KEXT_OVERRIDE;
    void free(void) APPLE_KEXT_OVERRIDE;

    // The operations behind IOSimBusUserClient's selectors (SimBusUserClient.h documents the
    // codes). `properties` may be NULL.
    IOReturn plugDevice(const char* name, OSDictionary* properties, IOOptionBits options, uint64_t* registryID);
    IOReturn unplugDevice(const char* name, IOOptionBits options);
    IOReturn triggerInterrupt(const char* name, uint32_t source);
    // The plugged devices as dictionaries (name, location, registry ID), in plug order. Retained.
    OSArray* copyDeviceList(void);

private:
    // The device named `name`, retained, or NULL. Takes fLock.
    IOSimDevice* copyDevice(const char* name);

    IOLock* fLock;         // guards fDevices, fNextPort and fStopped
    OSArray* fDevices;     // IOSimDevice, plug order; the bus's reference on each nub
    uint32_t fNextPort;    // locations are never reused, so a re-plug is visibly a new device
    bool fStopped;
};
