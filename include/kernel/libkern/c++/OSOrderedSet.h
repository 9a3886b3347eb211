// <libkern/c++/OSOrderedSet.h>: distinct objects (by pointer), kept in an order.
//
// Without an order function, setObject appends. With one, setObject(obj) inserts obj before
// the first element E for which orderFunc(E, obj, context) < 0, i.e. after every element that
// orders at or before it: orderFunc(a, b) > 0 means "a comes before b", and equal elements
// keep their insertion order. IOService's probe-score ordering relies on this (higher score
// first, ties first-come first-served). setFirstObject, setLastObject and setObject(index, ..)
// place an object explicitly, ignoring the function.
#pragma once

#include <libkern/OSTypes.h>
#include <libkern/c++/OSCollection.h>
#include <libkern/c++/OSPtr.h>

#include <vector>

class OSOffset;
class OSOrderedSet;
typedef OSOrderedSet* OSOrderedSetPtr;

class OSOrderedSet : public OSCollection {
    OSDeclareDefaultStructors(OSOrderedSet);

public:
    typedef SInt32 (*OSOrderFunction)(const OSMetaClassBase* obj1, const OSMetaClassBase* obj2, void* context);

protected:
    OSOrderFunction ordering;
    void* orderingRef;

    unsigned int iteratorSize() const APPLE_KEXT_OVERRIDE;
    bool initIterator(void* iterator) const APPLE_KEXT_OVERRIDE;
    bool getNextObjectForIterator(void* iterator, OSObject** ret) const APPLE_KEXT_OVERRIDE;

public:
    static OSOrderedSet* withCapacity(unsigned int capacity, OSOrderFunction orderFunc = NULL,
                                      void* orderingContext = NULL);
    virtual bool initWithCapacity(unsigned int capacity, OSOrderFunction orderFunc = NULL,
                                  void* orderingContext = NULL);

    void free() APPLE_KEXT_OVERRIDE;

    unsigned int getCount() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacity() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacityIncrement() const APPLE_KEXT_OVERRIDE;
    unsigned int setCapacityIncrement(unsigned increment) APPLE_KEXT_OVERRIDE;
    unsigned int ensureCapacity(unsigned int newCapacity) APPLE_KEXT_OVERRIDE;
    void flushCollection() APPLE_KEXT_OVERRIDE;

    // Inserts in order (see above); false for NULL or an object already present.
    virtual bool setObject(const OSMetaClassBase* anObject);
    bool setObject(OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual bool setFirstObject(const OSMetaClassBase* anObject);
    bool setFirstObject(OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual bool setLastObject(const OSMetaClassBase* anObject);
    bool setLastObject(OSSharedPtr<const OSMetaClassBase> const& anObject);

    virtual void removeObject(const OSMetaClassBase* anObject);
    void removeObject(OSSharedPtr<const OSMetaClassBase> const& anObject);

    virtual bool containsObject(const OSMetaClassBase* anObject) const;
    virtual bool member(const OSMetaClassBase* anObject) const;

    virtual OSObject* getFirstObject() const;
    virtual OSObject* getLastObject() const;

    // orderFunc(anObject, NULL, context), or 0 without an order function (as xnu).
    virtual SInt32 orderObject(const OSMetaClassBase* anObject);

    // Inserts at `index` (0..count).
    virtual bool setObject(unsigned int index, const OSMetaClassBase* anObject);
    bool setObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual OSObject* getObject(unsigned int index) const;
    virtual void* getOrderingRef();

    // Same count and element-wise isEqualTo, in order.
    virtual bool isEqualTo(const OSOrderedSet* anOrderedSet) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // <array ID="n">elements</array> (xnu has no serialize of its own here; see OSOrderedSet.cpp).
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

    unsigned setOptions(unsigned options, unsigned mask, void* context = NULL) APPLE_KEXT_OVERRIDE;
    OSCollection* copyCollection(OSDictionary* cycleDict = NULL) APPLE_KEXT_OVERRIDE;

private:
    bool growFor(unsigned int newCount);

    std::vector<OSSharedPtr<const OSMetaClassBase>> array_;
    unsigned int capacity_;
    unsigned int capacityIncrement_;
};
