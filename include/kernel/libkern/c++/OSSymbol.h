// <libkern/c++/OSSymbol.h>: interned, immutable strings.
//
// There is at most one live OSSymbol for a given text, so two symbols are equal exactly when
// they are the same pointer; dictionaries use them as keys and compare keys by address. The
// factories return a retained reference to the existing symbol when there is one. A symbol
// leaves the pool when its last reference goes (see OSSymbol.cpp for how that is made safe
// against a concurrent look-up).
#pragma once

#include <libkern/c++/OSPtr.h>
#include <libkern/c++/OSString.h>

class OSSymbol;
typedef OSSymbol* OSSymbolPtr;
typedef OSSymbol const* OSSymbolConstPtr;

class OSSymbol : public OSString {
    friend class OSSymbolPool;

    OSDeclareAbstractStructors(OSSymbol);

private:
    static void initialize();

    // Symbols are made only by the factories below; re-initialising one is refused.
    bool initWithString(const OSString* aString) APPLE_KEXT_OVERRIDE;
    bool initWithCString(const char* cString) APPLE_KEXT_OVERRIDE;
    bool initWithCStringNoCopy(const char* cString) APPLE_KEXT_OVERRIDE;

protected:
    // Every release happens under the symbol's pool lock (see OSSymbol.cpp).
    void taggedRelease(const void* tag, const int freeWhen) const APPLE_KEXT_OVERRIDE;
    void free() APPLE_KEXT_OVERRIDE;

public:
    void taggedRelease(const void* tag) const APPLE_KEXT_OVERRIDE;

    static const OSSymbol* withString(const OSString* aString);
    static const OSSymbol* withCString(const char* cString);
    static const OSSymbol* withCStringNoCopy(const char* cString);
    // The existing symbol for the text, retained, or NULL; never creates one.
    static const OSSymbol* existingSymbolForString(const OSString* aString);
    static const OSSymbol* existingSymbolForCString(const char* aCString);

    // Pointer identity: interning makes it the same as text equality.
    virtual bool isEqualTo(const OSSymbol* aSymbol) const;
    bool isEqualTo(const char* cString) const APPLE_KEXT_OVERRIDE;
    bool isEqualTo(const OSMetaClassBase* anObject) const APPLE_KEXT_OVERRIDE;
    // OSString's other overloads stay visible.
    using OSString::isEqualTo;

    // xnu kernel-private, for the kext loader: symbols made with withCStringNoCopy whose text
    // lies in [startAddr, endAddr) (a module about to be unmapped) get a private copy of it.
    static void checkForPageUnload(void* startAddr, void* endAddr);

private:
    static const OSSymbol* intern(const char* cString, bool noCopy);
    static OSSymbol* make(const char* cString, bool noCopy);

    size_t hash_;  // of the text; picks the pool shard
};
