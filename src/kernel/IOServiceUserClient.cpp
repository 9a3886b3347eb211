// IOService::newUserClient: the default that IOServiceOpen reaches (iokit-semantics.md §3.1
// step 2). Drivers rarely override it; they name their user client class in the
// IOUserClientClass property (usually from the personality) and this makes, initialises,
// attaches and starts one.
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

namespace {

// The IOUserClientClass property as a symbol. A string is converted once and the symbol stored
// back, as xnu does, so later opens find a symbol.
OSSharedPtr<const OSSymbol> copyUserClientClassName(IOService* service)
{
    OSSharedPtr<OSObject> property(service->copyProperty(gIOUserClientClassKey), OSNoRetain);
    if (const OSSymbol* symbol = OSDynamicCast(OSSymbol, property.get())) {
        return OSSharedPtr<const OSSymbol>(symbol, OSRetain);
    }
    if (const OSString* string = OSDynamicCast(OSString, property.get())) {
        OSSharedPtr<const OSSymbol> symbol(OSSymbol::withString(string), OSNoRetain);
        if (symbol) {
            service->setProperty(gIOUserClientClassKey, const_cast<OSSymbol*>(symbol.get()));
        }
        return symbol;
    }
    return nullptr;
}

}  // namespace

// The legacy overload: what drivers used to override. Nobody does now (api-census.md).
IOReturn IOService::newUserClient(task_t owningTask, void* securityID, UInt32 type, IOUserClient** handler)
{
    return kIOReturnUnsupported;
}

IOReturn IOService::newUserClient(task_t owningTask, void* securityID, UInt32 type, OSDictionary* properties,
                                  IOUserClient** handler)
{
    if (newUserClient(owningTask, securityID, type, handler) == kIOReturnSuccess) {
        return kIOReturnSuccess;
    }
    OSSharedPtr<const OSSymbol> className = copyUserClientClassName(this);
    if (!className) {
        return kIOReturnUnsupported;
    }
    OSSharedPtr<OSObject> object(OSMetaClass::allocClassWithName(className.get()), OSNoRetain);
    if (!object) {
        return kIOReturnNoMemory;
    }
    OSSharedPtr<IOUserClient> client(OSDynamicCast(IOUserClient, object.get()), OSRetain);
    if (!client) {
        return kIOReturnUnsupported;
    }
    if (!client->initWithTask(owningTask, securityID, type, properties)) {
        return kIOReturnBadArgument;
    }
    if (!client->attach(this)) {
        return kIOReturnUnsupported;  // e.g. this service is already inactive
    }
    if (!client->start(this)) {
        client->detach(this);
        return kIOReturnUnsupported;
    }
    *handler = client.detach();
    return kIOReturnSuccess;
}
