// OSString: a reference-counted C string (xnu libkern/c++/OSString.cpp semantics).
#include <libkern/c++/OSString.h>

#include <libkern/c++/OSData.h>
#include <libkern/c++/OSSerialize.h>

#include "OSXMLEscape.h"

#include <cstdlib>
#include <cstring>

OSDefineMetaClassAndStructors(OSString, OSObject);

bool libkern_internal::addEscapedXML(OSSerialize* serializer, const char* text)
{
    for (const char* c = text; *c; ++c) {
        bool ok;
        switch (*c) {
        case '<': ok = serializer->addString("&lt;"); break;
        case '>': ok = serializer->addString("&gt;"); break;
        case '&': ok = serializer->addString("&amp;"); break;
        default: ok = serializer->addChar(*c); break;
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

// --- Construction ------------------------------------------------------------------------------

OSString* OSString::withString(const OSString* aString)
{
    OSString* me = new OSString;
    if (me && !me->initWithString(aString)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSString* OSString::withCString(const char* cString)
{
    OSString* me = new OSString;
    if (me && !me->initWithCString(cString)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSString* OSString::withCStringNoCopy(const char* cString)
{
    OSString* me = new OSString;
    if (me && !me->initWithCStringNoCopy(cString)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSString* OSString::withStringOfLength(const char* cString, size_t length)
{
    OSString* me = new OSString;
    if (me && !me->initWithStringOfLength(cString, length)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSString::initWithString(const OSString* aString)
{
    return aString && initWithCString(aString->getCStringNoCopy());
}

bool OSString::initWithCString(const char* cString)
{
    if (!cString || (flags & kOSStringImmutable) || !OSObject::init()) {
        return false;
    }
    const size_t textLength = strnlen(cString, kMaxStringLength);
    if (textLength >= kMaxStringLength) {
        return false;
    }
    return adoptCopy(cString, textLength);
}

bool OSString::initWithStringOfLength(const char* cString, size_t inlength)
{
    if (!cString || (flags & kOSStringImmutable) || !OSObject::init()) {
        return false;
    }
    // As xnu: the first inlength bytes must all be non-NUL.
    if (inlength >= kMaxStringLength || strnlen(cString, inlength) < inlength) {
        return false;
    }
    return adoptCopy(cString, inlength);
}

bool OSString::initWithCStringNoCopy(const char* cString)
{
    if (!cString || (flags & kOSStringImmutable) || !OSObject::init()) {
        return false;
    }
    const size_t textLength = strnlen(cString, kMaxStringLength);
    if (textLength >= kMaxStringLength) {
        return false;
    }
    releaseText();
    string = const_cast<char*>(cString);
    length = static_cast<unsigned int>(textLength + 1);
    flags |= kOSStringNoCopy;
    return true;
}

bool OSString::adoptCopy(const char* text, size_t textLength)
{
    // malloc/free rather than new[]: the buffer is plain bytes owned through `string`, whose
    // type Apple's header fixes as char*.
    char* copy = static_cast<char*>(std::malloc(textLength + 1));
    if (!copy) {
        return false;
    }
    std::memcpy(copy, text, textLength);
    copy[textLength] = '\0';
    releaseText();
    string = copy;
    length = static_cast<unsigned int>(textLength + 1);
    flags &= ~kOSStringNoCopy;
    return true;
}

void OSString::releaseText()
{
    if (string && !(flags & kOSStringNoCopy)) {
        std::free(string);
    }
    string = nullptr;
    length = 0;
}

void OSString::free()
{
    releaseText();
    OSObject::free();
}

// --- Access ------------------------------------------------------------------------------------

unsigned int OSString::getLength() const
{
    return length ? length - 1 : 0;
}

char OSString::getChar(unsigned int index) const
{
    return index < length ? string[index] : '\0';
}

bool OSString::setChar(char aChar, unsigned int index)
{
    if ((flags & kOSStringNoCopy) || (flags & kOSStringImmutable) || index >= getLength()) {
        return false;
    }
    string[index] = aChar;
    return true;
}

const char* OSString::getCStringNoCopy() const
{
    return string;
}

// --- Equality ----------------------------------------------------------------------------------

bool OSString::isEqualTo(const OSString* aString) const
{
    if (!aString) {
        return false;
    }
    if (aString == this) {
        return true;
    }
    return length == aString->length && std::memcmp(string, aString->string, length) == 0;
}

bool OSString::isEqualTo(const char* cString) const
{
    return cString && string && std::strcmp(string, cString) == 0;
}

bool OSString::isEqualTo(const OSMetaClassBase* anObject) const
{
    if (const OSString* other = OSDynamicCast(OSString, anObject)) {
        return isEqualTo(other);
    }
    if (const OSData* data = OSDynamicCast(OSData, anObject)) {
        return isEqualTo(data);
    }
    return false;
}

bool OSString::isEqualTo(const OSData* aDataObject) const
{
    // OSData::isEqualTo(const OSString*) holds the rule; keep the two directions identical.
    return aDataObject && aDataObject->isEqualTo(this);
}

// --- Serialization -----------------------------------------------------------------------------

bool OSString::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    return serializer->addXMLStartTag(this, "string") && libkern_internal::addEscapedXML(serializer, string ? string : "") &&
           serializer->addXMLEndTag("string");
}
