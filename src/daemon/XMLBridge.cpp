#include "XMLBridge.h"

#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSString.h>
#include <libkern/c++/OSUnserialize.h>

namespace openiokit::daemon {

std::expected<OSSharedPtr<OSObject>, std::string> parseXML(std::string_view xml)
{
    OSString* error = nullptr;
    // OSUnserializeXML wants NUL-terminated text; the wire string is not.
    const std::string text(xml);
    OSSharedPtr<OSObject> object(OSUnserializeXML(text.c_str(), &error), OSNoRetain);
    OSSharedPtr<OSString> errorText(error, OSNoRetain);
    if (!object) {
        return std::unexpected(errorText ? std::string(errorText->getCStringNoCopy()) : std::string("not XML"));
    }
    return object;
}

std::string serializeXML(const OSObject* object)
{
    if (!object) {
        return {};
    }
    OSSharedPtr<OSSerialize> s(OSSerialize::withCapacity(4096), OSNoRetain);
    if (!s || !object->serialize(s.get())) {
        return {};
    }
    return std::string(s->text());
}

}  // namespace openiokit::daemon
