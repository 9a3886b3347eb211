// The object model behind every CFTypeRef: one C++ base class with an atomic reference count,
// a type ID and the polymorphic operations CFEqual, CFHash and CFCopyDescription dispatch to.
// Each CF type is a `struct __CFxxx final : cf::Object`, so the opaque C handles in the public
// headers are the real objects.
#pragma once

#include <CoreFoundation/CFBase.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>

namespace cf {

// Fixed type IDs (macOS's are assigned at run time; clients only compare them).
enum TypeID : CFTypeID {
    kNotAType = 0,
    kTypeNull = 1,
    kTypeAllocator = 2,
    kTypeString = 7,
    kTypeBoolean = 21,
    kTypeNumber = 22,
    kTypeData = 20,
    kTypeArray = 19,
    kTypeDictionary = 18,
    kTypeSet = 17,
    kTypeDate = 42,
    kTypeURL = 29,
    kTypeError = 30,
    kTypeRunLoop = 43,
    kTypeRunLoopSource = 46,
    kTypeRunLoopTimer = 48,
    kTypeFileDescriptor = 50,
};

// Name of a type ID ("CFString"), or nullptr for an unknown one.
const char* typeName(CFTypeID type);

class Object {
public:
    // constexpr, so the immortal singletons (kCFNull, kCFBooleanTrue ...) are constant-initialised
    // and usable from other files' static initialisers.
    constexpr explicit Object(CFTypeID type, bool immortal = false) : type_(type), immortal_(immortal) {}
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;
    virtual ~Object() = default;

    CFTypeID typeID() const { return type_; }

    // Same-type comparison; CFEqual has already checked the type IDs match.
    virtual bool equal(const Object& other) const { return this == &other; }
    // Must agree with equal(): equal objects hash equal.
    virtual CFHashCode hash() const { return reinterpret_cast<CFHashCode>(this); }
    // CFCopyDescription's text.
    virtual std::string describe() const;
    // %@'s text: the value itself for strings and numbers, the description otherwise.
    virtual std::string formattingDescription() const { return describe(); }

    void retain() const;
    // Returns true when this call destroyed the object.
    bool release() const;
    CFIndex retainCount() const;
    // Immortal objects (CFSTR strings, kCFBooleanTrue, kCFNull ...) ignore retain and release.
    void makeImmortal() { immortal_ = true; }
    bool isImmortal() const { return immortal_; }

protected:
    std::string header() const; // "<CFString 0x1234>"

private:
    const CFTypeID type_;
    mutable std::atomic<CFIndex> refCount_{1};
    bool immortal_ = false;
};

// One line on stderr naming the CF call that received bad input; the call then does nothing.
void reportMisuse(const char* function, std::string_view what);

// The handle as our object, or nullptr (with a report) when it is NULL or of another type.
template <class T>
T* checked(const void* handle, CFTypeID expected, const char* function)
{
    if (!handle) {
        reportMisuse(function, "argument is NULL");
        return nullptr;
    }
    auto* object = static_cast<const Object*>(handle);
    if (object->typeID() != expected) {
        reportMisuse(function, std::string("argument is a ") + (typeName(object->typeID()) ?: "non-CF object") +
                                   ", not a " + typeName(expected));
        return nullptr;
    }
    return static_cast<T*>(const_cast<Object*>(object));
}

inline const Object* object(CFTypeRef ref) { return static_cast<const Object*>(ref); }

// The retained-handle convention: created objects start at count 1 and are handed out as-is.
template <class T>
T* adopt(T* created) { return created; }

// Hash helpers shared by strings, data and numbers.
CFHashCode hashBytes(const void* bytes, size_t length);

// The description (CFCopyDescription) or formatting description (%@) of any CF object as UTF-8.
std::string describe(CFTypeRef ref);
std::string formatDescribe(CFTypeRef ref);

} // namespace cf
