// OSCollection: update stamps, options and the generic iteration helpers.
#include <libkern/c++/OSCollection.h>

#include <libkern/c++/OSDictionary.h>

#include <cstdio>
#include <memory>

OSDefineMetaClassAndAbstractStructors(OSCollection, OSObject);

bool OSCollection::init()
{
    if (!OSObject::init()) {
        return false;
    }
    updateStamp = 0;
    return true;
}

void OSCollection::haveUpdated()
{
    // Mutators check refuseMutation() first, so reaching here while immutable means a subclass
    // (perhaps a kext's) changed an immutable collection: xnu panics; we note it and go on.
    if (fOptions & kImmutable) {
        std::fprintf(stderr, "libkern: a %s marked immutable was changed\n", getMetaClass()->getClassName());
    }
    updateStamp++;
}

bool OSCollection::refuseMutation() const
{
    return (fOptions & kImmutable) != 0;
}

unsigned OSCollection::setOptions(unsigned options, unsigned mask, void*)
{
    const unsigned old = fOptions;
    if (mask) {
        fOptions = (old & ~mask) | (options & mask);
    }
    return old;
}

OSCollection* OSCollection::copyCollection(OSDictionary* cycleDict)
{
    if (cycleDict) {
        // The copy already made of this collection, if any (keys are addresses, see the header).
        OSObject* copy = cycleDict->getObject(reinterpret_cast<const OSSymbol*>(this));
        if (copy) {
            copy->retain();
        }
        return static_cast<OSCollection*>(copy);
    }
    // A subclass without its own copyCollection: share this one, as xnu does.
    retain();
    return this;
}

bool OSCollection::iterateObjects(void* refcon, bool (*callback)(void* refcon, OSObject* object))
{
    if (!callback) {
        return false;
    }
    // iteratorSize() bytes of 8-byte-aligned storage, on the stack when small.
    unsigned long long small[4];
    std::unique_ptr<unsigned long long[]> large;
    const unsigned int size = iteratorSize();
    void* context = small;
    if (size > sizeof small) {
        large = std::make_unique<unsigned long long[]>((size + 7) / 8);
        context = large.get();
    }
    if (!initIterator(context)) {
        return false;
    }
    const unsigned int stamp = updateStamp;
    OSObject* object;
    while (getNextObjectForIterator(context, &object)) {
        if (callback(refcon, object) || stamp != updateStamp) {
            break;
        }
    }
    return stamp == updateStamp;
}
