// <libkern/c++/OSSet.h>: an unordered collection of distinct objects.
//
// Membership is by pointer identity, as in xnu (two equal but distinct OSStrings can both be
// members); setObject refuses an object already present.
#pragma once

#include <libkern/c++/OSCollection.h>
#include <libkern/c++/OSPtr.h>

class OSArray;
class OSSet;
typedef OSSet* OSSetPtr;
typedef OSArray* OSArrayPtr;

class OSSet : public OSCollection {
    friend class OSSerialize;

    OSDeclareDefaultStructors(OSSet);

private:
    OSSharedPtr<OSArray> members;

protected:
    unsigned int iteratorSize() const APPLE_KEXT_OVERRIDE;
    bool initIterator(void* iterator) const APPLE_KEXT_OVERRIDE;
    bool getNextObjectForIterator(void* iterator, OSObject** ret) const APPLE_KEXT_OVERRIDE;

public:
    static OSSet* withCapacity(unsigned int capacity);
    static OSSet* withObjects(const OSObject* objects[], unsigned int count, unsigned int capacity = 0);
    static OSSet* withArray(const OSArray* array, unsigned int capacity = 0);
    static OSSet* withSet(const OSSet* set, unsigned int capacity = 0);

    virtual bool initWithCapacity(unsigned int capacity);
    virtual bool initWithObjects(const OSObject* objects[], unsigned int count, unsigned int capacity = 0);
    virtual bool initWithArray(const OSArray* array, unsigned int capacity = 0);
    virtual bool initWithSet(const OSSet* set, unsigned int capacity = 0);

    void free() APPLE_KEXT_OVERRIDE;

    unsigned int getCount() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacity() const APPLE_KEXT_OVERRIDE;
    unsigned int getCapacityIncrement() const APPLE_KEXT_OVERRIDE;
    unsigned int setCapacityIncrement(unsigned increment) APPLE_KEXT_OVERRIDE;
    unsigned int ensureCapacity(unsigned int newCapacity) APPLE_KEXT_OVERRIDE;
    void flushCollection() APPLE_KEXT_OVERRIDE;

    // False for NULL or an object already in the set.
    virtual bool setObject(const OSMetaClassBase* anObject);
    bool setObject(OSSharedPtr<const OSMetaClassBase> const& anObject);

    // Adds the objects not already present; false if one could not be added.
    virtual bool merge(const OSArray* array);
    virtual bool merge(const OSSet* set);

    virtual void removeObject(const OSMetaClassBase* anObject);
    void removeObject(OSSharedPtr<const OSMetaClassBase> const& anObject);

    virtual bool containsObject(const OSMetaClassBase* anObject) const;
    virtual bool member(const OSMetaClassBase* anObject) const;
    // Some member (borrowed), or NULL when empty.
    virtual OSObject* getAnyObject() const;

    // Same count, and every member of aSet is a member here or isEqualTo one.
    virtual bool isEqualTo(const OSSet* aSet) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // <set ID="n">members</set>
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

    unsigned setOptions(unsigned options, unsigned mask, void* context = NULL) APPLE_KEXT_OVERRIDE;
    OSCollection* copyCollection(OSDictionary* cycleDict = NULL) APPLE_KEXT_OVERRIDE;
};
