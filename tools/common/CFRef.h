// CFRef.h: sole ownership of one CoreFoundation reference (released on destruction), and the
// string conversions every tool needs.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

#include <string>
#include <string_view>
#include <utility>

namespace openiokit::tools {

template <typename T>
class CFRef {
public:
    CFRef() = default;
    // Adopts a reference the caller owns (a Create/Copy result).
    explicit CFRef(T ref) : ref_(ref) {}
    CFRef(const CFRef&) = delete;
    CFRef& operator=(const CFRef&) = delete;
    CFRef(CFRef&& other) noexcept : ref_(std::exchange(other.ref_, nullptr)) {}
    CFRef& operator=(CFRef&& other) noexcept
    {
        if (this != &other) {
            reset(std::exchange(other.ref_, nullptr));
        }
        return *this;
    }
    ~CFRef() { reset(); }

    T get() const { return ref_; }
    explicit operator bool() const { return ref_ != nullptr; }
    // Gives up ownership, e.g. to an API that consumes the reference.
    T release() { return std::exchange(ref_, nullptr); }
    void reset(T ref = nullptr)
    {
        if (ref_) {
            CFRelease(ref_);
        }
        ref_ = ref;
    }

private:
    T ref_ = nullptr;
};

// UTF-8 copy of a CFString ("" for NULL).
std::string toString(CFStringRef string);
// A new CFString from UTF-8 text.
CFRef<CFStringRef> makeString(std::string_view text);

// Typed views of a CFTypeRef: NULL when it is of another type.
CFStringRef asString(CFTypeRef value);
CFNumberRef asNumber(CFTypeRef value);
CFDictionaryRef asDictionary(CFTypeRef value);
CFArrayRef asArray(CFTypeRef value);
CFDataRef asData(CFTypeRef value);
CFBooleanRef asBoolean(CFTypeRef value);

// Reads a dictionary value by C-string key.
CFTypeRef lookup(CFDictionaryRef dictionary, const char* key);
// An integer value of a dictionary (0 if absent or not a number).
long long lookupInteger(CFDictionaryRef dictionary, const char* key);
std::string lookupString(CFDictionaryRef dictionary, const char* key);

}  // namespace openiokit::tools
