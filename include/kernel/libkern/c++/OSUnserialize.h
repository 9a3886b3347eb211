// <libkern/c++/OSUnserialize.h>: reads the XML that OSSerialize writes (and plist XML).
#pragma once

#include <libkern/c++/OSObject.h>
#include <stddef.h>

class OSString;

// Parses `buffer` (NUL-terminated) and returns a retained object, or NULL. On failure, when
// `errorString` is given, *errorString receives a retained OSString describing the problem and
// the line it was found on. Hostile input (deep nesting, huge sizes, malformed tags, invalid
// numbers) fails cleanly; see docs/differences.md for the limits.
OSObject* OSUnserializeXML(const char* buffer, OSString** errorString = nullptr);
// As above, for a buffer of `bufferSize` bytes (a trailing NUL is allowed, not required).
OSObject* OSUnserializeXML(const char* buffer, size_t bufferSize, OSString** errorString = nullptr);
// The older plain-text format is not supported; always returns NULL with an explanation.
OSObject* OSUnserialize(const char* buffer, OSString** errorString = nullptr);
