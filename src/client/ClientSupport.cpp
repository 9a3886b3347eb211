#include "ClientSupport.h"

#include <IOKit/IOCFSerialize.h>
#include <IOKit/IOCFUnserialize.h>

namespace openiokit::client {

IOReturn simpleCall(ipc::Op op, uint32_t name)
{
    Call call(op);
    call.w().u32(name);
    return call.run().result;
}

IOReturn callForU32(ipc::Op op, uint32_t name, uint32_t* out)
{
    Call call(op);
    call.w().u32(name);
    Reply reply = call.run();
    if (!reply.ok()) {
        return reply.result;
    }
    const uint32_t value = reply.fields.u32();
    if (!reply.fields.ok()) {
        return kIOReturnIPCError;
    }
    *out = value;
    return kIOReturnSuccess;
}

std::string serialize(CFTypeRef object)
{
    if (!object) {
        return {};
    }
    CFDataRef data = IOCFSerialize(object, 0);
    if (!data) {
        return {};
    }
    std::string xml(reinterpret_cast<const char*>(CFDataGetBytePtr(data)), static_cast<size_t>(CFDataGetLength(data)));
    CFRelease(data);
    while (!xml.empty() && xml.back() == '\0') {
        xml.pop_back();
    }
    return xml;
}

CFTypeRef unserialize(std::string_view xml, CFAllocatorRef allocator)
{
    const std::string text(xml);  // NUL-terminated for the parser
    CFStringRef error = nullptr;
    CFTypeRef object = IOCFUnserialize(text.c_str(), allocator, 0, &error);
    if (error) {
        CFRelease(error);
    }
    return object;
}

std::string stringFromCF(CFStringRef string)
{
    if (!string) {
        return {};
    }
    const CFIndex length = CFStringGetLength(string);
    const CFIndex capacity = CFStringGetMaximumSizeForEncoding(length, kCFStringEncodingUTF8) + 1;
    std::string out(static_cast<size_t>(capacity), '\0');
    if (!CFStringGetCString(string, out.data(), capacity, kCFStringEncodingUTF8)) {
        return {};
    }
    out.resize(std::strlen(out.c_str()));
    return out;
}

}  // namespace openiokit::client
