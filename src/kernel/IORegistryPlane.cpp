// IORegistryPlane and the plane table (xnu iokit/Kernel/IORegistryEntry.cpp: makePlane,
// getPlane, IORegistryPlane::serialize).
#include "IORegistryPlane.h"

#include "RegistryLock.h"

#include <libkern/c++/OSDictionary.h>

#include <cstring>
#include <string>

OSDefineMetaClassAndStructors(IORegistryPlane, OSObject);

namespace {

// name -> plane; guarded by the registry lock. Created on first use and never freed.
OSDictionary* planeTable()
{
    static OSDictionary* const table = OSDictionary::withCapacity(4);
    return table;
}

OSSharedPtr<const OSSymbol> symbolFor(const std::string& text)
{
    return OSSharedPtr<const OSSymbol>(OSSymbol::withCString(text.c_str()), OSNoRetain);
}

}  // namespace

IORegistryPlane* IORegistryPlane::withName(const char* name)
{
    if (!name) {
        return nullptr;
    }
    const std::string base(name, strnlen(name, kMaxNameLength));

    OSSharedPtr<IORegistryPlane> plane(new IORegistryPlane, OSNoRetain);
    if (!plane->init()) {
        return nullptr;
    }
    plane->nameKey_ = symbolFor(base);
    plane->parentLinksKey_ = symbolFor(base + "ParentLinks");
    plane->childLinksKey_ = symbolFor(base + "ChildLinks");
    plane->pathNameKey_ = symbolFor(base + "Name");
    plane->pathLocationKey_ = symbolFor(base + "Location");
    if (!plane->nameKey_ || !plane->parentLinksKey_ || !plane->childLinksKey_ || !plane->pathNameKey_ ||
        !plane->pathLocationKey_) {
        return nullptr;
    }
    return plane.detach();
}

bool IORegistryPlane::serialize(OSSerialize* serializer) const
{
    return nameKey_ && nameKey_->serialize(serializer);
}

void IORegistryPlane::free()
{
    nameKey_.reset();
    parentLinksKey_.reset();
    childLinksKey_.reset();
    pathNameKey_.reset();
    pathLocationKey_.reset();
    OSObject::free();
}

namespace openiokit::registry {

void addPlane(IORegistryPlane* plane)
{
    WriteLocker locked;
    planeTable()->setObject(plane->nameKey(), plane);
}

const IORegistryPlane* findPlane(const char* name)
{
    if (!name) {
        return nullptr;
    }
    ReadLocker locked;
    return OSDynamicCast(IORegistryPlane, planeTable()->getObject(name));
}

OSDictionary* copyPlaneTable()
{
    ReadLocker locked;
    return OSDictionary::withDictionary(planeTable());
}

}  // namespace openiokit::registry
