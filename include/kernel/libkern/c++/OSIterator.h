// <libkern/c++/OSIterator.h>: the abstract iterator interface.
#pragma once

#include <libkern/c++/OSObject.h>

class OSIterator : public OSObject {
    OSDeclareAbstractStructors(OSIterator);

public:
    // Starts again from the first object (and revalidates after the collection changed).
    virtual void reset() = 0;
    // False once the underlying collection changed since the last reset.
    virtual bool isValid() = 0;
    // The next object (borrowed), or NULL at the end or when invalid.
    virtual OSObject* getNextObject() = 0;
};
