// OSOrderedSet: distinct objects (by pointer) in an order (xnu libkern/c++/OSOrderedSet.cpp
// semantics; the ordering rule is described in the header).
#include <libkern/c++/OSOrderedSet.h>

#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSSerialize.h>

#include "OSCollectionStorage.h"

#include <utility>

OSDefineMetaClassAndStructors(OSOrderedSet, OSCollection);

using namespace libkern_internal;

OSOrderedSet* OSOrderedSet::withCapacity(unsigned int capacity, OSOrderFunction orderFunc, void* orderingContext)
{
    OSOrderedSet* me = new OSOrderedSet;
    if (me && !me->initWithCapacity(capacity, orderFunc, orderingContext)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSOrderedSet::initWithCapacity(unsigned int capacity, OSOrderFunction orderFunc, void* orderingContext)
{
    if (!OSCollection::init()) {
        return false;
    }
    std::vector<OSSharedPtr<const OSMetaClassBase>> previous = std::move(array_);
    array_.clear();
    if (!reserveElements(array_, capacity)) {
        return false;
    }
    capacity_ = capacity;
    capacityIncrement_ = incrementFor(capacity);
    ordering = orderFunc;
    orderingRef = orderingContext;
    return true;
}

void OSOrderedSet::free()
{
    OSCollection::setOptions(0, kImmutable);
    flushCollection();
    OSCollection::free();
}

// --- Capacity ----------------------------------------------------------------------------------

unsigned int OSOrderedSet::getCount() const
{
    return static_cast<unsigned int>(array_.size());
}

unsigned int OSOrderedSet::getCapacity() const
{
    return capacity_;
}

unsigned int OSOrderedSet::getCapacityIncrement() const
{
    return capacityIncrement_;
}

unsigned int OSOrderedSet::setCapacityIncrement(unsigned increment)
{
    capacityIncrement_ = incrementFor(increment);
    return capacityIncrement_;
}

unsigned int OSOrderedSet::ensureCapacity(unsigned int newCapacity)
{
    return growCapacity(array_, capacity_, capacityIncrement_, newCapacity);
}

bool OSOrderedSet::growFor(unsigned int newCount)
{
    return newCount >= getCount() && ensureCapacity(newCount) >= newCount;
}

// --- Mutation ----------------------------------------------------------------------------------

void OSOrderedSet::flushCollection()
{
    if (refuseMutation()) {
        return;
    }
    haveUpdated();
    std::vector<OSSharedPtr<const OSMetaClassBase>> doomed;
    doomed.swap(array_);
    reserveElements(array_, capacity_);
}

bool OSOrderedSet::setObject(unsigned int index, const OSMetaClassBase* anObject)
{
    if (!anObject || index > getCount() || refuseMutation() || containsObject(anObject) ||
        !growFor(getCount() + 1)) {
        return false;
    }
    haveUpdated();
    array_.insert(array_.begin() + index, OSSharedPtr<const OSMetaClassBase>(anObject, OSRetain));
    return true;
}

bool OSOrderedSet::setObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(index, anObject.get());
}

bool OSOrderedSet::setFirstObject(const OSMetaClassBase* anObject)
{
    return setObject(0, anObject);
}

bool OSOrderedSet::setFirstObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setFirstObject(anObject.get());
}

bool OSOrderedSet::setLastObject(const OSMetaClassBase* anObject)
{
    return setObject(getCount(), anObject);
}

bool OSOrderedSet::setLastObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setLastObject(anObject.get());
}

bool OSOrderedSet::setObject(const OSMetaClassBase* anObject)
{
    // Skip every element that orders at or before the new one (order(existing, new) >= 0), so
    // the new object goes behind its equals: ties keep insertion order. Without an order
    // function every comparison is 0 and the object is appended.
    unsigned int index = 0;
    if (ordering && anObject) {
        while (index < getCount() && ordering(array_[index].get(), anObject, orderingRef) >= 0) {
            index++;
        }
    } else {
        index = getCount();
    }
    return setObject(index, anObject);
}

bool OSOrderedSet::setObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(anObject.get());
}

void OSOrderedSet::removeObject(const OSMetaClassBase* anObject)
{
    if (!anObject || refuseMutation()) {
        return;
    }
    for (size_t i = 0; i < array_.size(); i++) {
        if (array_[i].get() == anObject) {
            haveUpdated();
            OSSharedPtr<const OSMetaClassBase> old = std::move(array_[i]);  // released on return
            array_.erase(array_.begin() + static_cast<long>(i));
            return;
        }
    }
}

void OSOrderedSet::removeObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    removeObject(anObject.get());
}

// --- Access ------------------------------------------------------------------------------------

bool OSOrderedSet::containsObject(const OSMetaClassBase* anObject) const
{
    return anObject && member(anObject);
}

bool OSOrderedSet::member(const OSMetaClassBase* anObject) const
{
    for (const auto& element : array_) {
        if (element.get() == anObject) {
            return true;
        }
    }
    return false;
}

OSObject* OSOrderedSet::getObject(unsigned int index) const
{
    if (index >= getCount()) {
        return nullptr;
    }
    return static_cast<OSObject*>(const_cast<OSMetaClassBase*>(array_[index].get()));
}

OSObject* OSOrderedSet::getFirstObject() const
{
    return getObject(0);
}

OSObject* OSOrderedSet::getLastObject() const
{
    return array_.empty() ? nullptr : getObject(getCount() - 1);
}

SInt32 OSOrderedSet::orderObject(const OSMetaClassBase* anObject)
{
    return ordering ? ordering(anObject, nullptr, orderingRef) : 0;
}

void* OSOrderedSet::getOrderingRef()
{
    return orderingRef;
}

bool OSOrderedSet::isEqualTo(const OSOrderedSet* anOrderedSet) const
{
    if (!anOrderedSet) {
        return false;
    }
    if (anOrderedSet == this) {
        return true;
    }
    if (anOrderedSet->getCount() != getCount()) {
        return false;
    }
    for (unsigned int i = 0; i < getCount(); i++) {
        if (!array_[i]->isEqualTo(anOrderedSet->getObject(i))) {
            return false;
        }
    }
    return true;
}

bool OSOrderedSet::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSOrderedSet* other = OSDynamicCast(OSOrderedSet, anObject);
    return other && isEqualTo(other);
}

// --- Iteration ---------------------------------------------------------------------------------

unsigned int OSOrderedSet::iteratorSize() const
{
    return sizeof(unsigned int);
}

bool OSOrderedSet::initIterator(void* iterator) const
{
    *static_cast<unsigned int*>(iterator) = 0;
    return true;
}

bool OSOrderedSet::getNextObjectForIterator(void* iterator, OSObject** ret) const
{
    unsigned int& next = *static_cast<unsigned int*>(iterator);
    *ret = getObject(next);
    if (*ret) {
        next++;
    }
    return *ret != nullptr;
}

// --- Serialization, options, copies ------------------------------------------------------------

// xnu's OSOrderedSet has no serialize() of its own and so writes "OSOrderedSet is not
// serializable"; here it is written as the array it behaves like, so registry properties that
// hold one stay readable.
bool OSOrderedSet::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    if (!serializer->addXMLStartTag(this, "array")) {
        return false;
    }
    for (const auto& element : array_) {
        if (!element->serialize(serializer)) {
            return false;
        }
    }
    return serializer->addXMLEndTag("array");
}

unsigned OSOrderedSet::setOptions(unsigned options, unsigned mask, void*)
{
    const unsigned old = OSCollection::setOptions(options, mask);
    if ((old ^ options) & mask) {
        for (const auto& element : array_) {
            if (OSCollection* child = OSDynamicCast(OSCollection, element.get())) {
                child->setOptions(options, mask);
            }
        }
    }
    return old;
}

OSCollection* OSOrderedSet::copyCollection(OSDictionary* cycleDict)
{
    OSSharedPtr<OSDictionary> ownCycleDict;
    if (!cycleDict) {
        ownCycleDict.reset(OSDictionary::withCapacity(16), OSNoRetain);
        if (!ownCycleDict) {
            return nullptr;
        }
        cycleDict = ownCycleDict.get();
    }
    if (OSCollection* already = OSCollection::copyCollection(cycleDict)) {
        return already;
    }
    OSSharedPtr<OSOrderedSet> copy(OSOrderedSet::withCapacity(capacity_, ordering, orderingRef), OSNoRetain);
    if (!copy) {
        return nullptr;
    }
    copy->capacityIncrement_ = capacityIncrement_;
    cycleDict->setObject(reinterpret_cast<const OSSymbol*>(this), copy.get());
    for (const auto& element : array_) {
        const OSMetaClassBase* object = element.get();
        OSSharedPtr<OSCollection> childCopy;
        if (OSCollection* child = OSDynamicCast(OSCollection, object)) {
            childCopy.reset(child->copyCollection(cycleDict), OSNoRetain);
            if (!childCopy) {
                return nullptr;
            }
            object = childCopy.get();
        }
        copy->setLastObject(object);
    }
    return copy.detach();
}
