// <libkern/c++/OSData.h>: a reference-counted, growable byte buffer.
//
// As in xnu: a buffer made with withBytesNoCopy wraps the caller's memory, reports a capacity
// of UINT_MAX and cannot grow; getBytesNoCopy() is NULL while the buffer is empty.
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

#include <vector>

class OSData;
class OSString;
typedef OSData* OSDataPtr;
typedef OSData const* OSDataConstPtr;

class OSData : public OSObject {
    friend class OSSerialize;

    OSDeclareDefaultStructors(OSData);

public:
    static OSData* withCapacity(unsigned int capacity);
    static OSData* withBytes(const void* bytes, unsigned int numBytes);
    static OSData* withBytesNoCopy(void* bytes, unsigned int numBytes);
    static OSData* withData(const OSData* inData);
    static OSData* withData(const OSData* inData, unsigned int start, unsigned int numBytes);

    virtual bool initWithCapacity(unsigned int capacity);
    virtual bool initWithBytes(const void* bytes, unsigned int numBytes);
    virtual bool initWithBytesNoCopy(void* bytes, unsigned int numBytes);
    virtual bool initWithData(const OSData* inData);
    virtual bool initWithData(const OSData* inData, unsigned int start, unsigned int numBytes);

    void free() APPLE_KEXT_OVERRIDE;

    virtual unsigned int getLength() const;
    virtual unsigned int getCapacity() const;
    virtual unsigned int getCapacityIncrement() const;
    virtual unsigned int setCapacityIncrement(unsigned increment);
    // Grows the buffer to at least newCapacity (rounded up to the increment); returns the
    // capacity afterwards, which is smaller than asked if growing was impossible.
    virtual unsigned int ensureCapacity(unsigned int newCapacity);

    // Appends numBytes bytes (zeros when `bytes` is NULL).
    virtual bool appendBytes(const void* bytes, unsigned int numBytes);
    virtual bool appendBytes(const OSData* aDataObj);
    // Appends numBytes copies of `byte`.
    virtual bool appendByte(unsigned char byte, unsigned int numBytes);

    virtual const void* getBytesNoCopy() const;
    // NULL unless [start, start + numBytes) lies inside the data.
    virtual const void* getBytesNoCopy(unsigned int start, unsigned int numBytes) const;

    virtual bool isEqualTo(const OSData* aDataObj) const;
    // As xnu: true when the first numBytes bytes of the data equal `bytes`.
    virtual bool isEqualTo(const void* bytes, unsigned int numBytes) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;
    // Equal when the data holds the string's bytes, optionally followed by one NUL.
    virtual bool isEqualTo(const OSString* aString) const;

    // <data ID="n">base64</data>
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

    // A non-serializable data object serializes as empty <data>.
    void setSerializable(bool serializable);

private:
    bool isExternal() const { return noCopy_; }
    unsigned char* bytes() const;

    std::vector<unsigned char> buffer_;  // owned storage; its size is the capacity
    void* external_;                     // the caller's memory when noCopy_
    bool noCopy_;                        // made by withBytesNoCopy: fixed size, not ours
    unsigned int length_;
    unsigned int capacityIncrement_;
    bool notSerializable_;
};
