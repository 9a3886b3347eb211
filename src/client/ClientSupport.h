// ClientSupport.h: small helpers shared by the IOKitLib source files.
#pragma once

#include "Connection.h"

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOKitLib.h>

#include <cstring>
#include <string>
#include <string_view>

namespace openiokit::client {

// Copies `text` into a fixed C buffer (io_name_t, io_string_t), truncating, always terminated.
template <size_t N>
void copyOut(char (&out)[N], std::string_view text)
{
    const size_t n = text.size() < N - 1 ? text.size() : N - 1;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}
inline void copyOut(char* out, size_t capacity, std::string_view text)
{
    const size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

// A C string argument that may be NULL ("" then).
inline std::string_view text(const char* s)
{
    return s ? std::string_view(s, strnlen(s, 4096)) : std::string_view();
}

// A request with one name argument and no reply fields.
IOReturn simpleCall(ipc::Op op, uint32_t name);

// A request whose reply is one u32 (a name, a count, a flag).
IOReturn callForU32(ipc::Op op, uint32_t name, uint32_t* out);

// CF <-> the XML text on the wire (IOCFSerialize / IOCFUnserialize, Apple's split).
std::string serialize(CFTypeRef object);  // empty on failure
CFTypeRef unserialize(std::string_view xml, CFAllocatorRef allocator);  // NULL on failure
std::string stringFromCF(CFStringRef string);

}  // namespace openiokit::client
