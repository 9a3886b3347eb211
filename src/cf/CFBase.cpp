// CFBase: allocators, the polymorphic functions (retain/release, equality, hashing,
// descriptions) and CFNull.
#include <CoreFoundation/CFBase.h>

#include <cstdio>
#include <cstdlib>

#include "CFRuntime.h"
#include "CFStringInternal.h"

// --- Allocators ------------------------------------------------------------------------------
// Every allocator hands out malloc memory; the objects exist so that the names can be passed
// around and compared, and so that kCFAllocatorNull can mean "do not free".
struct __CFAllocator final : cf::Object {
    constexpr explicit __CFAllocator(const char* name) : cf::Object(cf::kTypeAllocator, true), name(name) {}
    std::string describe() const override { return header() + "{" + name + "}"; }
    const char* name;
};

namespace {
constinit __CFAllocator gSystemDefault("kCFAllocatorSystemDefault");
constinit __CFAllocator gMalloc("kCFAllocatorMalloc");
constinit __CFAllocator gMallocZone("kCFAllocatorMallocZone");
constinit __CFAllocator gNull("kCFAllocatorNull");
constinit __CFAllocator gUseContext("kCFAllocatorUseContext");
} // namespace

const CFAllocatorRef kCFAllocatorDefault = nullptr;
const CFAllocatorRef kCFAllocatorSystemDefault = &gSystemDefault;
const CFAllocatorRef kCFAllocatorMalloc = &gMalloc;
const CFAllocatorRef kCFAllocatorMallocZone = &gMallocZone;
const CFAllocatorRef kCFAllocatorNull = &gNull;
const CFAllocatorRef kCFAllocatorUseContext = &gUseContext;

CFTypeID CFAllocatorGetTypeID(void) { return cf::kTypeAllocator; }
CFAllocatorRef CFAllocatorGetDefault(void) { return kCFAllocatorSystemDefault; }

void* CFAllocatorAllocate(CFAllocatorRef allocator, CFIndex size, CFOptionFlags)
{
    if (allocator == kCFAllocatorNull || size <= 0) {
        return nullptr;
    }
    return std::malloc(static_cast<size_t>(size));
}

void* CFAllocatorReallocate(CFAllocatorRef allocator, void* ptr, CFIndex newsize, CFOptionFlags)
{
    if (allocator == kCFAllocatorNull) {
        return nullptr;
    }
    if (newsize <= 0) {
        std::free(ptr);
        return nullptr;
    }
    return std::realloc(ptr, static_cast<size_t>(newsize));
}

void CFAllocatorDeallocate(CFAllocatorRef allocator, void* ptr)
{
    if (allocator != kCFAllocatorNull) {
        std::free(ptr);
    }
}

// --- Polymorphic functions -------------------------------------------------------------------

CFTypeID CFGetTypeID(CFTypeRef cf)
{
    if (!cf) {
        cf::reportMisuse("CFGetTypeID", "argument is NULL");
        return cf::kNotAType;
    }
    return cf::object(cf)->typeID();
}

CFStringRef CFCopyTypeIDDescription(CFTypeID type_id)
{
    const char* name = cf::typeName(type_id);
    return name ? cf::makeString(name + 2) : nullptr; // "CFString" -> "String", as macOS
}

CFTypeRef CFRetain(CFTypeRef cf)
{
    if (!cf) {
        cf::reportMisuse("CFRetain", "argument is NULL");
        return nullptr;
    }
    cf::object(cf)->retain();
    return cf;
}

void CFRelease(CFTypeRef cf)
{
    if (!cf) {
        cf::reportMisuse("CFRelease", "argument is NULL");
        return;
    }
    cf::object(cf)->release();
}

CFTypeRef CFAutorelease(CFTypeRef arg)
{
    // No autorelease pools without Objective-C: the caller's reference simply stays owned.
    return arg;
}

CFTypeRef CFMakeCollectable(CFTypeRef cf) { return cf; }

CFIndex CFGetRetainCount(CFTypeRef cf)
{
    if (!cf) {
        cf::reportMisuse("CFGetRetainCount", "argument is NULL");
        return 0;
    }
    return cf::object(cf)->retainCount();
}

Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2)
{
    if (!cf1 || !cf2) {
        cf::reportMisuse("CFEqual", "argument is NULL");
        return false;
    }
    if (cf1 == cf2) {
        return true;
    }
    const cf::Object* a = cf::object(cf1);
    const cf::Object* b = cf::object(cf2);
    return a->typeID() == b->typeID() && a->equal(*b);
}

CFHashCode CFHash(CFTypeRef cf)
{
    if (!cf) {
        cf::reportMisuse("CFHash", "argument is NULL");
        return 0;
    }
    return cf::object(cf)->hash();
}

CFStringRef CFCopyDescription(CFTypeRef cf)
{
    if (!cf) {
        return nullptr;
    }
    return cf::makeString(cf::object(cf)->describe());
}

CFAllocatorRef CFGetAllocator(CFTypeRef cf) { return cf ? kCFAllocatorSystemDefault : nullptr; }

void CFShow(CFTypeRef obj)
{
    const std::string text = cf::describe(obj);
    std::fprintf(stderr, "%s\n", text.c_str());
}

// --- CFNull -----------------------------------------------------------------------------------

struct __CFNull final : cf::Object {
    constexpr __CFNull() : cf::Object(cf::kTypeNull, true) {}
    std::string describe() const override { return header() + "{}"; }
    CFHashCode hash() const override { return 0; }
};

namespace {
constinit __CFNull gNullObject;
}

const CFNullRef kCFNull = &gNullObject;
CFTypeID CFNullGetTypeID(void) { return cf::kTypeNull; }
