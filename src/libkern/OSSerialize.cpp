// OSSerialize: the XML text buffer plus the object -> ID table that makes shared objects and
// cycles serialize as references.
#include <libkern/c++/OSSerialize.h>

#include <cstdio>
#include <string>
#include <unordered_map>

OSDefineMetaClassAndStructors(OSSerialize, OSObject);

struct OSSerialize::Storage {
    std::string text;
    std::unordered_map<const OSMetaClassBase*, unsigned int> ids;  // in order of first sight
    unsigned int capacity = 0;
    unsigned int capacityIncrement = 0;
};

namespace {
constexpr unsigned int kDefaultCapacityIncrement = 4096;
}

OSSerialize* OSSerialize::withCapacity(unsigned int capacity)
{
    OSSerialize* serializer = new OSSerialize;
    if (serializer && !serializer->initWithCapacity(capacity)) {
        serializer->release();
        return nullptr;
    }
    return serializer;
}

bool OSSerialize::initWithCapacity(unsigned int inCapacity)
{
    if (!OSObject::init()) {
        return false;
    }
    storage_ = std::make_unique<Storage>();
    storage_->capacityIncrement = kDefaultCapacityIncrement;
    ensureCapacity(inCapacity ? inCapacity : 1);
    return true;
}

void OSSerialize::free()
{
    storage_.reset();
    OSObject::free();
}

char* OSSerialize::text() const
{
    return storage_->text.data();
}

void OSSerialize::clearText()
{
    storage_->text.clear();
    storage_->ids.clear();
}

// As xnu's, the length counts the terminating NUL.
unsigned int OSSerialize::getLength() const
{
    return static_cast<unsigned int>(storage_->text.size() + 1);
}

unsigned int OSSerialize::getCapacity() const
{
    return storage_->capacity;
}

unsigned int OSSerialize::getCapacityIncrement() const
{
    return storage_->capacityIncrement;
}

unsigned int OSSerialize::setCapacityIncrement(unsigned increment)
{
    storage_->capacityIncrement = increment ? increment : kDefaultCapacityIncrement;
    return storage_->capacityIncrement;
}

unsigned int OSSerialize::ensureCapacity(unsigned int newCapacity)
{
    if (newCapacity > storage_->capacity) {
        const unsigned int step = storage_->capacityIncrement;
        const unsigned int rounded = (newCapacity + step - 1) / step * step;
        storage_->text.reserve(rounded);
        storage_->capacity = rounded;
    }
    return storage_->capacity;
}

bool OSSerialize::addChar(const char aChar)
{
    ensureCapacity(getLength() + 1);
    storage_->text.push_back(aChar);
    return true;
}

bool OSSerialize::addString(const char* cString)
{
    if (!cString) {
        return false;
    }
    const std::string_view text(cString);
    ensureCapacity(static_cast<unsigned int>(getLength() + text.size()));
    storage_->text.append(text);
    return true;
}

bool OSSerialize::previouslySerialized(const OSMetaClassBase* object)
{
    auto [entry, inserted] = storage_->ids.try_emplace(object, static_cast<unsigned int>(storage_->ids.size()));
    if (inserted) {
        return false;
    }
    char reference[48];
    std::snprintf(reference, sizeof reference, "<reference IDREF=\"%u\"/>", entry->second);
    return addString(reference);
}

bool OSSerialize::addXMLStartTag(const OSMetaClassBase* object, const char* tagString)
{
    auto [entry, inserted] = storage_->ids.try_emplace(object, static_cast<unsigned int>(storage_->ids.size()));
    char id[32];
    std::snprintf(id, sizeof id, " ID=\"%u\">", entry->second);
    return addChar('<') && addString(tagString) && addString(id);
}

bool OSSerialize::addXMLEndTag(const char* tagString)
{
    return addString("</") && addString(tagString) && addChar('>');
}
