// XMLBridge.h: the text form objects cross the wire in, as on macOS (IOKitLib sends matching
// dictionaries and property values as XML; the kernel parses with OSUnserializeXML and answers
// with OSSerialize).
#pragma once

#include <libkern/c++/OSSharedPtr.h>
#include <libkern/c++/OSObject.h>

#include <expected>
#include <string>
#include <string_view>

namespace openiokit::daemon {

// The parsed object, or the parser's error sentence.
std::expected<OSSharedPtr<OSObject>, std::string> parseXML(std::string_view xml);
// OSSerialize text of `object` (empty on failure).
std::string serializeXML(const OSObject* object);

}  // namespace openiokit::daemon
