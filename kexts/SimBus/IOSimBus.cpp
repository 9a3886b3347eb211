// IOSimBus: the simulated bus's controller (see IOSimBus.h, docs/simbus.md).
#include "IOSimBus.h"

#include "IOSimDevice.h"
#include "SimBusUserClient.h"

#include <IOKit/IOLib.h>

#include <cstdio>
#include <cstring>

OSDefineMetaClassAndStructors(IOSimBus, IOService);

namespace {

// The index of the device named `name` in `devices`, or -1.
int indexOfDevice(OSArray* devices, const char* name)
{
    for (unsigned int i = 0; i < devices->getCount(); i++) {
        const auto* device = static_cast<IOSimDevice*>(devices->getObject(i));
        if (std::strcmp(device->getName(), name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

}  // namespace

bool IOSimBus::start(IOService* provider)
{
    if (!IOService::start(provider)) {
        return false;
    }
    fLock = IOLockAlloc();
    fDevices = OSArray::withCapacity(8);
    if (!fLock || !fDevices) {
        return false;
    }
    // Published so that user space (simbusctl) finds it and opens IOSimBusUserClient.
    registerService();
    IOLog("IOSimBus: started\n");
    return true;
}

void IOSimBus::stop(IOService* provider)
{
    // The nubs are the bus's clients: termination stopped and detached them before this runs.
    IOLockLock(fLock);
    fStopped = true;
    fDevices->flushCollection();
    IOLockUnlock(fLock);
    IOLog("IOSimBus: stopped\n");
    IOService::stop(provider);
}

void IOSimBus::free(void)
{
    OSSafeReleaseNULL(fDevices);
    if (fLock) {
        IOLockFree(fLock);
        fLock = NULL;
    }
    IOService::free();
}

IOReturn IOSimBus::plugDevice(const char* name, OSDictionary* properties, IOOptionBits options, uint64_t* registryID)
{
    if (!name || !*name || std::strlen(name) > kIOSimBusMaxNameLength) {
        return kIOReturnBadArgument;
    }
    IOLockLock(fLock);
    if (fStopped || isInactive()) {
        IOLockUnlock(fLock);
        return kIOReturnNotAttached;
    }
    if (indexOfDevice(fDevices, name) >= 0) {
        IOLockUnlock(fLock);
        IOLog("IOSimBus: cannot plug %s: a device with that name is plugged\n", name);
        return kIOReturnExclusiveAccess;
    }
    if (fDevices->getCount() >= kIOSimBusMaxDevices) {
        IOLockUnlock(fLock);
        IOLog("IOSimBus: cannot plug %s: the bus holds %d devices already\n", name, kIOSimBusMaxDevices);
        return kIOReturnNoResources;
    }
    char location[16];
    std::snprintf(location, sizeof(location), "%x", ++fNextPort);
    IOSimDevice* device = IOSimDevice::withDescription(name, location, properties);
    if (!device) {
        IOLockUnlock(fLock);
        return kIOReturnNoMemory;
    }
    if (!device->attach(this)) {  // the bus is being terminated
        IOLockUnlock(fLock);
        device->release();
        return kIOReturnNotAttached;
    }
    fDevices->setObject(device);
    IOLockUnlock(fLock);

    *registryID = device->getRegistryEntryID();
    IOLog("IOSimBus: plugged %s at port %s\n", name, location);
    // Matching runs on a config thread unless the caller asked to wait for it. Our own reference
    // keeps the nub alive here even if it is unplugged at the same moment.
    device->registerService((options & kIOSimBusPlugOptionSynchronous) ? kIOServiceSynchronous : 0);
    device->release();
    return kIOReturnSuccess;
}

IOReturn IOSimBus::unplugDevice(const char* name, IOOptionBits options)
{
    IOLockLock(fLock);
    const int index = indexOfDevice(fDevices, name);
    if (index < 0) {
        IOLockUnlock(fLock);
        return kIOReturnNotFound;
    }
    auto* device = static_cast<IOSimDevice*>(fDevices->getObject((unsigned int)index));
    device->retain();
    fDevices->removeObject((unsigned int)index);  // the name is free again at once, as a port is
    IOLockUnlock(fLock);

    const bool async = (options & kIOSimBusUnplugOptionAsynchronous) != 0;
    IOLog("IOSimBus: unplugging %s%s\n", name, async ? " (asynchronous)" : "");
    // A device that vanished: terminate the nub, which terminates every driver above it. A
    // synchronous terminate returns once they have all stopped and detached.
    device->terminate(async ? 0 : kIOServiceSynchronous);
    if (!async) {
        IOLog("IOSimBus: unplugged %s\n", name);
    }
    device->release();
    return kIOReturnSuccess;
}

IOReturn IOSimBus::triggerInterrupt(const char* name, uint32_t source)
{
    if (source >= kIOSimDeviceInterruptCount) {
        return kIOReturnNoInterrupt;
    }
    IOSimDevice* device = copyDevice(name);
    if (!device) {
        return kIOReturnNotFound;
    }
    const IOReturn result = device->causeInterrupt((int)source);
    device->release();
    return result;
}

OSArray* IOSimBus::copyDeviceList(void)
{
    IOLockLock(fLock);
    OSArray* list = OSArray::withCapacity(fDevices->getCount() ? fDevices->getCount() : 1);
    for (unsigned int i = 0; list && i < fDevices->getCount(); i++) {
        auto* device = static_cast<IOSimDevice*>(fDevices->getObject(i));
        OSDictionary* entry = OSDictionary::withCapacity(3);
        OSString* name = OSString::withCString(device->getName());
        OSString* location = OSString::withCString(device->getLocation());
        OSNumber* id = OSNumber::withNumber(device->getRegistryEntryID(), 64);
        if (entry && name && location && id) {
            entry->setObject(kIOSimDeviceNameKey, name);
            entry->setObject(kIOSimDeviceLocationKey, location);
            entry->setObject(kIOSimDeviceRegistryIDKey, id);
            list->setObject(entry);
        }
        OSSafeReleaseNULL(entry);
        OSSafeReleaseNULL(name);
        OSSafeReleaseNULL(location);
        OSSafeReleaseNULL(id);
    }
    IOLockUnlock(fLock);
    return list;
}

IOSimDevice* IOSimBus::copyDevice(const char* name)
{
    IOLockLock(fLock);
    const int index = indexOfDevice(fDevices, name);
    IOSimDevice* device = index < 0 ? NULL : static_cast<IOSimDevice*>(fDevices->getObject((unsigned int)index));
    if (device) {
        device->retain();
    }
    IOLockUnlock(fLock);
    return device;
}
