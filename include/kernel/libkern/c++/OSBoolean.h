// <libkern/c++/OSBoolean.h>: the two shared boolean objects, kOSBooleanTrue and kOSBooleanFalse.
//
// There are exactly two instances; they are immortal (retain and release do nothing), so
// comparing pointers compares values.
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

class OSString;
class OSBoolean;
typedef OSBoolean* OSBooleanPtr;

class OSBoolean : public OSObject {
    OSDeclareDefaultStructors(OSBoolean);
    friend class OSSerialize;

protected:
    bool value;

    void taggedRelease(const void* tag, const int when) const APPLE_KEXT_OVERRIDE;

public:
    // Creates the two instances; runs during the kernel library's start-up.
    static void initialize();
    // kOSBooleanTrue or kOSBooleanFalse (no new reference is needed, but one is harmless).
    static OSBoolean* withBoolean(bool value);

    void free() APPLE_KEXT_OVERRIDE;
    void taggedRetain(const void* tag) const APPLE_KEXT_OVERRIDE;
    using OSObject::taggedRelease;

    virtual bool isTrue() const;
    virtual bool isFalse() const;
    virtual bool getValue() const;
    explicit operator bool() const { return value; }

    virtual bool isEqualTo(const OSBoolean* aBoolean) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // <true/> or <false/> (booleans carry no ID).
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;
};

extern OSBoolean* const& kOSBooleanTrue;
extern OSBoolean* const& kOSBooleanFalse;
