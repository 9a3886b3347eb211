// CFError: an immutable (domain, code, user info) triple, as CFPropertyList and the IOKit tools
// hand back through their CFErrorRef* parameters.
#include <CoreFoundation/CFError.h>
#include <CoreFoundation/CFString.h>

#include <cstring>
#include <string>

#include "CFErrorInternal.h"
#include "CFRuntime.h"
#include "CFStringInternal.h"

const CFErrorDomain kCFErrorDomainPOSIX = CFSTR("NSPOSIXErrorDomain");
const CFErrorDomain kCFErrorDomainOSStatus = CFSTR("NSOSStatusErrorDomain");
const CFErrorDomain kCFErrorDomainMach = CFSTR("NSMachErrorDomain");
const CFErrorDomain kCFErrorDomainCocoa = CFSTR("NSCocoaErrorDomain");

const CFStringRef kCFErrorLocalizedDescriptionKey = CFSTR("NSLocalizedDescription");
const CFStringRef kCFErrorLocalizedFailureReasonKey = CFSTR("NSLocalizedFailureReason");
const CFStringRef kCFErrorDescriptionKey = CFSTR("NSDescription");
const CFStringRef kCFErrorUnderlyingErrorKey = CFSTR("NSUnderlyingError");

struct __CFError final : cf::Object {
    __CFError(CFStringRef domain, CFIndex code, CFDictionaryRef userInfo)
        : cf::Object(cf::kTypeError), domain(CFStringCreateCopy(nullptr, domain)), code(code),
          userInfo(userInfo ? CFDictionaryCreateCopy(nullptr, userInfo)
                            : CFDictionaryCreate(nullptr, nullptr, nullptr, 0, &kCFTypeDictionaryKeyCallBacks,
                                                 &kCFTypeDictionaryValueCallBacks))
    {
    }
    ~__CFError() override
    {
        CFRelease(domain);
        CFRelease(userInfo);
    }

    bool equal(const cf::Object& other) const override
    {
        auto& o = static_cast<const __CFError&>(other);
        return code == o.code && CFEqual(domain, o.domain) && CFEqual(userInfo, o.userInfo);
    }
    CFHashCode hash() const override { return static_cast<CFHashCode>(code) ^ CFHash(domain); }
    std::string describe() const override;

    // The user-info string under key, or an empty view.
    std::string_view info(CFStringRef key) const
    {
        CFTypeRef value = CFDictionaryGetValue(userInfo, key);
        return value && CFGetTypeID(value) == CFStringGetTypeID() ? cf::text(static_cast<CFStringRef>(value), "CFError")
                                                                  : std::string_view();
    }
    std::string description() const;
    std::string failureReason() const;

    const CFStringRef domain;
    const CFIndex code;
    const CFDictionaryRef userInfo;
};

// The failure reason: the user info's, else for POSIX codes the C library's text.
std::string __CFError::failureReason() const
{
    if (auto reason = info(kCFErrorLocalizedFailureReasonKey); !reason.empty()) {
        return std::string(reason);
    }
    if (CFEqual(domain, kCFErrorDomainPOSIX) && code > 0) {
        return std::strerror(static_cast<int>(code));
    }
    return {};
}

// macOS's order: the localized description, else a generic sentence with the failure reason, or
// with the domain, code and (unlocalized) description.
std::string __CFError::description() const
{
    if (auto localized = info(kCFErrorLocalizedDescriptionKey); !localized.empty()) {
        return std::string(localized);
    }
    std::string text = "The operation couldn\u2019t be completed.";
    if (auto reason = failureReason(); !reason.empty()) {
        return text + " " + reason;
    }
    text += " (" + std::string(cf::text(domain, "CFError")) + " error " + std::to_string(code);
    if (auto plain = info(kCFErrorDescriptionKey); !plain.empty()) {
        text += " - " + std::string(plain);
    }
    return text + ".)";
}

std::string __CFError::describe() const
{
    return "Error Domain=" + std::string(cf::text(domain, "CFError")) + " Code=" + std::to_string(code) + " \"" +
           description() + "\" UserInfo=" + cf::describe(userInfo);
}

CFTypeID CFErrorGetTypeID(void) { return cf::kTypeError; }

CFErrorRef CFErrorCreate(CFAllocatorRef, CFErrorDomain domain, CFIndex code, CFDictionaryRef userInfo)
{
    if (!cf::checked<__CFString>(domain, cf::kTypeString, "CFErrorCreate")) {
        return nullptr;
    }
    if (userInfo && !cf::checked<cf::Object>(userInfo, cf::kTypeDictionary, "CFErrorCreate")) {
        return nullptr;
    }
    return new __CFError(domain, code, userInfo);
}

CFErrorDomain CFErrorGetDomain(CFErrorRef err)
{
    auto* e = cf::checked<__CFError>(err, cf::kTypeError, "CFErrorGetDomain");
    return e ? e->domain : nullptr;
}

CFIndex CFErrorGetCode(CFErrorRef err)
{
    auto* e = cf::checked<__CFError>(err, cf::kTypeError, "CFErrorGetCode");
    return e ? e->code : 0;
}

CFDictionaryRef CFErrorCopyUserInfo(CFErrorRef err)
{
    auto* e = cf::checked<__CFError>(err, cf::kTypeError, "CFErrorCopyUserInfo");
    return e ? static_cast<CFDictionaryRef>(CFRetain(e->userInfo)) : nullptr;
}

CFStringRef CFErrorCopyDescription(CFErrorRef err)
{
    auto* e = cf::checked<__CFError>(err, cf::kTypeError, "CFErrorCopyDescription");
    return e ? cf::makeString(e->description()) : nullptr;
}

CFStringRef CFErrorCopyFailureReason(CFErrorRef err)
{
    auto* e = cf::checked<__CFError>(err, cf::kTypeError, "CFErrorCopyFailureReason");
    if (!e) {
        return nullptr;
    }
    std::string reason = e->failureReason();
    return reason.empty() ? nullptr : cf::makeString(std::move(reason));
}

namespace cf {
// An error in domain with code whose description is the given sentence (for our own callers).
CFErrorRef makeError(CFErrorDomain domain, CFIndex code, std::string description)
{
    CFStringRef text = makeString(std::move(description));
    const void* keys[] = {kCFErrorDescriptionKey};
    const void* values[] = {text};
    CFDictionaryRef info =
        CFDictionaryCreate(nullptr, keys, values, 1, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    CFErrorRef error = CFErrorCreate(nullptr, domain, code, info);
    CFRelease(info);
    CFRelease(text);
    return error;
}
} // namespace cf
