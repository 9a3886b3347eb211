// OSNumber: an unsigned integer of 1..64 bits (xnu libkern/c++/OSNumber.cpp semantics).
#include <libkern/c++/OSNumber.h>

#include <libkern/c++/OSSerialize.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

OSDefineMetaClassAndStructors(OSNumber, OSObject);

OSNumber* OSNumber::withNumber(unsigned long long value, unsigned int numberOfBits)
{
    OSNumber* me = new OSNumber;
    if (me && !me->init(value, numberOfBits)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSNumber* OSNumber::withNumber(const char* valueString, unsigned int numberOfBits)
{
    OSNumber* me = new OSNumber;
    if (me && !me->init(valueString, numberOfBits)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSNumber::init(unsigned long long inValue, unsigned int numberOfBits)
{
    // xnu accepts 0 bits (a number that is always 0); a width of zero is always a caller bug,
    // so it is refused here.
    if (numberOfBits < 1 || numberOfBits > 64 || !OSObject::init()) {
        return false;
    }
    size = numberOfBits;
    value = inValue & mask();
    return true;
}

bool OSNumber::init(const char* valueString, unsigned int numberOfBits)
{
    if (!valueString) {
        return false;
    }
    // Like xnu's strtoul(.., NULL, 0): leading digits count, the rest is ignored.
    return init(std::strtoull(valueString, nullptr, 0), numberOfBits);
}

void OSNumber::free()
{
    OSObject::free();
}

unsigned long long OSNumber::mask() const
{
    return size >= 64 ? ~0ULL : (1ULL << size) - 1;
}

unsigned int OSNumber::numberOfBits() const
{
    return size;
}

unsigned int OSNumber::numberOfBytes() const
{
    return (size + 7) / 8;
}

unsigned char OSNumber::unsigned8BitValue() const
{
    return static_cast<unsigned char>(value);
}

unsigned short OSNumber::unsigned16BitValue() const
{
    return static_cast<unsigned short>(value);
}

unsigned int OSNumber::unsigned32BitValue() const
{
    return static_cast<unsigned int>(value);
}

unsigned long long OSNumber::unsigned64BitValue() const
{
    return value;
}

void OSNumber::addValue(signed long long inValue)
{
    // Two's-complement wrap-around, then back into range.
    value = (value + static_cast<unsigned long long>(inValue)) & mask();
}

void OSNumber::setValue(unsigned long long inValue)
{
    value = inValue & mask();
}

bool OSNumber::isEqualTo(const OSNumber* aNumber) const
{
    return aNumber && value == aNumber->value;
}

bool OSNumber::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSNumber* number = OSDynamicCast(OSNumber, anObject);
    return number && isEqualTo(number);
}

bool OSNumber::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    char tag[32];
    std::snprintf(tag, sizeof tag, "integer size=\"%u\"", size);
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", value);
    return serializer->addXMLStartTag(this, tag) && serializer->addString(text) &&
           serializer->addXMLEndTag("integer");
}
