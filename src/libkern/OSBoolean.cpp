// OSBoolean: the two immortal boolean objects (xnu libkern/c++/OSBoolean.cpp semantics).
#include <libkern/c++/OSBoolean.h>

#include <libkern/c++/OSSerialize.h>

#include <mutex>

OSDefineMetaClassAndStructors(OSBoolean, OSObject);

namespace {
OSBoolean* gOSBooleanTrue = nullptr;
OSBoolean* gOSBooleanFalse = nullptr;
}  // namespace

// The references bind to the pointers at compile time; the pointers are set when this file's
// static initialisers run (below), before anything outside the library can run.
OSBoolean* const& kOSBooleanTrue = gOSBooleanTrue;
OSBoolean* const& kOSBooleanFalse = gOSBooleanFalse;

void OSBoolean::initialize()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Built with the metaclass-taking constructor, which does not count the instance: this
        // runs during the library's static initialisation, possibly before OSObject's metaclass
        // (another file) is constructed, and counting would walk up to it. So, unlike xnu,
        // OSBoolean's instance count does not include the two immortal instances.
        gOSBooleanTrue = new OSBoolean(&gMetaClass);
        gOSBooleanTrue->OSObject::init();
        gOSBooleanTrue->value = true;
        gOSBooleanFalse = new OSBoolean(&gMetaClass);
        gOSBooleanFalse->OSObject::init();
        gOSBooleanFalse->value = false;
    });
}

namespace {
// Runs after OSBoolean's metaclass (defined above, in this file) has been constructed.
[[maybe_unused]] const bool gBooleansCreated = (OSBoolean::initialize(), true);
}  // namespace

OSBoolean* OSBoolean::withBoolean(bool inValue)
{
    return inValue ? kOSBooleanTrue : kOSBooleanFalse;
}

// Shared, immortal instances: reference counting does nothing, and free() (reachable only
// through an explicit over-release path) keeps the object.
void OSBoolean::free() {}
void OSBoolean::taggedRetain(const void*) const {}
void OSBoolean::taggedRelease(const void*, const int) const {}

bool OSBoolean::isTrue() const
{
    return value;
}

bool OSBoolean::isFalse() const
{
    return !value;
}

bool OSBoolean::getValue() const
{
    return value;
}

bool OSBoolean::isEqualTo(const OSBoolean* aBoolean) const
{
    return aBoolean == this;
}

bool OSBoolean::isEqualTo(const OSMetaClassBase* anObject) const
{
    const OSBoolean* boolean = OSDynamicCast(OSBoolean, anObject);
    return boolean && isEqualTo(boolean);
}

bool OSBoolean::serialize(OSSerialize* serializer) const
{
    return serializer && serializer->addString(value ? "<true/>" : "<false/>");
}
