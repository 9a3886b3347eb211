// IOSimBusUserClient: simbusctl's connection to the bus (see IOSimBusUserClient.h).
#include "IOSimBusUserClient.h"

#include "IOSimBus.h"
#include "SimBusUserClient.h"

#include <IOKit/IOLib.h>
#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSUnserialize.h>

#include <cstring>

OSDefineMetaClassAndStructors(IOSimBusUserClient, IOUserClient);

const IOExternalMethodDispatch IOSimBusUserClient::sMethods[kIOSimBusMethodCount] = {
    // function, scalar in, struct in, scalar out, struct out
    {&IOSimBusUserClient::sPlug, 1, kIOUCVariableStructureSize, 1, 0},
    {&IOSimBusUserClient::sUnplug, 1, kIOUCVariableStructureSize, 0, 0},
    {&IOSimBusUserClient::sList, 1, 0, 2, kIOUCVariableStructureSize},
    {&IOSimBusUserClient::sTrigger, 1, kIOUCVariableStructureSize, 0, 0},
};

namespace {

// A device name passed as a structure: NUL-terminated within the structure, 1 to
// kIOSimBusMaxNameLength characters. NULL if it is not one.
const char* nameArgument(const IOExternalMethodArguments* arguments)
{
    const auto* bytes = static_cast<const char*>(arguments->structureInput);
    const size_t size = arguments->structureInputSize;
    if (!bytes || size < 2 || size > kIOSimBusMaxNameLength + 1) {
        return NULL;
    }
    const size_t length = strnlen(bytes, size);
    return (length == 0 || length == size) ? NULL : bytes;
}

}  // namespace

bool IOSimBusUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type)
{
    if (type != kIOSimBusConnectType) {
        IOLog("IOSimBusUserClient: unknown connect type %u\n", (unsigned)type);
        return false;
    }
    if (!IOUserClient::initWithTask(owningTask, securityToken, type)) {
        return false;
    }
    fLock = IOLockAlloc();
    fAdministrator = clientHasPrivilege(securityToken, kIOClientPrivilegeAdministrator) == kIOReturnSuccess;
    return fLock != NULL;
}

bool IOSimBusUserClient::start(IOService* provider)
{
    IOSimBus* bus = OSDynamicCast(IOSimBus, provider);
    if (!bus || !IOUserClient::start(provider)) {
        return false;
    }
    bus->retain();
    IOLockLock(fLock);
    fBus = bus;
    IOLockUnlock(fLock);
    return true;
}

void IOSimBusUserClient::stop(IOService* provider)
{
    IOLockLock(fLock);
    IOSimBus* bus = fBus;
    fBus = NULL;
    IOLockUnlock(fLock);
    OSSafeReleaseNULL(bus);
    IOUserClient::stop(provider);
}

void IOSimBusUserClient::free(void)
{
    OSSafeReleaseNULL(fBus);  // only if start succeeded and stop never ran
    if (fLock) {
        IOLockFree(fLock);
        fLock = NULL;
    }
    IOUserClient::free();
}

IOReturn IOSimBusUserClient::clientClose(void)
{
    // Nothing is held open on the bus; leaving is terminating this connection.
    terminate();
    return kIOReturnSuccess;
}

IOReturn IOSimBusUserClient::externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                            IOExternalMethodDispatch* dispatch, OSObject* target, void* reference)
{
    if (selector >= kIOSimBusMethodCount) {
        return kIOReturnBadArgument;
    }
    return IOUserClient::externalMethod(selector, arguments,
                                        const_cast<IOExternalMethodDispatch*>(&sMethods[selector]), this, NULL);
}

IOSimBus* IOSimBusUserClient::copyBus(void)
{
    IOLockLock(fLock);
    IOSimBus* bus = fBus;
    if (bus) {
        bus->retain();
    }
    IOLockUnlock(fLock);
    return bus;
}

IOReturn IOSimBusUserClient::sPlug(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<IOSimBusUserClient*>(target);
    if (!self->fAdministrator) {
        return kIOReturnNotPrivileged;
    }
    const auto* xml = static_cast<const char*>(arguments->structureInput);
    const size_t size = arguments->structureInputSize;
    if (!xml || size == 0 || size > kIOSimBusMaxPlugDescriptionSize) {
        return kIOReturnBadArgument;
    }
    OSString* error = NULL;
    OSObject* parsed = OSUnserializeXML(xml, size, &error);
    OSDictionary* description = OSDynamicCast(OSDictionary, parsed);
    OSString* name = description ? OSDynamicCast(OSString, description->getObject(kIOSimDeviceNameKey)) : NULL;
    OSObject* propertiesObject = description ? description->getObject(kIOSimDevicePropertiesKey) : NULL;
    OSDictionary* properties = OSDynamicCast(OSDictionary, propertiesObject);
    IOReturn result = kIOReturnBadArgument;
    if (!description) {
        IOLog("IOSimBusUserClient: plug description is not an XML dictionary%s%s\n", error ? ": " : "",
              error ? error->getCStringNoCopy() : "");
    } else if (!name) {
        IOLog("IOSimBusUserClient: plug description has no string %s\n", kIOSimDeviceNameKey);
    } else if (propertiesObject && !properties) {
        IOLog("IOSimBusUserClient: plug description's %s is not a dictionary\n", kIOSimDevicePropertiesKey);
    } else if (IOSimBus* bus = self->copyBus()) {
        uint64_t registryID = 0;
        result = bus->plugDevice(name->getCStringNoCopy(), properties, (IOOptionBits)arguments->scalarInput[0],
                                 &registryID);
        arguments->scalarOutput[0] = registryID;
        bus->release();
    } else {
        result = kIOReturnNotAttached;
    }
    OSSafeReleaseNULL(error);
    OSSafeReleaseNULL(parsed);
    return result;
}

IOReturn IOSimBusUserClient::sUnplug(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<IOSimBusUserClient*>(target);
    if (!self->fAdministrator) {
        return kIOReturnNotPrivileged;
    }
    const char* name = nameArgument(arguments);
    if (!name) {
        return kIOReturnBadArgument;
    }
    IOSimBus* bus = self->copyBus();
    if (!bus) {
        return kIOReturnNotAttached;
    }
    const IOReturn result = bus->unplugDevice(name, (IOOptionBits)arguments->scalarInput[0]);
    bus->release();
    return result;
}

IOReturn IOSimBusUserClient::sTrigger(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<IOSimBusUserClient*>(target);
    if (!self->fAdministrator) {
        return kIOReturnNotPrivileged;
    }
    const char* name = nameArgument(arguments);
    if (!name) {
        return kIOReturnBadArgument;
    }
    if (arguments->scalarInput[0] > UINT32_MAX) {
        return kIOReturnNoInterrupt;
    }
    IOSimBus* bus = self->copyBus();
    if (!bus) {
        return kIOReturnNotAttached;
    }
    const IOReturn result = bus->triggerInterrupt(name, (uint32_t)arguments->scalarInput[0]);
    bus->release();
    return result;
}

IOReturn IOSimBusUserClient::sList(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<IOSimBusUserClient*>(target);
    IOSimBus* bus = self->copyBus();
    if (!bus) {
        return kIOReturnNotAttached;
    }
    OSArray* all = bus->copyDeviceList();
    bus->release();
    if (!all) {
        return kIOReturnNoMemory;
    }
    const uint64_t first = arguments->scalarInput[0];
    const unsigned int total = all->getCount();
    arguments->scalarOutput[0] = total;
    arguments->scalarOutput[1] = 0;
    if (first >= total) {
        // Nothing from there on: an empty array, so the caller's loop ends cleanly.
        static const char kEmpty[] = "<array/>";
        if (arguments->structureOutputSize < sizeof(kEmpty)) {
            all->release();
            return kIOReturnNoSpace;
        }
        std::memcpy(arguments->structureOutput, kEmpty, sizeof(kEmpty));
        arguments->structureOutputSize = sizeof(kEmpty);
        all->release();
        return kIOReturnSuccess;
    }
    // As many whole entries as fit: start with all that remain and halve until the XML fits.
    IOReturn result = kIOReturnNoSpace;
    for (unsigned int count = total - (unsigned int)first; count > 0; count /= 2) {
        OSArray* page = OSArray::withCapacity(count);
        OSSerialize* xml = OSSerialize::withCapacity(512);
        for (unsigned int i = 0; page && i < count; i++) {
            page->setObject(all->getObject((unsigned int)first + i));
        }
        const bool serialized = page && xml && page->serialize(xml);
        if (serialized && xml->getLength() <= arguments->structureOutputSize) {
            std::memcpy(arguments->structureOutput, xml->text(), xml->getLength());
            arguments->structureOutputSize = xml->getLength();
            arguments->scalarOutput[1] = count;
            result = kIOReturnSuccess;
        } else if (!serialized) {
            result = kIOReturnNoMemory;
        }
        OSSafeReleaseNULL(page);
        OSSafeReleaseNULL(xml);
        if (result != kIOReturnNoSpace) {
            break;
        }
    }
    all->release();
    return result;
}
