// IOSimDevice: the bus's nub (see IOSimDevice.h).
#include "IOSimDevice.h"

#include "SimBusUserClient.h"

#include <IOKit/IOLib.h>

#include <cstring>

OSDefineMetaClassAndStructors(IOSimDevice, IOService);

IOSimDevice* IOSimDevice::withDescription(const char* name, const char* location, OSDictionary* properties)
{
    if (!name || !*name || std::strlen(name) > kIOSimBusMaxNameLength || !location) {
        return NULL;
    }
    IOSimDevice* device = OSTypeAlloc(IOSimDevice);
    if (!device || !device->init()) {
        OSSafeReleaseNULL(device);
        return NULL;
    }
    if (properties) {
        // Each property is copied in as the user gave it; the registry makes collections
        // immutable once the nub is attached.
        OSCollectionIterator* keys = OSCollectionIterator::withCollection(properties);
        while (keys) {
            const OSSymbol* key = OSDynamicCast(OSSymbol, keys->getNextObject());
            if (!key) {
                break;
            }
            device->setProperty(key, properties->getObject(key));
        }
        OSSafeReleaseNULL(keys);
    }
    // The device's software interrupt sources, one specifier each, as a platform nub lists its
    // lines: IOService's interrupt API (registerInterrupt, causeInterrupt) serves these.
    OSArray* specifiers = OSArray::withCapacity(kIOSimDeviceInterruptCount);
    for (uint32_t source = 0; specifiers && source < kIOSimDeviceInterruptCount; source++) {
        OSData* specifier = OSData::withBytes(&source, sizeof(source));
        if (specifier) {
            specifiers->setObject(specifier);
            specifier->release();
        }
    }
    if (!specifiers || specifiers->getCount() != kIOSimDeviceInterruptCount) {
        OSSafeReleaseNULL(specifiers);
        device->release();
        return NULL;
    }
    device->setProperty(kIOInterruptSpecifiersKey, specifiers);
    specifiers->release();
    device->setName(name);
    device->setLocation(location);
    return device;
}
