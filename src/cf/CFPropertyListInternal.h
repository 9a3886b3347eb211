// The pieces behind CFPropertyList.cpp: macOS's XML writer and the libplist bridge.
#pragma once

#include <CoreFoundation/CFPropertyList.h>

#include <expected>
#include <string>
#include <string_view>

namespace cf::plist {

// Why a graph is not a property list ("a CFSet is not a property-list type"), or empty if it is.
std::string invalidReason(CFPropertyListRef plist);

// The XML text macOS's CFPropertyListCreateData writes, byte for byte. plist must be valid.
std::string writeXML(CFPropertyListRef plist);

// Binary plist bytes through libplist. plist must be valid.
std::expected<std::string, std::string> writeBinary(CFPropertyListRef plist);

// Parses XML or binary plist bytes through libplist into CF objects built with the given
// CFPropertyListMutabilityOptions; reports which format it found.
std::expected<CFPropertyListRef, std::string> read(std::string_view bytes, CFOptionFlags options,
                                                   CFPropertyListFormat* format);

// A copy of a valid plist with the given CFPropertyListMutabilityOptions.
CFPropertyListRef deepCopy(CFPropertyListRef plist, CFOptionFlags options);

} // namespace cf::plist
