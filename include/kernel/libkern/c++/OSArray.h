// <libkern/c++/OSArray.h>: an ordered, growable list of retained objects.
//
// As in xnu: inserting retains the object, removing or replacing releases it, free() releases
// everything; NULL objects and indexes past the end are refused; identity (getNextIndexOfObject)
// is by pointer, equality (isEqualTo) element by element with isEqualTo.
#pragma once

#include <libkern/c++/OSCollection.h>
#include <libkern/c++/OSPtr.h>

#include <vector>

class OSSerialize;
class OSArray;
typedef OSArray* OSArrayPtr;

class OSArray : public OSCollection {
    friend class OSSet;
    friend class OSSerialize;

    OSDeclareDefaultStructors(OSArray);

protected:
    unsigned int iteratorSize() const APPLE_KEXT_OVERRIDE;
    bool initIterator(void* iterator) const APPLE_KEXT_OVERRIDE;
    bool getNextObjectForIterator(void* iterator, OSObject** ret) const APPLE_KEXT_OVERRIDE;

public:
    // capacity 0 is allowed; the capacity increment is the initial capacity, or 16.
    static OSArray* withCapacity(unsigned int capacity);
    static OSArray* withObjects(const OSObject* objects[], unsigned int count, unsigned int capacity = 0);
    static OSArray* withArray(const OSArray* array, unsigned int capacity = 0);

    virtual bool initWithCapacity(unsigned int capacity);
    virtual bool initWithObjects(const OSObject* objects[], unsigned int count, unsigned int capacity = 0);
    virtual bool initWithArray(const OSArray* anArray, unsigned int capacity = 0);

    void free() APPLE_KEXT_OVERRIDE;

    unsigned int getCount() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacity() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacityIncrement() const APPLE_KEXT_OVERRIDE;
    unsigned int setCapacityIncrement(unsigned increment) APPLE_KEXT_OVERRIDE;
    unsigned int ensureCapacity(unsigned int newCapacity) APPLE_KEXT_OVERRIDE;
    void flushCollection() APPLE_KEXT_OVERRIDE;

    // Appends.
    virtual bool setObject(const OSMetaClassBase* anObject);
    bool setObject(OSSharedPtr<const OSMetaClassBase> const& anObject);
    // Inserts at `index` (0..count), shifting the rest up.
    virtual bool setObject(unsigned int index, const OSMetaClassBase* anObject);
    bool setObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject);

    // Appends every object of otherArray.
    virtual bool merge(const OSArray* otherArray);

    virtual void replaceObject(unsigned int index, const OSMetaClassBase* anObject);
    void replaceObject(unsigned int index, OSSharedPtr<const OSMetaClassBase> const& anObject);
    virtual void removeObject(unsigned int index);

    virtual bool isEqualTo(const OSArray* anArray) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // Borrowed; NULL out of range.
    virtual OSObject* getObject(unsigned int index) const;
    virtual OSObject* getLastObject() const;
    // The first index >= `index` holding exactly this object, or (unsigned)-1.
    virtual unsigned int getNextIndexOfObject(const OSMetaClassBase* anObject, unsigned int index) const;

    // <array ID="n">elements</array>
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

    unsigned setOptions(unsigned options, unsigned mask, void* context = NULL) APPLE_KEXT_OVERRIDE;
    OSCollection* copyCollection(OSDictionary* cycleDict = NULL) APPLE_KEXT_OVERRIDE;

private:
    using Element = OSSharedPtr<const OSMetaClassBase>;

    bool growFor(unsigned int newCount);
    // Re-initialises with `incoming` (already retained) as the contents.
    bool initWithElements(std::vector<Element> incoming, unsigned int capacity);

    std::vector<Element> array_;  // size() is the count
    unsigned int capacity_;
    unsigned int capacityIncrement_;
};
