// OSCollectionIterator: walks an OSCollection through its iteration protocol, and notices when
// the collection changes underneath (xnu libkern/c++/OSCollectionIterator.cpp semantics).
#include <libkern/c++/OSCollectionIterator.h>

OSDefineMetaClassAndStructors(OSCollectionIterator, OSIterator);

OSCollectionIterator* OSCollectionIterator::withCollection(const OSCollection* inColl)
{
    OSCollectionIterator* me = new OSCollectionIterator;
    if (me && !me->initWithCollection(inColl)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSCollectionIterator::initWithCollection(const OSCollection* inColl)
{
    if (!inColl || !OSIterator::init()) {
        return false;
    }
    collection.reset(inColl, OSRetain);
    context_.reset();
    collIterator = nullptr;
    initialUpdateStamp = 0;
    valid = false;
    return true;
}

void OSCollectionIterator::free()
{
    collIterator = nullptr;
    context_.reset();
    collection.reset();
    OSIterator::free();
}

void OSCollectionIterator::reset()
{
    valid = false;
    if (!collection) {
        return;
    }
    if (!collIterator) {
        const unsigned int size = collection->iteratorSize();
        context_ = std::make_unique<unsigned long long[]>(size ? (size + 7) / 8 : 1);
        collIterator = context_.get();
    }
    if (!collection->initIterator(collIterator)) {
        return;
    }
    initialUpdateStamp = collection->updateStamp;
    valid = true;
}

bool OSCollectionIterator::isValid()
{
    if (!collIterator) {
        // First use: start at the beginning.
        reset();
        return valid;
    }
    return valid && collection->updateStamp == initialUpdateStamp;
}

OSObject* OSCollectionIterator::getNextObject()
{
    if (!isValid()) {
        return nullptr;
    }
    OSObject* next = nullptr;
    return collection->getNextObjectForIterator(collIterator, &next) ? next : nullptr;
}
