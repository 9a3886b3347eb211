// OSObject: intrusive atomic reference counting and the free() path.
#include <libkern/c++/OSObject.h>

#include <libkern/c++/OSString.h>

#include "ObjectFrees.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

// OSObject is the root: its metaclass has no superclass, and it cannot be allocated.
OSObject::MetaClass OSObject::gMetaClass;
const OSMetaClass* const OSObject::metaClass = &OSObject::gMetaClass;
const OSMetaClass* const OSObject::superClass = nullptr;
OSObject::MetaClass::MetaClass() : OSMetaClass("OSObject", nullptr, sizeof(OSObject)) {}
OSObject* OSObject::MetaClass::alloc() const { return nullptr; }
const OSMetaClass* OSObject::getMetaClass() const { return &gMetaClass; }

// Every object starts with the one reference its creator owns.
OSObject::OSObject(const OSMetaClass*) : retainCount_(1) {}
OSObject::~OSObject() = default;

void* OSObject::operator new(size_t size)
{
    void* memory = ::operator new(size);
    std::memset(memory, 0, size);
    return memory;
}

void OSObject::operator delete(void* memory, size_t)
{
    ::operator delete(memory);
}

namespace {
[[noreturn]] void diagnoseRefcount(const OSObject* object, const char* what, int count)
{
    // Reading the class name is safe here: the object's storage is still ours (its free() is
    // running or has not started); a release after the storage was deleted is use-after-free,
    // which only the sanitizers can see.
    const OSMetaClass* meta = object->getMetaClass();
    std::fprintf(stderr, "libkern: fatal: %s of %s %p with retain count %d\n", what,
                 meta ? meta->getClassName() : "?", static_cast<const void*>(object), count);
    std::abort();
}
}  // namespace

int OSObject::getRetainCount() const
{
    return __atomic_load_n(&retainCount_, __ATOMIC_RELAXED);
}

void OSObject::taggedRetain(const void*) const
{
    int before = __atomic_fetch_add(&retainCount_, 1, __ATOMIC_RELAXED);
    if (before <= 0) {
        diagnoseRefcount(this, "retain of a freed object", before);
    }
}

namespace {

// Threads inside free(), overall and on this thread (a free() may release further objects,
// and its own thread must not wait for itself in drainObjectFrees).
std::atomic<int> gFreesInFlight{0};
thread_local int tFreesInFlight = 0;

struct FreeInFlight {
    FreeInFlight()
    {
        gFreesInFlight.fetch_add(1, std::memory_order_seq_cst);
        ++tFreesInFlight;
    }
    ~FreeInFlight()
    {
        --tFreesInFlight;
        gFreesInFlight.fetch_sub(1, std::memory_order_seq_cst);
    }
    FreeInFlight(const FreeInFlight&) = delete;
    FreeInFlight& operator=(const FreeInFlight&) = delete;
};

}  // namespace

void openiokit::drainObjectFrees()
{
    while (gFreesInFlight.load(std::memory_order_seq_cst) > tFreesInFlight) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
}

void OSObject::taggedRelease(const void* tag, const int freeWhen) const
{
    int count = __atomic_load_n(&retainCount_, __ATOMIC_RELAXED);
    int next;
    do {
        if (count <= 0) {
            diagnoseRefcount(this, "over-release", count);
        }
        // As xnu: the object goes when the count before this release is at most freeWhen.
        next = count <= freeWhen ? 0 : count - 1;
    } while (!__atomic_compare_exchange_n(&retainCount_, &count, next, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    if (next == 0) {
        FreeInFlight inFlight;  // see ObjectFrees.h
        const_cast<OSObject*>(this)->free();
    }
}

void OSObject::taggedRelease(const void* tag) const
{
    taggedRelease(tag, 1);
}

void OSObject::retain() const
{
    taggedRetain(nullptr);
}

void OSObject::release() const
{
    taggedRelease(nullptr, 1);
}

void OSObject::release(int freeWhen) const
{
    taggedRelease(nullptr, freeWhen);
}

bool OSObject::init()
{
    return true;
}

void OSObject::free()
{
    if (const OSMetaClass* meta = getMetaClass()) {
        meta->instanceDestructed();
    }
    delete this;
}

bool OSObject::serialize(OSSerialize* serializer) const
{
    // As xnu: an object with no serialize() of its own appears as a descriptive string.
    char text[160];
    std::snprintf(text, sizeof text, "%s is not serializable", getMetaClass()->getClassName());
    OSString* string = OSString::withCString(text);
    if (!string) {
        return false;
    }
    bool ok = string->serialize(serializer);
    string->release();
    return ok;
}
