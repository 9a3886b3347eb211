// IOResources (iokit-semantics.md §4.3) and its creation at boot (initializeResources).
#include "IOResources.h"

#include "IOServiceMatchingInternal.h"

#include <atomic>

OSDefineMetaClassAndStructors(IOResources, IOService);

namespace {

std::atomic<IOService*> gIOResources{nullptr};  // kept for the life of the kernel

// The service root (the registry root's IOService child in the service plane), found without
// IOService::getServiceRoot(), which would re-enter IOService::initialize.
OSSharedPtr<IOService> findServiceRoot()
{
    OSSharedPtr<OSIterator> children(IORegistryEntry::getRegistryRoot()->getChildIterator(gIOServicePlane),
                                     OSNoRetain);
    while (children) {
        OSObject* child = children->getNextObject();
        if (!child) {
            break;
        }
        if (auto* service = OSDynamicCast(IOService, child)) {
            return OSSharedPtr<IOService>(service, OSRetain);
        }
    }
    return nullptr;
}

}  // namespace

IOService* IOResources::resources(void)
{
    auto* instance = new IOResources;
    if (instance && !instance->init()) {
        instance->release();
        return nullptr;
    }
    return instance;
}

bool IOResources::init(OSDictionary* dictionary)
{
    return IOService::init();
}

IOReturn IOResources::newUserClient(task_t owningTask, void* securityID, UInt32 type, OSDictionary* properties,
                                    IOUserClient** handler)
{
    return kIOReturnUnsupported;
}

bool IOResources::matchPropertyTable(OSDictionary* table)
{
    if (OSObject* wanted = table->getObject(gIOResourceMatchKey)) {
        auto present = [this](OSObject* name) {
            auto* string = OSDynamicCast(OSString, name);
            OSSharedPtr<OSObject> value(string ? copyProperty(string) : nullptr, OSNoRetain);
            return static_cast<bool>(value);
        };
        if (auto* collection = OSDynamicCast(OSCollection, wanted)) {
            bool ok = true;
            collection->iterateObjects([&](OSObject* name) {
                ok = present(name);
                return !ok;
            });
            return ok;
        }
        return present(wanted);
    }
    if (OSObject* wanted = table->getObject(gIOResourceMatchedKey)) {
        OSSharedPtr<OSObject> matchedKeys(copyProperty(gIOResourceMatchedKey), OSNoRetain);
        auto* keys = OSDynamicCast(OSArray, matchedKeys.get());
        return keys && keys->getNextIndexOfObject(wanted, 0) != static_cast<unsigned int>(-1);
    }
    return true;
}

namespace openiokit {

IOService* resourcesService()
{
    return gIOResources.load();
}

// Called once, by IOService::initialize, after it has attached the service root.
void initializeResources()
{
    ensureMatchingSymbols();
    IOCatalogue::initialize();
    OSSharedPtr<IOService> root = findServiceRoot();
    IOService* resources = IOResources::resources();
    if (!root || !resources || !resources->attachToParent(root.get(), gIOServicePlane)) {
        IOLog("IOService: cannot attach IOResources\n");
        if (resources) {
            resources->release();
        }
        return;
    }
    gIOResources.store(resources);
    publishIOKitResource(resources);
}

}  // namespace openiokit
