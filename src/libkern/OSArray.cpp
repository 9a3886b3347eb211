// OSArray: an ordered list of retained objects (xnu libkern/c++/OSArray.cpp semantics).
#include <libkern/c++/OSArray.h>

#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSSerialize.h>

#include "OSCollectionStorage.h"

#include <utility>

OSDefineMetaClassAndStructors(OSArray, OSCollection);

using namespace libkern_internal;

// --- Construction ------------------------------------------------------------------------------

OSArray* OSArray::withCapacity(unsigned int capacity)
{
    OSArray* me = new OSArray;
    if (me && !me->initWithCapacity(capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSArray* OSArray::withObjects(const OSObject* objects[], unsigned int count, unsigned int capacity)
{
    OSArray* me = new OSArray;
    if (me && !me->initWithObjects(objects, count, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSArray* OSArray::withArray(const OSArray* array, unsigned int capacity)
{
    OSArray* me = new OSArray;
    if (me && !me->initWithArray(array, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSArray::initWithCapacity(unsigned int capacity)
{
    if (!OSCollection::init()) {
        return false;
    }
    std::vector<Element> previous = std::move(array_);  // re-initialisation drops old contents
    array_.clear();
    if (!reserveElements(array_, capacity)) {
        return false;
    }
    capacity_ = capacity;
    capacityIncrement_ = incrementFor(capacity);
    return true;
}

bool OSArray::initWithObjects(const OSObject* objects[], unsigned int count, unsigned int capacity)
{
    if (!objects || (capacity && count > capacity)) {
        return false;
    }
    // Take the references first: `objects` may point into this array's own storage.
    std::vector<Element> incoming;
    if (!reserveElements(incoming, count)) {
        return false;
    }
    for (unsigned int i = 0; i < count; i++) {
        if (!objects[i]) {
            return false;
        }
        incoming.emplace_back(objects[i], OSRetain);
    }
    return initWithElements(std::move(incoming), capacity);
}

bool OSArray::initWithArray(const OSArray* anArray, unsigned int capacity)
{
    if (!anArray || (capacity && anArray->getCount() > capacity)) {
        return false;
    }
    std::vector<Element> incoming;
    if (!reserveElements(incoming, anArray->getCount())) {
        return false;
    }
    incoming = anArray->array_;  // copying retains every element
    return initWithElements(std::move(incoming), capacity);
}

bool OSArray::initWithElements(std::vector<Element> incoming, unsigned int capacity)
{
    const unsigned int count = static_cast<unsigned int>(incoming.size());
    if (!initWithCapacity(capacity ? capacity : count)) {
        return false;
    }
    for (Element& element : incoming) {
        array_.push_back(std::move(element));
    }
    return true;
}

void OSArray::free()
{
    // As xnu: a collection being freed may be emptied even if it was marked immutable.
    OSCollection::setOptions(0, kImmutable);
    flushCollection();
    OSCollection::free();
}

// --- Capacity ----------------------------------------------------------------------------------

unsigned int OSArray::getCount() const
{
    return static_cast<unsigned int>(array_.size());
}

unsigned int OSArray::getCapacity() const
{
    return capacity_;
}

unsigned int OSArray::getCapacityIncrement() const
{
    return capacityIncrement_;
}

unsigned int OSArray::setCapacityIncrement(unsigned increment)
{
    capacityIncrement_ = incrementFor(increment);
    return capacityIncrement_;
}

unsigned int OSArray::ensureCapacity(unsigned int newCapacity)
{
    return growCapacity(array_, capacity_, capacityIncrement_, newCapacity);
}

bool OSArray::growFor(unsigned int newCount)
{
    return newCount >= getCount() && ensureCapacity(newCount) >= newCount;
}

// --- Mutation ----------------------------------------------------------------------------------

void OSArray::flushCollection()
{
    if (refuseMutation()) {
        return;
    }
    haveUpdated();
    // Empty the array before releasing anything: a release may run code that looks at it.
    std::vector<Element> doomed;
    doomed.swap(array_);
    reserveElements(array_, capacity_);
}

bool OSArray::setObject(const OSMetaClassBase* anObject)
{
    return setObject(getCount(), anObject);
}

bool OSArray::setObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(getCount(), anObject.get());
}

bool OSArray::setObject(unsigned int index, const OSMetaClassBase* anObject)
{
    if (!anObject || index > getCount() || refuseMutation() || !growFor(getCount() + 1)) {
        return false;
    }
    haveUpdated();
    array_.insert(array_.begin() + index, Element(anObject, OSRetain));
    return true;
}

bool OSArray::setObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(index, anObject.get());
}

bool OSArray::merge(const OSArray* otherArray)
{
    if (!otherArray || refuseMutation()) {
        return false;
    }
    const unsigned int otherCount = otherArray->getCount();
    if (!otherCount) {
        return true;
    }
    if (!growFor(getCount() + otherCount)) {
        return false;
    }
    haveUpdated();
    // Index-based: otherArray may be this array, whose storage does not move (reserved above).
    for (unsigned int i = 0; i < otherCount; i++) {
        array_.emplace_back(otherArray->array_[i].get(), OSRetain);
    }
    return true;
}

void OSArray::replaceObject(unsigned int index, const OSMetaClassBase* anObject)
{
    if (!anObject || index >= getCount() || refuseMutation()) {
        return;
    }
    haveUpdated();
    Element old = std::move(array_[index]);  // released on return, after the array is consistent
    array_[index].reset(anObject, OSRetain);
}

void OSArray::replaceObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    replaceObject(index, anObject.get());
}

void OSArray::removeObject(unsigned int index)
{
    if (index >= getCount() || refuseMutation()) {
        return;
    }
    haveUpdated();
    Element old = std::move(array_[index]);  // released on return, after the array is consistent
    array_.erase(array_.begin() + index);
}

// --- Access ------------------------------------------------------------------------------------

OSObject* OSArray::getObject(unsigned int index) const
{
    if (index >= getCount()) {
        return nullptr;
    }
    return static_cast<OSObject*>(const_cast<OSMetaClassBase*>(array_[index].get()));
}

OSObject* OSArray::getLastObject() const
{
    return array_.empty() ? nullptr : getObject(getCount() - 1);
}

unsigned int OSArray::getNextIndexOfObject(const OSMetaClassBase* anObject, unsigned int index) const
{
    for (unsigned int i = index; i < getCount(); i++) {
        if (array_[i].get() == anObject) {
            return i;
        }
    }
    return (unsigned int)-1;
}

bool OSArray::isEqualTo(const OSArray* anArray) const
{
    if (!anArray) {
        return false;
    }
    if (anArray == this) {
        return true;
    }
    if (anArray->getCount() != getCount()) {
        return false;
    }
    for (unsigned int i = 0; i < getCount(); i++) {
        if (!array_[i]->isEqualTo(anArray->getObject(i))) {
            return false;
        }
    }
    return true;
}

bool OSArray::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSArray* other = OSDynamicCast(OSArray, anObject);
    return other && isEqualTo(other);
}

// --- Iteration ---------------------------------------------------------------------------------

unsigned int OSArray::iteratorSize() const
{
    return sizeof(unsigned int);
}

bool OSArray::initIterator(void* iterator) const
{
    *static_cast<unsigned int*>(iterator) = 0;
    return true;
}

bool OSArray::getNextObjectForIterator(void* iterator, OSObject** ret) const
{
    unsigned int& next = *static_cast<unsigned int*>(iterator);
    *ret = getObject(next);
    if (*ret) {
        next++;
    }
    return *ret != nullptr;
}

// --- Serialization, options, copies ------------------------------------------------------------

bool OSArray::serialize(OSSerialize* serializer) const
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
    for (const Element& element : array_) {
        if (!element->serialize(serializer)) {
            return false;
        }
    }
    return serializer->addXMLEndTag("array");
}

unsigned OSArray::setOptions(unsigned options, unsigned mask, void*)
{
    const unsigned old = OSCollection::setOptions(options, mask);
    if ((old ^ options) & mask) {
        for (const Element& element : array_) {
            if (OSCollection* child = OSDynamicCast(OSCollection, element.get())) {
                child->setOptions(options, mask);
            }
        }
    }
    return old;
}

OSCollection* OSArray::copyCollection(OSDictionary* cycleDict)
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
        return already;  // this array was copied earlier in this walk (a shared or cyclic edge)
    }
    OSSharedPtr<OSArray> copy(OSArray::withArray(this), OSNoRetain);
    if (!copy) {
        return nullptr;
    }
    cycleDict->setObject(reinterpret_cast<const OSSymbol*>(this), copy.get());
    for (unsigned int i = 0; i < copy->getCount(); i++) {
        if (OSCollection* child = OSDynamicCast(OSCollection, copy->getObject(i))) {
            OSSharedPtr<OSCollection> childCopy(child->copyCollection(cycleDict), OSNoRetain);
            if (!childCopy) {
                return nullptr;
            }
            copy->replaceObject(i, childCopy.get());
        }
    }
    return copy.detach();
}
