// IORegistryIterator (xnu iokit/Kernel/IORegistryEntry.cpp semantics).
//
// The iterator is a stack of levels. Each level walks one entry's live link array (children,
// or parents with kIORegistryIterateParents) with an OSCollectionIterator, one step per call
// under the registry read lock. A step returns the next entry, retained by the level while it
// is current. Recursion (getNextObjectRecursive) enters each returned entry the first time it
// is seen, so the walk is depth first, pre-order, and visits an entry reachable by several
// paths once. When the array a level walks is changed by an attach or detach, the
// collection iterator stops; the registry iterator then marks itself invalid until reset() —
// xnu detects concurrent change through the link arrays' update stamps in the same way, rather
// than through the global generation count, so changes elsewhere in the registry do not disturb
// a walk.
#include <IOKit/IORegistryEntry.h>

#include "RegistryLock.h"

OSDefineMetaClassAndStructors(IORegistryIterator, OSIterator);

namespace registry = openiokit::registry;

IORegistryIterator* IORegistryIterator::iterateOver(IORegistryEntry* start, const IORegistryPlane* plane,
                                                    IOOptionBits options)
{
    if (!start || !plane) {
        return nullptr;
    }
    OSSharedPtr<IORegistryIterator> iter(new IORegistryIterator, OSNoRetain);
    if (!iter->init()) {
        return nullptr;
    }
    iter->root_.reset(start, OSRetain);
    iter->plane_ = plane;
    iter->options_ = options;
    iter->invalid_ = false;
    iter->levels_.push_back(Cursor{iter->root_, nullptr});
    return iter.detach();
}

IORegistryIterator* IORegistryIterator::iterateOver(const IORegistryPlane* plane, IOOptionBits options)
{
    return iterateOver(IORegistryEntry::getRegistryRoot(), plane, options);
}

bool IORegistryIterator::isValid(void)
{
    registry::ReadLocker locked;
    if (invalid_) {
        return false;
    }
    for (Cursor& level : levels_) {
        if (level.links && !level.links->isValid()) {
            return false;
        }
    }
    return true;
}

void IORegistryIterator::enterEntry(const IORegistryPlane* enterPlane)
{
    // The new level starts at the current entry; like xnu, the plane switch is not undone by
    // exitEntry.
    OSSharedPtr<IORegistryEntry> current = levels_.back().current;
    levels_.push_back(Cursor{current, nullptr});
    plane_ = enterPlane;
}

void IORegistryIterator::enterEntry(void)
{
    enterEntry(plane_);
}

bool IORegistryIterator::exitEntry(void)
{
    Cursor& level = levels_.back();
    if (level.links) {
        level.links.reset();
        level.current.reset();
    }
    if (levels_.size() == 1) {
        return false;
    }
    levels_.pop_back();
    return true;
}

void IORegistryIterator::reset(void)
{
    while (exitEntry()) {
    }
    done_.reset();
    levels_.back().current = root_;
    invalid_ = false;
}

void IORegistryIterator::free(void)
{
    levels_.clear();
    done_.reset();
    root_.reset();
    OSIterator::free();
}

IORegistryEntry* IORegistryIterator::getNextObjectFlat(void)
{
    // Whatever this level held as current is released only after the lock is dropped.
    OSSharedPtr<IORegistryEntry> previous;
    registry::ReadLocker locked;
    Cursor& level = levels_.back();
    if (!level.links) {
        // First step at this level: walk the current entry's links.
        if (isValid() && level.current) {
            OSArray* links = (options_ & kIORegistryIterateParents) ? level.current->getParentSetReference(plane_)
                                                                    : level.current->getChildSetReference(plane_);
            if (links) {
                level.links.reset(OSCollectionIterator::withCollection(links), OSNoRetain);
            }
        }
    }
    IORegistryEntry* next = nullptr;
    if (level.links) {
        next = static_cast<IORegistryEntry*>(level.links->getNextObject());
        if (!next && !level.links->isValid()) {
            invalid_ = true;
        }
    }
    previous = std::move(level.current);
    level.current.reset(next, OSRetain);
    return next;
}

IORegistryEntry* IORegistryIterator::getNextObjectRecursive(void)
{
    IORegistryEntry* next;
    do {
        next = getNextObjectFlat();
    } while (!next && exitEntry());

    if (next) {
        if (!done_) {
            done_.reset(OSOrderedSet::withCapacity(10), OSNoRetain);
        }
        if (done_ && done_->setObject(next)) {
            enterEntry();  // first visit: walk below it next
        }
    }
    return next;
}

IORegistryEntry* IORegistryIterator::getNextObject(void)
{
    return (options_ & kIORegistryIterateRecursively) ? getNextObjectRecursive() : getNextObjectFlat();
}

IORegistryEntry* IORegistryIterator::getCurrentEntry(void)
{
    return isValid() ? levels_.back().current.get() : nullptr;
}

OSOrderedSet* IORegistryIterator::iterateAll(void)
{
    reset();
    while (getNextObjectRecursive()) {
    }
    // xnu returns NULL when nothing was visited; an empty set is what its documentation
    // promises and what callers expect.
    if (!done_) {
        done_.reset(OSOrderedSet::withCapacity(1), OSNoRetain);
    }
    if (done_) {
        done_->retain();
    }
    return done_.get();
}
