// A class registers, then a later static constructor throws: the load must fail and leave the
// class unregistered.
#include <libkern/c++/OSObject.h>

#include <stdexcept>

class KextTestThrowingObject : public OSObject {
    OSDeclareDefaultStructors(KextTestThrowingObject);
};
OSDefineMetaClassAndStructors(KextTestThrowingObject, OSObject);

namespace {
struct Thrower {
    Thrower() { throw std::runtime_error("KextTestBrokenThrowing refuses to construct"); }
};
Thrower thrower;
}  // namespace
