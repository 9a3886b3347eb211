// IORegistryEntry's topology: attach, detach and link queries (xnu
// iokit/Kernel/IORegistryEntry.cpp semantics).
//
// A link between parent P and child C in a plane is two array memberships: P is in C's
// "<plane>ParentLinks" array and C is in P's "<plane>ChildLinks" array, so while attached each
// holds a reference to the other. The arrays keep attach order (getParentEntry is the first
// parent) and are removed from the registry table when they become empty. All of it is guarded
// by the registry lock: readers take it shared, attach/detach take it exclusively, and nothing
// calls out (virtual methods, appliers) while holding it. Anything used after the lock is
// dropped is retained first.
#include <IOKit/IORegistryEntry.h>

#include "IORegistryInternal.h"
#include "IORegistryPlane.h"
#include "RegistryLock.h"

#include <cstring>

namespace registry = openiokit::registry;

namespace {

bool contains(const OSArray* links, const IORegistryEntry* entry)
{
    return links && links->getNextIndexOfObject(entry, 0) != (unsigned int)-1;
}

// A retained snapshot of a link array (empty when there are no links).
OSArray* snapshot(const OSArray* links)
{
    return links ? OSArray::withArray(links, links->getCount()) : OSArray::withCapacity(1);
}

void applyToAll(const OSArray* entries, IORegistryEntryApplierFunction applier, void* context)
{
    for (unsigned int index = 0; index < entries->getCount(); index++) {
        applier(static_cast<IORegistryEntry*>(entries->getObject(index)), context);
    }
}

}  // namespace

// --- Link arrays (registry lock held) ---------------------------------------------------------

OSArray* IORegistryEntry::getParentSetReference(const IORegistryPlane* plane) const
{
    return plane && fRegistryTable ? OSDynamicCast(OSArray, fRegistryTable->getObject(plane->parentLinksKey()))
                                   : nullptr;
}

OSArray* IORegistryEntry::getChildSetReference(const IORegistryPlane* plane) const
{
    return plane && fRegistryTable ? OSDynamicCast(OSArray, fRegistryTable->getObject(plane->childLinksKey()))
                                   : nullptr;
}

bool IORegistryEntry::makeLink(IORegistryEntry* to, const OSSymbol* linksKey)
{
    if (OSArray* links = OSDynamicCast(OSArray, fRegistryTable->getObject(linksKey))) {
        return contains(links, to) || links->setObject(to);
    }
    OSSharedPtr<OSArray> links(OSArray::withCapacity(1), OSNoRetain);
    return links && links->setObject(to) && fRegistryTable->setObject(linksKey, links.get());
}

void IORegistryEntry::breakLink(IORegistryEntry* to, const OSSymbol* linksKey)
{
    OSArray* links = OSDynamicCast(OSArray, fRegistryTable->getObject(linksKey));
    if (!links) {
        return;
    }
    const unsigned int index = links->getNextIndexOfObject(to, 0);
    if (index != (unsigned int)-1) {
        links->removeObject(index);
        if (links->getCount() == 0) {
            fRegistryTable->removeObject(linksKey);
        }
    }
}

// --- Attach and detach ------------------------------------------------------------------------

bool IORegistryEntry::attachToParent(IORegistryEntry* parent, const IORegistryPlane* plane)
{
    if (!parent || !plane || parent == this || !fRegistryTable || !parent->fRegistryTable) {
        return false;
    }
    bool ok;
    bool needParent;
    {
        registry::WriteLocker locked;
        if (fRegistryEntryID.load(std::memory_order_relaxed) == 0) {
            fRegistryEntryID.store(registry::nextEntryID(), std::memory_order_relaxed);
        }
        ok = makeLink(parent, plane->parentLinksKey());
        needParent = !contains(parent->getChildSetReference(plane), this);
        if (needParent) {
            ok &= parent->makeLink(this, plane->childLinksKey());
        }
    }
    // Once published, the entry's property collections may be read (serialized) by anyone.
    freezePropertyCollections();
    // Let the parent's override see the attach; its attachToParent call back finds both links
    // made and does nothing more.
    if (needParent) {
        ok &= parent->attachToChild(this, plane);
    }
    return ok;
}

bool IORegistryEntry::attachToChild(IORegistryEntry* child, const IORegistryPlane* plane)
{
    if (!child || !plane || child == this || !fRegistryTable || !child->fRegistryTable) {
        return false;
    }
    bool ok;
    bool needChild;
    {
        registry::WriteLocker locked;
        ok = makeLink(child, plane->childLinksKey());
        needChild = !contains(child->getParentSetReference(plane), this);
        if (needChild) {
            ok &= child->makeLink(this, plane->parentLinksKey());
        }
    }
    if (needChild) {
        ok &= child->attachToParent(this, plane);
    }
    return ok;
}

void IORegistryEntry::detachFromParent(IORegistryEntry* parent, const IORegistryPlane* plane)
{
    if (!parent || !plane || !fRegistryTable || !parent->fRegistryTable) {
        return;
    }
    // Breaking the links may drop the last references to either side; hold both until done.
    OSSharedPtr<IORegistryEntry> keepParent(parent, OSRetain);
    OSSharedPtr<IORegistryEntry> keepSelf(this, OSRetain);
    bool needParent;
    {
        registry::WriteLocker locked;
        breakLink(parent, plane->parentLinksKey());
        needParent = contains(parent->getChildSetReference(plane), this);
        if (needParent) {
            parent->breakLink(this, plane->childLinksKey());
        }
    }
    if (needParent) {
        parent->detachFromChild(this, plane);
    }
}

void IORegistryEntry::detachFromChild(IORegistryEntry* child, const IORegistryPlane* plane)
{
    if (!child || !plane || !fRegistryTable || !child->fRegistryTable) {
        return;
    }
    OSSharedPtr<IORegistryEntry> keepChild(child, OSRetain);
    OSSharedPtr<IORegistryEntry> keepSelf(this, OSRetain);
    bool needChild;
    {
        registry::WriteLocker locked;
        breakLink(child, plane->childLinksKey());
        needChild = contains(child->getParentSetReference(plane), this);
        if (needChild) {
            child->breakLink(this, plane->parentLinksKey());
        }
    }
    if (needChild) {
        child->detachFromParent(this, plane);
    }
}

void IORegistryEntry::detachAbove(const IORegistryPlane* plane)
{
    OSSharedPtr<IORegistryEntry> keepSelf(this, OSRetain);
    while (IORegistryEntry* parent = copyParentEntry(plane)) {
        detachFromParent(parent, plane);
        parent->release();
    }
}

void IORegistryEntry::detachAll(const IORegistryPlane* plane)
{
    OSSharedPtr<IORegistryIterator> iter(IORegistryIterator::iterateOver(this, plane, kIORegistryIterateRecursively),
                                         OSNoRetain);
    if (!iter) {
        return;
    }
    // The subtree, in pre-order, retained by the set; detached deepest-last-first, as in xnu.
    OSSharedPtr<OSOrderedSet> all(iter->iterateAll(), OSNoRetain);
    iter.reset();

    detachAbove(plane);
    while (all) {
        OSSharedPtr<IORegistryEntry> next(static_cast<IORegistryEntry*>(all->getLastObject()), OSRetain);
        if (!next) {
            break;
        }
        all->removeObject(next.get());
        next->detachAbove(plane);
    }
}

// --- Queries ----------------------------------------------------------------------------------

OSIterator* IORegistryEntry::getParentIterator(const IORegistryPlane* plane) const
{
    if (!plane) {
        return nullptr;
    }
    OSSharedPtr<OSArray> links;
    {
        registry::ReadLocker locked;
        links.reset(snapshot(getParentSetReference(plane)), OSNoRetain);
    }
    return links ? OSCollectionIterator::withCollection(links.get()) : nullptr;
}

OSIterator* IORegistryEntry::getChildIterator(const IORegistryPlane* plane) const
{
    if (!plane) {
        return nullptr;
    }
    OSSharedPtr<OSArray> links;
    {
        registry::ReadLocker locked;
        links.reset(snapshot(getChildSetReference(plane)), OSNoRetain);
    }
    return links ? OSCollectionIterator::withCollection(links.get()) : nullptr;
}

void IORegistryEntry::applyToParents(IORegistryEntryApplierFunction applier, void* context,
                                     const IORegistryPlane* plane) const
{
    if (!plane || !applier) {
        return;
    }
    OSSharedPtr<OSArray> links;
    {
        registry::ReadLocker locked;
        links.reset(snapshot(getParentSetReference(plane)), OSNoRetain);
    }
    if (links) {
        applyToAll(links.get(), applier, context);
    }
}

void IORegistryEntry::applyToChildren(IORegistryEntryApplierFunction applier, void* context,
                                      const IORegistryPlane* plane) const
{
    if (!plane || !applier) {
        return;
    }
    OSSharedPtr<OSArray> links;
    {
        registry::ReadLocker locked;
        links.reset(snapshot(getChildSetReference(plane)), OSNoRetain);
    }
    if (links) {
        applyToAll(links.get(), applier, context);
    }
}

IORegistryEntry* IORegistryEntry::copyParentEntry(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    OSArray* links = getParentSetReference(plane);
    IORegistryEntry* entry = links ? static_cast<IORegistryEntry*>(links->getObject(0)) : nullptr;
    if (entry) {
        entry->retain();
    }
    return entry;
}

IORegistryEntry* IORegistryEntry::copyChildEntry(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    OSArray* links = getChildSetReference(plane);
    IORegistryEntry* entry = links ? static_cast<IORegistryEntry*>(links->getObject(0)) : nullptr;
    if (entry) {
        entry->retain();
    }
    return entry;
}

// Borrowed, as in xnu: the link keeps the entry alive only while it lasts.
IORegistryEntry* IORegistryEntry::getParentEntry(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    OSArray* links = getParentSetReference(plane);
    return links ? static_cast<IORegistryEntry*>(links->getObject(0)) : nullptr;
}

IORegistryEntry* IORegistryEntry::getChildEntry(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    OSArray* links = getChildSetReference(plane);
    return links ? static_cast<IORegistryEntry*>(links->getObject(0)) : nullptr;
}

uint32_t IORegistryEntry::getChildCount(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    OSArray* links = getChildSetReference(plane);
    return links ? links->getCount() : 0;
}

bool IORegistryEntry::isChild(IORegistryEntry* child, const IORegistryPlane* plane, bool onlyChild) const
{
    if (!child) {
        return false;
    }
    registry::ReadLocker locked;
    OSArray* links = getChildSetReference(plane);
    if (!links || (onlyChild && links->getCount() != 1) || !contains(links, child)) {
        return false;
    }
    return contains(child->getParentSetReference(plane), this);
}

bool IORegistryEntry::isParent(IORegistryEntry* parent, const IORegistryPlane* plane, bool onlyParent) const
{
    if (!parent) {
        return false;
    }
    registry::ReadLocker locked;
    OSArray* links = getParentSetReference(plane);
    if (!links || (onlyParent && links->getCount() != 1) || !contains(links, parent)) {
        return false;
    }
    return contains(parent->getChildSetReference(plane), this);
}

bool IORegistryEntry::inPlane(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    if (plane) {
        return getParentSetReference(plane) != nullptr;
    }
    // Any plane: look for any "<plane>ParentLinks" key.
    bool found = false;
    if (fRegistryTable) {
        fRegistryTable->iterateObjects([&found](const OSSymbol* key, OSObject*) {
            const char* text = key->getCStringNoCopy();
            const size_t length = key->getLength();
            constexpr size_t suffixLength = sizeof("ParentLinks") - 1;
            found = length > suffixLength && std::strcmp(text + length - suffixLength, "ParentLinks") == 0;
            return found;
        });
    }
    return found;
}

unsigned int IORegistryEntry::getDepth(const IORegistryPlane* plane) const
{
    registry::ReadLocker locked;
    unsigned int depth = 1;
    const IORegistryEntry* next = this;
    while (const OSArray* parents = next->getParentSetReference(plane)) {
        const unsigned int count = parents->getCount();
        if (count == 1) {
            depth++;
            next = static_cast<const IORegistryEntry*>(parents->getObject(0));
            continue;
        }
        // Several parents: the deepest one counts.
        unsigned int deepest = 0;
        for (unsigned int index = 0; index < count; index++) {
            const unsigned int one = static_cast<const IORegistryEntry*>(parents->getObject(index))->getDepth(plane);
            deepest = one > deepest ? one : deepest;
        }
        depth += deepest;
        break;
    }
    return depth;
}
