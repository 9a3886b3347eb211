// <libkern/c++/OSObject.h>: the root class of libkern and IOKit objects.
//
// Reference counted, intrusively and atomically. An object is born with one reference (from
// its metaclass's alloc() or from `new` in the generated structors); when the last reference
// is released, free() runs: subclasses override free() to drop what they hold and must call
// super::free(), which accounts the instance out of its metaclass and deletes the storage.
#pragma once

#include <libkern/c++/OSMetaClass.h>

class OSObject : public OSMetaClassBase {
    OSDeclareAbstractStructors(OSObject);

public:
    // Apple's storage convention: instances are zero-filled before construction.
    static void* operator new(size_t size);
    static void operator delete(void* memory, size_t size);

    int getRetainCount() const override;
    void retain() const override;
    void release() const override;
    void taggedRetain(const void* tag = nullptr) const override;
    void taggedRelease(const void* tag = nullptr) const override;
    bool serialize(OSSerialize* serializer) const override;

    virtual bool init();

protected:
    // Runs once, when the last reference goes. Overrides release what they own, then call
    // OSObject::free() (through super::free()), which deletes the object.
    virtual void free();

    void release(int freeWhen) const override;
    void taggedRelease(const void* tag, const int freeWhen) const override;

private:
    mutable int retainCount_;  // accessed atomically
};
