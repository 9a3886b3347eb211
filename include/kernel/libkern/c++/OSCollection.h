// <libkern/c++/OSCollection.h>: the abstract base of OSArray, OSDictionary, OSSet, OSOrderedSet.
//
// Every mutation calls haveUpdated(), which bumps `updateStamp`; an OSCollectionIterator
// remembers the stamp it started with and stops (isValid() false, getNextObject() NULL) once
// the collection has changed, until reset(). A collection marked kImmutable refuses every
// mutation (setObject & co. return false or do nothing) instead of panicking as xnu does.
// Collections are not thread-safe, as in xnu: callers lock around shared ones.
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

#include <type_traits>
#include <utility>

class OSDictionary;
class OSCollection;
typedef OSCollection* OSCollectionPtr;

template <typename T>
using OSCollectionTaggedPtr = T*;

class OSCollection : public OSObject {
    friend class OSCollectionIterator;

    OSDeclareAbstractStructors(OSCollection);

protected:
    unsigned int updateStamp;

private:
    unsigned int fOptions;

protected:
    // The iteration protocol OSCollectionIterator drives: `iterationContext` is
    // iteratorSize() bytes of storage (8-byte aligned) that initIterator() sets up and
    // getNextObjectForIterator() advances; the latter returns false at the end.
    virtual unsigned int iteratorSize() const = 0;
    virtual bool initIterator(void* iterationContext) const = 0;
    virtual bool getNextObjectForIterator(void* iterationContext, OSObject** nextObject) const = 0;

    bool init() APPLE_KEXT_OVERRIDE;

    // True (after logging) when the collection is immutable: mutators call it first and fail.
    bool refuseMutation() const;

public:
    typedef enum {
        kImmutable = 0x00000001,
        kSort = 0x00000002,
        kMASK = (unsigned)-1
    } _OSCollectionFlags;

    // Records a mutation (invalidates iterators).
    void haveUpdated();

    virtual unsigned int getCount() const = 0;
    virtual unsigned int getCapacity() const = 0;
    virtual unsigned int getCapacityIncrement() const = 0;
    virtual unsigned int setCapacityIncrement(unsigned increment) = 0;
    virtual unsigned int ensureCapacity(unsigned int newCapacity) = 0;
    virtual void flushCollection() = 0;

    // Sets the bits of `options` selected by `mask` and returns the previous options
    // (setOptions(0, 0) just reads them). The concrete collections pass changes on to the
    // collections they contain.
    virtual unsigned setOptions(unsigned options, unsigned mask, void* context = NULL);

    // A deep copy: contained collections are copied too (each once, so shared sub-collections
    // and cycles are preserved); other objects are shared. `cycleDict` maps originals to
    // copies, keyed by the original's address cast to a symbol, as in xnu.
    virtual OSCollection* copyCollection(OSDictionary* cycleDict = NULL);

    // Calls `callback` for each object until it returns true. Returns false if the collection
    // changed during the walk (the walk then stops).
    bool iterateObjects(void* refcon, bool (*callback)(void* refcon, OSObject* object));

    // Stands in for Apple's block overload (g++ has no blocks): any callable
    // `bool(OSObject*)`, for example a lambda.
    template <typename Callable>
    bool iterateObjects(Callable&& callable)
    {
        return iterateObjects(static_cast<void*>(&callable), [](void* refcon, OSObject* object) -> bool {
            return (*static_cast<std::remove_reference_t<Callable>*>(refcon))(object);
        });
    }
};
