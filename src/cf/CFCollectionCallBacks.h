// The callbacks every CF collection stores, in one shape: retain, release, copy-description,
// equal, hash. NULL entries mean raw pointers compared and hashed by identity.
#pragma once

#include <CoreFoundation/CFBase.h>

#include <string>

namespace cf {

struct CollectionCallBacks {
    const void* (*retain)(CFAllocatorRef, const void*) = nullptr;
    void (*release)(CFAllocatorRef, const void*) = nullptr;
    CFStringRef (*copyDescription)(const void*) = nullptr;
    Boolean (*equal)(const void*, const void*) = nullptr;
    CFHashCode (*hash)(const void*) = nullptr;

    const void* doRetain(const void* value) const { return retain ? retain(nullptr, value) : value; }
    void doRelease(const void* value) const
    {
        if (release) {
            release(nullptr, value);
        }
    }
    bool doEqual(const void* a, const void* b) const { return a == b || (equal && equal(a, b)); }
    CFHashCode doHash(const void* value) const { return hash ? hash(value) : reinterpret_cast<CFHashCode>(value); }
    std::string describe(const void* value) const;

    // True for the standard CF-type callbacks (kCFType...CallBacks): values are CF objects.
    bool holdsCFTypes() const;
};

// The callbacks behind kCFTypeArrayCallBacks and friends.
const void* typeRetain(CFAllocatorRef, const void* value);
void typeRelease(CFAllocatorRef, const void* value);
const void* stringCopy(CFAllocatorRef, const void* value);

} // namespace cf
