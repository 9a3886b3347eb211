// What other CF files need from CFString: the object itself and a factory from UTF-8.
#pragma once

#include <CoreFoundation/CFString.h>

#include <string>
#include <string_view>

#include "CFRuntime.h"

struct __CFString final : cf::Object {
    explicit __CFString(std::string text, bool isMutable);

    bool equal(const cf::Object& other) const override;
    CFHashCode hash() const override;
    std::string describe() const override { return utf8; }
    std::string formattingDescription() const override { return utf8; }

    // Call after every change to utf8.
    void textChanged();

    std::string utf8;
    CFIndex utf16Length = 0;
    bool isASCII = true;
    const bool isMutable;
};

namespace cf {
// A new (retained) immutable string; text must be valid UTF-8.
CFStringRef makeString(std::string text);
// The string's UTF-8 text; an empty view for NULL or a non-string (with a report).
std::string_view text(CFStringRef string, const char* function);
// Is the byte sequence valid UTF-8 (no overlongs, no surrogates)?
bool isValidUTF8(std::string_view bytes);
} // namespace cf
