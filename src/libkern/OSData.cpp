// OSData: a growable byte buffer (xnu libkern/c++/OSData.cpp semantics).
#include <libkern/c++/OSData.h>

#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSString.h>

#include <climits>
#include <cstring>
#include <new>

OSDefineMetaClassAndStructors(OSData, OSObject);

namespace {

// xnu reports a NoCopy buffer's capacity as (unsigned)-1 ("EXTERNAL").
constexpr unsigned int kExternalCapacity = UINT_MAX;
constexpr unsigned int kDefaultCapacityIncrement = 16;

// Standard base64 (RFC 4648, with padding), as CFPropertyList writes <data>.
bool addBase64(OSSerialize* serializer, const unsigned char* bytes, unsigned int length)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char quad[5] = {};
    for (unsigned int i = 0; i < length; i += 3) {
        const unsigned int remaining = length - i;
        const unsigned int group = (unsigned int)bytes[i] << 16 | (remaining > 1 ? (unsigned int)bytes[i + 1] << 8 : 0) |
                                   (remaining > 2 ? bytes[i + 2] : 0);
        quad[0] = kAlphabet[(group >> 18) & 0x3f];
        quad[1] = kAlphabet[(group >> 12) & 0x3f];
        quad[2] = remaining > 1 ? kAlphabet[(group >> 6) & 0x3f] : '=';
        quad[3] = remaining > 2 ? kAlphabet[group & 0x3f] : '=';
        if (!serializer->addString(quad)) {
            return false;
        }
    }
    return true;
}

}  // namespace

// --- Construction ------------------------------------------------------------------------------

OSData* OSData::withCapacity(unsigned int capacity)
{
    OSData* me = new OSData;
    if (me && !me->initWithCapacity(capacity)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSData* OSData::withBytes(const void* bytes, unsigned int numBytes)
{
    OSData* me = new OSData;
    if (me && !me->initWithBytes(bytes, numBytes)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSData* OSData::withBytesNoCopy(void* bytes, unsigned int numBytes)
{
    OSData* me = new OSData;
    if (me && !me->initWithBytesNoCopy(bytes, numBytes)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSData* OSData::withData(const OSData* inData)
{
    OSData* me = new OSData;
    if (me && !me->initWithData(inData)) {
        me->release();
        return nullptr;
    }
    return me;
}

OSData* OSData::withData(const OSData* inData, unsigned int start, unsigned int numBytes)
{
    OSData* me = new OSData;
    if (me && !me->initWithData(inData, start, numBytes)) {
        me->release();
        return nullptr;
    }
    return me;
}

bool OSData::initWithCapacity(unsigned int capacity)
{
    if (!OSObject::init()) {
        return false;
    }
    external_ = nullptr;
    noCopy_ = false;
    length_ = 0;
    // As xnu: the increment is the initial capacity, at least 16.
    capacityIncrement_ = capacity < kDefaultCapacityIncrement ? kDefaultCapacityIncrement : capacity;
    buffer_.clear();
    buffer_.shrink_to_fit();
    if (capacity) {
        try {
            buffer_.resize(capacity);
        } catch (const std::bad_alloc&) {
            return false;
        }
    }
    return true;
}

bool OSData::initWithBytes(const void* bytes, unsigned int numBytes)
{
    if ((numBytes && !bytes) || !initWithCapacity(numBytes)) {
        return false;
    }
    if (numBytes) {
        std::memcpy(buffer_.data(), bytes, numBytes);
    }
    length_ = numBytes;
    return true;
}

bool OSData::initWithBytesNoCopy(void* bytes, unsigned int numBytes)
{
    if ((numBytes && !bytes) || !OSObject::init()) {
        return false;
    }
    buffer_.clear();
    buffer_.shrink_to_fit();
    external_ = bytes;
    noCopy_ = true;
    length_ = numBytes;
    capacityIncrement_ = kDefaultCapacityIncrement;
    return true;
}

bool OSData::initWithData(const OSData* inData)
{
    // Copy first: inData may be this object.
    if (!inData) {
        return false;
    }
    std::vector<unsigned char> copy(inData->bytes(), inData->bytes() + inData->length_);
    return initWithBytes(copy.data(), static_cast<unsigned int>(copy.size()));
}

bool OSData::initWithData(const OSData* inData, unsigned int start, unsigned int numBytes)
{
    if (!inData) {
        return false;
    }
    const auto* range = static_cast<const unsigned char*>(inData->getBytesNoCopy(start, numBytes));
    if (!range) {
        return false;
    }
    std::vector<unsigned char> copy(range, range + numBytes);
    return initWithBytes(copy.data(), numBytes);
}

void OSData::free()
{
    buffer_.clear();
    buffer_.shrink_to_fit();
    OSObject::free();
}

// --- Size and capacity -------------------------------------------------------------------------

unsigned char* OSData::bytes() const
{
    return isExternal() ? static_cast<unsigned char*>(external_) : const_cast<unsigned char*>(buffer_.data());
}

unsigned int OSData::getLength() const
{
    return length_;
}

unsigned int OSData::getCapacity() const
{
    return isExternal() ? kExternalCapacity : static_cast<unsigned int>(buffer_.size());
}

unsigned int OSData::getCapacityIncrement() const
{
    return capacityIncrement_;
}

unsigned int OSData::setCapacityIncrement(unsigned increment)
{
    // xnu stores 0 as given and would then divide by it when growing; 0 means the default here.
    capacityIncrement_ = increment ? increment : kDefaultCapacityIncrement;
    return capacityIncrement_;
}

unsigned int OSData::ensureCapacity(unsigned int newCapacity)
{
    if (isExternal() || newCapacity <= buffer_.size()) {
        return getCapacity();
    }
    // Round up to a multiple of the increment, refusing on overflow.
    const unsigned long long step = capacityIncrement_;
    const unsigned long long rounded = ((newCapacity - 1ULL) / step + 1) * step;
    if (rounded > UINT_MAX) {
        return getCapacity();
    }
    try {
        buffer_.resize(rounded);  // zero-fills the new space, as xnu does
    } catch (const std::bad_alloc&) {
    }
    return getCapacity();
}

// --- Appending ---------------------------------------------------------------------------------

bool OSData::appendBytes(const void* newBytes, unsigned int numBytes)
{
    if (!numBytes) {
        return true;
    }
    if (isExternal()) {
        return false;
    }
    const unsigned int newLength = length_ + numBytes;
    if (newLength < length_ || ensureCapacity(newLength) < newLength) {
        return false;
    }
    if (newBytes) {
        std::memmove(buffer_.data() + length_, newBytes, numBytes);
    } else {
        std::memset(buffer_.data() + length_, 0, numBytes);
    }
    length_ = newLength;
    return true;
}

bool OSData::appendBytes(const OSData* aDataObj)
{
    if (!aDataObj) {
        return false;
    }
    if (aDataObj == this) {
        // Appending to ourselves: the source moves when the buffer grows.
        std::vector<unsigned char> copy(bytes(), bytes() + length_);
        return appendBytes(copy.data(), static_cast<unsigned int>(copy.size()));
    }
    return appendBytes(aDataObj->bytes(), aDataObj->length_);
}

bool OSData::appendByte(unsigned char byte, unsigned int numBytes)
{
    if (!numBytes) {
        return true;
    }
    if (isExternal()) {
        return false;
    }
    const unsigned int newLength = length_ + numBytes;
    if (newLength < length_ || ensureCapacity(newLength) < newLength) {
        return false;
    }
    std::memset(buffer_.data() + length_, byte, numBytes);
    length_ = newLength;
    return true;
}

// --- Access ------------------------------------------------------------------------------------

const void* OSData::getBytesNoCopy() const
{
    return length_ ? bytes() : nullptr;
}

const void* OSData::getBytesNoCopy(unsigned int start, unsigned int numBytes) const
{
    if (!length_ || start >= length_ || numBytes > length_ - start) {
        return nullptr;
    }
    return bytes() + start;
}

// --- Equality ----------------------------------------------------------------------------------

bool OSData::isEqualTo(const OSData* aDataObj) const
{
    if (!aDataObj) {
        return false;
    }
    return length_ == aDataObj->length_ && isEqualTo(aDataObj->bytes(), aDataObj->length_);
}

bool OSData::isEqualTo(const void* someBytes, unsigned int numBytes) const
{
    if (!numBytes) {
        return true;
    }
    return someBytes && length_ >= numBytes && std::memcmp(bytes(), someBytes, numBytes) == 0;
}

bool OSData::isEqualTo(const OSMetaClassBase* anObject) const
{
    if (const OSData* other = OSDynamicCast(OSData, anObject)) {
        return isEqualTo(other);
    }
    if (const OSString* string = OSDynamicCast(OSString, anObject)) {
        return isEqualTo(string);
    }
    return false;
}

bool OSData::isEqualTo(const OSString* aString) const
{
    if (!aString) {
        return false;
    }
    const unsigned int stringLength = aString->getLength();
    unsigned int compared = length_;
    if (compared != stringLength) {
        // The data may carry the string's terminating NUL.
        if (compared != stringLength + 1 || bytes()[compared - 1] != '\0') {
            return false;
        }
        compared = stringLength;
    }
    return compared == 0 || std::memcmp(bytes(), aString->getCStringNoCopy(), compared) == 0;
}

// --- Serialization -----------------------------------------------------------------------------

void OSData::setSerializable(bool serializable)
{
    notSerializable_ = !serializable;
}

bool OSData::serialize(OSSerialize* serializer) const
{
    if (!serializer) {
        return false;
    }
    if (serializer->previouslySerialized(this)) {
        return true;
    }
    return serializer->addXMLStartTag(this, "data") &&
           addBase64(serializer, bytes(), notSerializable_ ? 0 : length_) && serializer->addXMLEndTag("data");
}
