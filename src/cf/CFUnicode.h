// UTF-8 <-> UTF-16/UTF-32 and the legacy single-byte encodings, for CFString. Strings are
// stored as UTF-8; CF's indices count UTF-16 units, so range operations convert through these.
#pragma once

#include <CoreFoundation/CFString.h>

#include <optional>
#include <string>
#include <string_view>

namespace cf::unicode {

// Decodes bytes in `encoding` into UTF-8; nullopt if they are not valid in that encoding or the
// encoding is unsupported.
std::optional<std::string> decode(std::string_view bytes, CFStringEncoding encoding, bool externalRepresentation);

// Encodes UTF-8 into `encoding`. Characters the encoding lacks become lossByte, or make the
// conversion fail (nullopt) when lossByte is 0.
std::optional<std::string> encode(std::string_view utf8, CFStringEncoding encoding, UInt8 lossByte,
                                  bool externalRepresentation);

std::u16string toUTF16(std::string_view utf8);
// Unpaired surrogates become U+FFFD (UTF-8 cannot carry them).
std::string fromUTF16(std::u16string_view utf16);

bool isSupported(CFStringEncoding encoding);

} // namespace cf::unicode
