// <libkern/c++/OSNumber.h>: an unsigned integer of 1 to 64 bits.
//
// The value is kept masked to its width: set/add wrap modulo 2^numberOfBits, as in xnu.
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

class OSNumber;
typedef OSNumber* OSNumberPtr;

class OSNumber : public OSObject {
    friend class OSSerialize;

    OSDeclareDefaultStructors(OSNumber);

protected:
    unsigned long long value;  // already masked to `size` bits
    unsigned int size;         // numberOfBits, 1..64

public:
    static OSNumber* withNumber(unsigned long long value, unsigned int numberOfBits);
    // Parses `valueString` like strtoull(.., 0): decimal, 0x hex or 0 octal.
    static OSNumber* withNumber(const char* valueString, unsigned int numberOfBits);

    virtual bool init(unsigned long long value, unsigned int numberOfBits);
    virtual bool init(const char* valueString, unsigned int numberOfBits);
    using OSObject::init;

    void free() APPLE_KEXT_OVERRIDE;

    virtual unsigned int numberOfBits() const;
    virtual unsigned int numberOfBytes() const;

    virtual unsigned char unsigned8BitValue() const;
    virtual unsigned short unsigned16BitValue() const;
    virtual unsigned int unsigned32BitValue() const;
    virtual unsigned long long unsigned64BitValue() const;

    virtual void addValue(signed long long value);
    virtual void setValue(unsigned long long value);

    // Same value (the widths may differ), as in xnu.
    virtual bool isEqualTo(const OSNumber* aNumber) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;

    // <integer size="bits" ID="n">0xhex</integer>
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

private:
    unsigned long long mask() const;
};
