// Text helpers shared by the XML writers and readers (IOCFSerialize, IOCFUnserialize and the
// property-list writer): XML escaping and base64 in both directions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cf::xml {

// Appends text with <, > and & escaped, as both the kernel and CF do (quotes stay as they are).
void appendEscaped(std::string& out, std::string_view text);

// Appends bytes as one unbroken base64 run with '=' padding.
void appendBase64(std::string& out, std::span<const uint8_t> bytes);

// Decodes base64, skipping whitespace; nullopt on a character outside the alphabet or data after
// the '=' padding.
std::optional<std::vector<uint8_t>> decodeBase64(std::string_view text);

} // namespace cf::xml
