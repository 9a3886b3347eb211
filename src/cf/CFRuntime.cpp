// cf::Object: reference counting, type names and the misuse report.
#include "CFRuntime.h"

#include <cinttypes>
#include <cstdlib>

namespace cf {

const char* typeName(CFTypeID type)
{
    switch (type) {
    case kTypeNull: return "CFNull";
    case kTypeAllocator: return "CFAllocator";
    case kTypeString: return "CFString";
    case kTypeBoolean: return "CFBoolean";
    case kTypeNumber: return "CFNumber";
    case kTypeData: return "CFData";
    case kTypeArray: return "CFArray";
    case kTypeDictionary: return "CFDictionary";
    case kTypeSet: return "CFSet";
    case kTypeDate: return "CFDate";
    case kTypeURL: return "CFURL";
    case kTypeError: return "CFError";
    case kTypeRunLoop: return "CFRunLoop";
    case kTypeRunLoopSource: return "CFRunLoopSource";
    case kTypeRunLoopTimer: return "CFRunLoopTimer";
    case kTypeFileDescriptor: return "CFFileDescriptor";
    default: return nullptr;
    }
}

void Object::retain() const
{
    if (!immortal_) {
        refCount_.fetch_add(1, std::memory_order_relaxed);
    }
}

bool Object::release() const
{
    if (immortal_) {
        return false;
    }
    const CFIndex previous = refCount_.fetch_sub(1, std::memory_order_acq_rel);
    if (previous <= 0) {
        std::fprintf(stderr, "CoreFoundation: fatal: over-release of %s %p\n", typeName(type_) ?: "object",
                     static_cast<const void*>(this));
        std::abort();
    }
    if (previous == 1) {
        delete this;
        return true;
    }
    return false;
}

CFIndex Object::retainCount() const
{
    // macOS reports a huge count for objects that are never freed.
    return immortal_ ? CFIndex(INT64_MAX) : refCount_.load(std::memory_order_relaxed);
}

std::string Object::header() const
{
    char text[96];
    std::snprintf(text, sizeof text, "<%s %p>", typeName(type_) ?: "CFType", static_cast<const void*>(this));
    return text;
}

std::string Object::describe() const
{
    return header();
}

void reportMisuse(const char* function, std::string_view what)
{
    std::fprintf(stderr, "CoreFoundation: %s: %.*s; ignored\n", function, static_cast<int>(what.size()), what.data());
}

CFHashCode hashBytes(const void* bytes, size_t length)
{
    // FNV-1a: stable, cheap, good enough for small keys.
    uint64_t hash = 1469598103934665603ULL;
    auto* p = static_cast<const unsigned char*>(bytes);
    for (size_t i = 0; i < length; i++) {
        hash = (hash ^ p[i]) * 1099511628211ULL;
    }
    return static_cast<CFHashCode>(hash);
}

std::string describe(CFTypeRef ref)
{
    return ref ? object(ref)->describe() : std::string("(null)");
}

std::string formatDescribe(CFTypeRef ref)
{
    return ref ? object(ref)->formattingDescription() : std::string("(null)");
}

} // namespace cf
