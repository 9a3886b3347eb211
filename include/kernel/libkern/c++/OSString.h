// <libkern/c++/OSString.h>: a reference-counted C string.
//
// Semantics follow xnu: the text is at most kMaxStringLength bytes; `length` counts the
// terminating NUL, getLength() does not; a string made with ...NoCopy points at the caller's
// text (which must outlive it) and cannot be changed with setChar().
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSPtr.h>

#include <stddef.h>

class OSData;
class OSString;
typedef OSString* OSStringPtr;
typedef OSString const* OSStringConstPtr;

enum { kOSStringNoCopy = 0x00000001 };

class OSString : public OSObject {
    OSDeclareDefaultStructors(OSString);

    enum { kMaxStringLength = 262142 };

protected:
    char* string;         // the text, NUL-terminated; owned unless (flags & kOSStringNoCopy)
    unsigned int flags;   // kOSStringNoCopy, plus internal bits
    unsigned int length;  // strlen(string) + 1

public:
    static OSString* withString(const OSString* aString);
    static OSString* withCString(const char* cString);
    static OSString* withCStringNoCopy(const char* cString);
    // The first `length` bytes of `cString`, which must not contain a NUL (xnu kernel-private).
    static OSString* withStringOfLength(const char* cString, size_t length);

    virtual bool initWithString(const OSString* aString);
    virtual bool initWithCString(const char* cString);
    virtual bool initWithCStringNoCopy(const char* cString);
    bool initWithStringOfLength(const char* cString, size_t inlength);

    void free() APPLE_KEXT_OVERRIDE;

    virtual unsigned int getLength() const;
    // The byte at `index` (the NUL at getLength()), or '\0' out of range.
    virtual char getChar(unsigned int index) const;
    // Fails on NoCopy strings, on symbols and out of range.
    virtual bool setChar(char aChar, unsigned int index);
    virtual const char* getCStringNoCopy() const;

    virtual bool isEqualTo(const OSString* aString) const;
    virtual bool isEqualTo(const char* cString) const;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;
    // Equal when the data holds the same bytes, optionally followed by one NUL.
    virtual bool isEqualTo(const OSData* aDataObject) const;

    // <string ID="n">text</string>, with <, > and & escaped.
    bool serialize(OSSerialize* serializer) const APPLE_KEXT_OVERRIDE;

protected:
    // Internal flag: the text may not change (set on OSSymbols).
    enum { kOSStringImmutable = 0x00000002 };

    // Replaces the text with a fresh, owned copy of `text` (`textLength` bytes, no NUL inside).
    bool adoptCopy(const char* text, size_t textLength);

private:
    void releaseText();
};
