// Callbacks shared by CFArray, CFDictionary and CFSet.
#include "CFCollectionCallBacks.h"

#include <CoreFoundation/CFString.h>

#include <cstdio>

#include "CFRuntime.h"
#include "CFStringInternal.h"

namespace cf {

const void* typeRetain(CFAllocatorRef, const void* value)
{
    return value ? CFRetain(value) : value;
}

void typeRelease(CFAllocatorRef, const void* value)
{
    if (value) {
        CFRelease(value);
    }
}

const void* stringCopy(CFAllocatorRef, const void* value)
{
    // kCFCopyString...CallBacks: keys are copied so a later change to a mutable key cannot
    // corrupt the table; an immutable string's copy is itself.
    if (value && object(value)->typeID() == kTypeString) {
        return CFStringCreateCopy(nullptr, static_cast<CFStringRef>(value));
    }
    return typeRetain(nullptr, value);
}

std::string CollectionCallBacks::describe(const void* value) const
{
    if (copyDescription) {
        CFStringRef description = copyDescription(value);
        if (description) {
            std::string text(cf::text(description, "CFCopyDescription"));
            CFRelease(description);
            return text;
        }
    }
    char text[32];
    std::snprintf(text, sizeof text, "<%p>", value);
    return text;
}

bool CollectionCallBacks::holdsCFTypes() const
{
    return (retain == typeRetain || retain == stringCopy) && release == typeRelease && equal == CFEqual;
}

} // namespace cf
