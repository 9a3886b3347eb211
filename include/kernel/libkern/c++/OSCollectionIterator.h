// <libkern/c++/OSCollectionIterator.h>: iterates any OSCollection.
//
// Holds a reference to the collection. Dictionaries yield their keys, in insertion order.
#pragma once

#include <libkern/c++/OSCollection.h>
#include <libkern/c++/OSIterator.h>
#include <libkern/c++/OSPtr.h>

#include <memory>

class OSCollectionIterator;
typedef OSCollectionIterator* OSCollectionIteratorPtr;

class OSCollectionIterator : public OSIterator {
    OSDeclareDefaultStructors(OSCollectionIterator);

protected:
    OSSharedPtr<const OSCollection> collection;
    void* collIterator;  // points into context_
    unsigned int initialUpdateStamp;
    bool valid;

public:
    static OSCollectionIterator* withCollection(const OSCollection* inColl);
    virtual bool initWithCollection(const OSCollection* inColl);

    void free() APPLE_KEXT_OVERRIDE;

    void reset() APPLE_KEXT_OVERRIDE;
    bool isValid() APPLE_KEXT_OVERRIDE;
    OSObject* getNextObject() APPLE_KEXT_OVERRIDE;

private:
    std::unique_ptr<unsigned long long[]> context_;  // the collection's iteration state
};
