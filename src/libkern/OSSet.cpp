// OSSet: distinct objects by pointer identity, kept in an OSArray (xnu libkern/c++/OSSet.cpp
// semantics).
#include <libkern/c++/OSSet.h>

#include <libkern/c++/OSArray.h>
#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSSerialize.h>

#include <vector>

OSDefineMetaClassAndStructors(OSSet, OSCollection);

namespace {
constexpr unsigned int kNotFound = (unsigned int)-1;
}

// --- Construction ------------------------------------------------------------------------------

OSSet* OSSet::withCapacity(unsigned int capacity)
{
    OSSet* me = new OSSet;
    if (me && !me->initWithCapacity(capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSSet* OSSet::withObjects(const OSObject* objects[], unsigned int count, unsigned int capacity)
{
    OSSet* me = new OSSet;
    if (me && !me->initWithObjects(objects, count, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSSet* OSSet::withArray(const OSArray* array, unsigned int capacity)
{
    OSSet* me = new OSSet;
    if (me && !me->initWithArray(array, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSSet* OSSet::withSet(const OSSet* set, unsigned int capacity)
{
    OSSet* me = new OSSet;
    if (me && !me->initWithSet(set, capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSSet::initWithCapacity(unsigned int capacity)
{
    if (!OSCollection::init()) {
        return false;
    }
    members.reset(OSArray::withCapacity(capacity), OSNoRetain);
    return members != nullptr;
}

bool OSSet::initWithObjects(const OSObject* objects[], unsigned int count, unsigned int capacity)
{
    if (!objects || (capacity && count > capacity)) {
        return false;
    }
    // Hold the objects first: `objects` may belong to this set's own storage.
    std::vector<OSSharedPtr<const OSObject>> incoming;
    incoming.reserve(count);
    for (unsigned int i = 0; i < count; i++) {
        if (!objects[i]) {
            return false;
        }
        incoming.emplace_back(objects[i], OSRetain);
    }
    if (!initWithCapacity(capacity ? capacity : count)) {
        return false;
    }
    for (const auto& object : incoming) {
        if (!containsObject(object.get()) && !setObject(object.get())) {
            return false;
        }
    }
    return true;
}

bool OSSet::initWithArray(const OSArray* array, unsigned int capacity)
{
    if (!array) {
        return false;
    }
    std::vector<const OSObject*> objects;
    objects.reserve(array->getCount() + 1);
    for (unsigned int i = 0; i < array->getCount(); i++) {
        objects.push_back(array->getObject(i));
    }
    objects.push_back(nullptr);  // keeps data() non-null for an empty array; not counted
    return initWithObjects(objects.data(), array->getCount(), capacity);
}

bool OSSet::initWithSet(const OSSet* set, unsigned int capacity)
{
    if (!set || !set->members) {
        return false;
    }
    // Keep the source's members alive across our own re-initialisation (set may be this).
    OSSharedPtr<OSArray> source = set->members;
    return initWithArray(source.get(), capacity);
}

void OSSet::free()
{
    // The array clears its own immutability when it goes.
    members.reset();
    OSCollection::free();
}

// --- Capacity ----------------------------------------------------------------------------------

unsigned int OSSet::getCount() const
{
    return members ? members->getCount() : 0;
}

unsigned int OSSet::getCapacity() const
{
    return members ? members->getCapacity() : 0;
}

unsigned int OSSet::getCapacityIncrement() const
{
    return members ? members->getCapacityIncrement() : 0;
}

unsigned int OSSet::setCapacityIncrement(unsigned increment)
{
    return members ? members->setCapacityIncrement(increment) : 0;
}

unsigned int OSSet::ensureCapacity(unsigned int newCapacity)
{
    return members ? members->ensureCapacity(newCapacity) : 0;
}

// --- Membership --------------------------------------------------------------------------------

void OSSet::flushCollection()
{
    if (!members || refuseMutation()) {
        return;
    }
    haveUpdated();
    members->flushCollection();
}

bool OSSet::setObject(const OSMetaClassBase* anObject)
{
    if (!members || !anObject || refuseMutation() || containsObject(anObject)) {
        return false;
    }
    haveUpdated();
    return members->setObject(anObject);
}

bool OSSet::setObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    return setObject(anObject.get());
}

bool OSSet::merge(const OSArray* array)
{
    if (!array || refuseMutation()) {
        return false;
    }
    bool result = true;
    // Index-based with a fresh count each time: `array` may be our own members.
    for (unsigned int i = 0; i < array->getCount(); i++) {
        const OSMetaClassBase* object = array->getObject(i);
        if (!containsObject(object) && !setObject(object)) {
            result = false;
        }
    }
    return result;
}

bool OSSet::merge(const OSSet* set)
{
    if (!set || !set->members) {
        return false;
    }
    return set == this ? !refuseMutation() : merge(set->members.get());
}

void OSSet::removeObject(const OSMetaClassBase* anObject)
{
    if (!members || !anObject || refuseMutation()) {
        return;
    }
    const unsigned int index = members->getNextIndexOfObject(anObject, 0);
    if (index != kNotFound) {
        haveUpdated();
        members->removeObject(index);
    }
}

void OSSet::removeObject(OSSharedPtr<const OSMetaClassBase> const& anObject)
{
    removeObject(anObject.get());
}

bool OSSet::containsObject(const OSMetaClassBase* anObject) const
{
    return anObject && member(anObject);
}

bool OSSet::member(const OSMetaClassBase* anObject) const
{
    return members && members->getNextIndexOfObject(anObject, 0) != kNotFound;
}

OSObject* OSSet::getAnyObject() const
{
    return members ? members->getObject(0) : nullptr;
}

bool OSSet::isEqualTo(const OSSet* aSet) const
{
    if (!aSet) {
        return false;
    }
    if (aSet == this) {
        return true;
    }
    if (aSet->getCount() != getCount()) {
        return false;
    }
    for (unsigned int i = 0; i < aSet->getCount(); i++) {
        const OSObject* theirs = aSet->members->getObject(i);
        if (containsObject(theirs)) {
            continue;
        }
        bool matched = false;
        for (unsigned int j = 0; j < getCount() && !matched; j++) {
            matched = members->getObject(j)->isEqualTo(theirs);
        }
        if (!matched) {
            return false;
        }
    }
    return true;
}

bool OSSet::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSSet* other = OSDynamicCast(OSSet, anObject);
    return other && isEqualTo(other);
}

// --- Iteration ---------------------------------------------------------------------------------

unsigned int OSSet::iteratorSize() const
{
    return sizeof(unsigned int);
}

bool OSSet::initIterator(void* iterator) const
{
    *static_cast<unsigned int*>(iterator) = 0;
    return true;
}

bool OSSet::getNextObjectForIterator(void* iterator, OSObject** ret) const
{
    unsigned int& next = *static_cast<unsigned int*>(iterator);
    *ret = members ? members->getObject(next) : nullptr;
    if (*ret) {
        next++;
    }
    return *ret != nullptr;
}

// --- Serialization, options, copies ------------------------------------------------------------

bool OSSet::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    if (!serializer->addXMLStartTag(this, "set")) {
        return false;
    }
    for (unsigned int i = 0; i < getCount(); i++) {
        if (!members->getObject(i)->serialize(serializer)) {
            return false;
        }
    }
    return serializer->addXMLEndTag("set");
}

unsigned OSSet::setOptions(unsigned options, unsigned mask, void*)
{
    const unsigned old = OSCollection::setOptions(options, mask);
    if (members && ((old ^ options) & mask)) {
        members->setOptions(options, mask);
    }
    return old;
}

OSCollection* OSSet::copyCollection(OSDictionary* cycleDict)
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
    OSSharedPtr<OSSet> copy(OSSet::withCapacity(getCapacity()), OSNoRetain);
    if (!copy) {
        return nullptr;
    }
    copy->setCapacityIncrement(getCapacityIncrement());
    cycleDict->setObject(reinterpret_cast<const OSSymbol*>(this), copy.get());
    for (unsigned int i = 0; i < getCount(); i++) {
        OSObject* object = members->getObject(i);
        OSSharedPtr<OSCollection> childCopy;
        if (OSCollection* child = OSDynamicCast(OSCollection, object)) {
            childCopy.reset(child->copyCollection(cycleDict), OSNoRetain);
            if (!childCopy) {
                return nullptr;
            }
            object = childCopy.get();
        }
        copy->setObject(object);
    }
    return copy.detach();
}
