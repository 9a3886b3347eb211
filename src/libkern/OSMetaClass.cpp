// OSMetaClassBase and OSMetaClass: casts, instance accounting, look-up by name, module hooks.
#include <libkern/c++/OSMetaClass.h>

#include "OSMetaClassRegistry.h"

#include <IOKit/IOLib.h>
#include <libkern/c++/OSDictionary.h>
#include <libkern/c++/OSNumber.h>
#include <libkern/c++/OSString.h>
#include <libkern/c++/OSSymbol.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace {

// The metaclass of metaclasses, so that OSDynamicCast and getMetaClass work on them too.
class OSMetaClassMeta final : public OSMetaClass {
public:
    OSMetaClassMeta() : OSMetaClass("OSMetaClass", nullptr, sizeof(OSMetaClass)) {}
    OSObject* alloc() const override { return nullptr; }
};
const OSMetaClassMeta gOSMetaClassMeta;

// Serialises the 0<->1 transitions of instance counts (see instanceConstructed).
std::mutex gInstanceTransitionLock;

[[noreturn]] void diagnose(const char* what, const char* className)
{
    std::fprintf(stderr, "libkern: fatal: %s (class %s)\n", what, className);
    std::abort();
}

const char* cStringOf(const OSString* string)
{
    return string ? string->getCStringNoCopy() : nullptr;
}

}  // namespace

// --- OSMetaClassBase --------------------------------------------------------------------------

OSMetaClassBase::OSMetaClassBase() = default;
OSMetaClassBase::~OSMetaClassBase() = default;

void OSMetaClassBase::initialize() {}

bool OSMetaClassBase::isEqualTo(const OSMetaClassBase* anObject) const
{
    return this == anObject;
}

OSMetaClassBase* OSMetaClassBase::metaCast(const OSMetaClass* toMeta) const
{
    if (!toMeta) {
        return nullptr;
    }
    for (const OSMetaClass* meta = getMetaClass(); meta; meta = meta->getSuperClass()) {
        if (meta == toMeta) {
            return const_cast<OSMetaClassBase*>(this);
        }
    }
    return nullptr;
}

OSMetaClassBase* OSMetaClassBase::metaCast(const char* toMeta) const
{
    if (!toMeta) {
        return nullptr;
    }
    for (const OSMetaClass* meta = getMetaClass(); meta; meta = meta->getSuperClass()) {
        if (std::strcmp(meta->getClassName(), toMeta) == 0) {
            return const_cast<OSMetaClassBase*>(this);
        }
    }
    return nullptr;
}

OSMetaClassBase* OSMetaClassBase::metaCast(const OSSymbol* toMeta) const
{
    return metaCast(cStringOf(toMeta));
}

OSMetaClassBase* OSMetaClassBase::metaCast(const OSString* toMeta) const
{
    return metaCast(cStringOf(toMeta));
}

OSMetaClassBase* OSMetaClassBase::safeMetaCast(const OSMetaClassBase* me, const OSMetaClass* toType)
{
    return me ? me->metaCast(toType) : nullptr;
}

bool OSMetaClassBase::checkTypeInst(const OSMetaClassBase* inst, const OSMetaClassBase* typeinst)
{
    return inst && typeinst && inst->metaCast(typeinst->getMetaClass()) != nullptr;
}

// --- OSMetaClass: construction and identity ---------------------------------------------------

OSMetaClass::OSMetaClass(const char* className, const OSMetaClass* superclass, unsigned int classSize)
    : className_(className), superClassLink_(superclass), classSize_(classSize), instanceCount_(0),
      classNameSymbol_(nullptr), kmodNameSymbol_(nullptr), kmodName_(nullptr)
{
    OSMetaClassRegistry::shared().classConstructed(this);
}

OSMetaClass::~OSMetaClass()
{
    OSMetaClassRegistry::shared().classDestructed(this);
    // The name symbols are shared, interned objects; dropping them here would race with the
    // kext's unmapping for nothing, so they stay in the pool (a few bytes per class ever loaded).
}

const OSMetaClass* OSMetaClass::getMetaClass() const
{
    return &gOSMetaClassMeta;
}

const char* OSMetaClass::getClassName() const
{
    return className_;
}

unsigned int OSMetaClass::getClassSize() const
{
    return classSize_;
}

const OSMetaClass* OSMetaClass::getSuperClass() const
{
    return superClassLink_;
}

namespace {
// Creates the symbol for `text` on first use; the slot keeps that one reference forever.
const OSSymbol* lazySymbol(const OSSymbol*& slot, const char* text)
{
    const OSSymbol* current = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
    if (current || !text) {
        return current;
    }
    const OSSymbol* created = OSSymbol::withCString(text);
    if (!__atomic_compare_exchange_n(&slot, &current, created, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        created->release();  // another thread won; `current` now holds its symbol
        return current;
    }
    return created;
}
}  // namespace

const OSSymbol* OSMetaClass::getClassNameSymbol() const
{
    return lazySymbol(classNameSymbol_, className_);
}

const OSSymbol* OSMetaClass::getKmodName() const
{
    return lazySymbol(kmodNameSymbol_, kmodName_);
}

// --- Instance accounting ----------------------------------------------------------------------
//
// count(C) = live instances whose most-derived class is C + direct subclasses of C that have a
// non-zero count (iokit-semantics.md §1.6). Only zero crossings propagate to the superclass.
// Counts away from zero change with a lock-free CAS; crossings take one global lock, so a
// subclass going 0->1 on one thread and 1->0 on another reach the superclass in that order.

unsigned int OSMetaClass::getInstanceCount() const
{
    return static_cast<unsigned int>(__atomic_load_n(&instanceCount_, __ATOMIC_ACQUIRE));
}

void OSMetaClass::instanceConstructed() const
{
    int count = __atomic_load_n(&instanceCount_, __ATOMIC_RELAXED);
    while (count > 0) {
        if (__atomic_compare_exchange_n(&instanceCount_, &count, count + 1, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            return;
        }
    }
    std::lock_guard lock(gInstanceTransitionLock);
    for (const OSMetaClass* meta = this; meta; meta = meta->superClassLink_) {
        if (__atomic_fetch_add(&meta->instanceCount_, 1, __ATOMIC_ACQ_REL) != 0) {
            break;  // the superclass already counts this subclass
        }
    }
}

void OSMetaClass::instanceDestructed() const
{
    int count = __atomic_load_n(&instanceCount_, __ATOMIC_RELAXED);
    while (count > 1) {
        if (__atomic_compare_exchange_n(&instanceCount_, &count, count - 1, true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            return;
        }
    }
    // Read while this class still has an instance: once the count is zero its kext may unload.
    const char* module = kmodName_;
    bool lastInstance = false;
    {
        std::lock_guard lock(gInstanceTransitionLock);
        for (const OSMetaClass* meta = this; meta; meta = meta->superClassLink_) {
            int before = __atomic_fetch_sub(&meta->instanceCount_, 1, __ATOMIC_ACQ_REL);
            if (before <= 0) {
                diagnose("instance count went below zero: an object was freed twice", meta->className_);
            }
            if (before != 1) {
                break;  // the class still has instances, so its superclass's count is unchanged
            }
            lastInstance = lastInstance || meta == this;
        }
    }
    if (lastInstance) {
        OSMetaClassRegistry::shared().lastInstanceGone(module);  // xnu: OSKext::considerUnloads
    }
}

// --- Look-up and allocation by name -----------------------------------------------------------

const OSMetaClass* OSMetaClass::getMetaClassWithName(const char* name)
{
    return name ? OSMetaClassRegistry::shared().find(name) : nullptr;
}

const OSMetaClass* OSMetaClass::getMetaClassWithName(const OSSymbol* name)
{
    return getMetaClassWithName(cStringOf(name));
}

OSObject* OSMetaClass::allocClassWithName(const char* name)
{
    return name ? OSMetaClassRegistry::shared().allocInstance(name) : nullptr;
}

OSObject* OSMetaClass::allocClassWithName(const OSSymbol* name)
{
    return allocClassWithName(cStringOf(name));
}

OSObject* OSMetaClass::allocClassWithName(const OSString* name)
{
    return allocClassWithName(cStringOf(name));
}

OSMetaClassBase* OSMetaClass::checkMetaCastWithName(const char* className, const OSMetaClassBase* object)
{
    return object ? object->metaCast(className) : nullptr;
}

OSMetaClassBase* OSMetaClass::checkMetaCastWithName(const OSSymbol* className, const OSMetaClassBase* object)
{
    return checkMetaCastWithName(cStringOf(className), object);
}

OSMetaClassBase* OSMetaClass::checkMetaCastWithName(const OSString* className, const OSMetaClassBase* object)
{
    return checkMetaCastWithName(cStringOf(className), object);
}

OSMetaClassBase* OSMetaClass::checkMetaCast(const OSMetaClassBase* object) const
{
    return object ? object->metaCast(this) : nullptr;
}

// --- Module hooks -----------------------------------------------------------------------------

void* OSMetaClass::preModLoad(const char* kextIdentifier)
{
    return OSMetaClassRegistry::shared().beginModule(kextIdentifier);
}

bool OSMetaClass::checkModLoad(void* loadHandle)
{
    return OSMetaClassRegistry::shared().checkModule(loadHandle);
}

OSReturn OSMetaClass::postModLoad(void* loadHandle)
{
    return OSMetaClassRegistry::shared().endModule(loadHandle);
}

bool OSMetaClass::modHasInstance(const char* kextIdentifier)
{
    if (!kextIdentifier) {
        return false;
    }
    for (const OSMetaClass* meta : OSMetaClassRegistry::shared().classesOfModule(kextIdentifier)) {
        if (meta->getInstanceCount() != 0) {
            return true;
        }
    }
    return false;
}

void OSMetaClass::reportModInstances(const char* kextIdentifier)
{
    if (!kextIdentifier) {
        return;
    }
    for (const OSMetaClass* meta : OSMetaClassRegistry::shared().classesOfModule(kextIdentifier)) {
        unsigned int count = meta->getInstanceCount();
        if (count != 0) {
            IOLog("    Kext %s class %s has %u instance%s.\n", kextIdentifier, meta->getClassName(), count,
                  count == 1 ? "" : "s");
        }
    }
}

OSReturn OSMetaClass::removeClasses(const char* kextIdentifier)
{
    return kextIdentifier ? OSMetaClassRegistry::shared().removeModuleClasses(kextIdentifier)
                          : kOSReturnError;
}

void OSMetaClass::serializeClassDictionary(OSDictionary* dictionary)
{
    if (!dictionary) {
        return;
    }
    OSMetaClassRegistry::shared().forEachClass([dictionary](const OSMetaClass* meta) {
        if (OSNumber* count = OSNumber::withNumber(meta->getInstanceCount(), 32)) {
            dictionary->setObject(meta->getClassName(), count);
            count->release();
        }
    });
}

void OSMetaClass::printInstanceCounts()
{
    OSMetaClassRegistry::shared().forEachClass([](const OSMetaClass* meta) {
        unsigned int count = meta->getInstanceCount();
        IOLog("%24s count: %03u x 0x%03x = 0x%06x\n", meta->getClassName(), count, meta->getClassSize(),
              count * meta->getClassSize());
    });
}

// --- Metaclasses are static: no reference counting --------------------------------------------

int OSMetaClass::getRetainCount() const { return 0; }
void OSMetaClass::retain() const {}
void OSMetaClass::release() const {}
void OSMetaClass::release(int) const {}
void OSMetaClass::taggedRetain(const void*) const {}
void OSMetaClass::taggedRelease(const void*) const {}
void OSMetaClass::taggedRelease(const void*, const int) const {}

bool OSMetaClass::serialize(OSSerialize* serializer) const
{
    const OSSymbol* name = getClassNameSymbol();
    return name && name->serialize(serializer);
}

void OSMetaClass::reservedCalled(int index) const
{
    char what[96];
    std::snprintf(what, sizeof what, "a reserved virtual slot (%d) was called", index);
    diagnose(what, className_);
}
