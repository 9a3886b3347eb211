// <libkern/c++/OSSerialize.h>: builds the XML text of an object graph, as xnu writes it.
//
// Each container/value class writes itself through serialize(OSSerialize*). A collection or
// value met a second time is written as <reference IDREF="n"/>, so shared and cyclic graphs
// serialize finitely; the first occurrence carries ID="n". OSUnserializeXML reads it back.
#pragma once

#include <libkern/c++/OSObject.h>

#include <memory>

class OSSerialize : public OSObject {
    OSDeclareDefaultStructors(OSSerialize);

public:
    static OSSerialize* withCapacity(unsigned int capacity);

    // The NUL-terminated text written so far (owned by this object).
    char* text() const;
    void clearText();

    // If `object` was already written, writes <reference IDREF="n"/> and returns true; the
    // caller then writes nothing more. Otherwise remembers it (assigning the next ID) and
    // returns false.
    bool previouslySerialized(const OSMetaClassBase* object);
    // Writes "<tagString ID="n">" for `object` (already registered by previouslySerialized,
    // or registered now).
    bool addXMLStartTag(const OSMetaClassBase* object, const char* tagString);
    bool addXMLEndTag(const char* tagString);
    bool addChar(const char aChar);
    bool addString(const char* cString);

    virtual bool initWithCapacity(unsigned int inCapacity);
    virtual unsigned int getLength() const;
    virtual unsigned int getCapacity() const;
    virtual unsigned int getCapacityIncrement() const;
    virtual unsigned int setCapacityIncrement(unsigned increment);
    virtual unsigned int ensureCapacity(unsigned int newCapacity);

protected:
    void free() override;

private:
    struct Storage;
    std::unique_ptr<Storage> storage_;  // created by initWithCapacity, dropped in free()
};
