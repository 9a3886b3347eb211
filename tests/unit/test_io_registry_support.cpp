// Helpers shared by the registry tests (see test_io_registry_support.h). No tests here.
#include "test_io_registry_support.h"

#include <algorithm>

OSDefineMetaClassAndStructors(RegistryTestEntry, IORegistryEntry);

bool RegistryTestEntry::attachToChild(IORegistryEntry* child, const IORegistryPlane* plane)
{
    __atomic_add_fetch(&attachToChildCalls, 1, __ATOMIC_RELAXED);
    return IORegistryEntry::attachToChild(child, plane);
}

void RegistryTestEntry::detachFromChild(IORegistryEntry* child, const IORegistryPlane* plane)
{
    __atomic_add_fetch(&detachFromChildCalls, 1, __ATOMIC_RELAXED);
    IORegistryEntry::detachFromChild(child, plane);
}

namespace regtest {

const IORegistryPlane* plane(const char* name)
{
    const IORegistryPlane* found = IORegistryEntry::getPlane(name);
    return found ? found : IORegistryEntry::makePlane(name);  // made once, kept forever
}

OSSharedPtr<RegistryTestEntry> entry(const char* name, const char* location)
{
    OSSharedPtr<RegistryTestEntry> made = adopt(OSTypeAlloc(RegistryTestEntry));
    if (!made || !made->init()) {
        return nullptr;
    }
    if (name) {
        made->setName(name);
    }
    if (location) {
        made->setLocation(location);
    }
    return made;
}

unsigned int liveEntries()
{
    return RegistryTestEntry::metaClass->getInstanceCount();
}

std::string pathOf(const IORegistryEntry* entry, const IORegistryPlane* plane)
{
    char buffer[512];
    int length = sizeof buffer;
    if (!entry->getPath(buffer, &length, plane)) {
        return "<failed>";
    }
    return std::string(buffer, length);
}

std::string walk(IORegistryIterator* iter)
{
    std::string names;
    while (IORegistryEntry* next = iter->getNextObject()) {
        names += names.empty() ? "" : " ";
        names += next->getName();
    }
    return names;
}

ServiceRoot::ServiceRoot(const IORegistryPlane* plane) : plane_(plane), owned_(false)
{
    IORegistryEntry* registryRoot = IORegistryEntry::getRegistryRoot();
    root_ = adopt(registryRoot->copyChildEntry(plane));
    if (!root_) {
        root_ = entry("ServiceRoot");
        root_->attachToParent(registryRoot, plane);
        owned_ = true;
        return;
    }
    OSSharedPtr<OSIterator> children = adopt(root_->getChildIterator(plane));
    while (OSObject* child = children->getNextObject()) {
        childrenBefore_.push_back(OSSharedPtr<IORegistryEntry>(OSDynamicCast(IORegistryEntry, child), OSRetain));
    }
}

ServiceRoot::~ServiceRoot()
{
    if (owned_) {
        root_->detachAll(plane_);
        return;
    }
    OSSharedPtr<OSIterator> children = adopt(root_->getChildIterator(plane_));
    while (OSObject* object = children->getNextObject()) {
        IORegistryEntry* child = OSDynamicCast(IORegistryEntry, object);
        const bool before = std::any_of(childrenBefore_.begin(), childrenBefore_.end(),
                                        [child](const auto& kept) { return kept.get() == child; });
        if (!before) {
            child->detachAll(plane_);
        }
    }
}

}  // namespace regtest
