// Helpers shared by the registry tests (test_io_registry_*.cpp).
#pragma once

#include <IOKit/IORegistryEntry.h>
#include <libkern/c++/OSSharedPtr.h>

#include <string>
#include <vector>

// A registry entry subclass whose live instances the tests count (leak checks) and whose
// attach/detach overrides record the calls, to check that both directions reach them.
class RegistryTestEntry : public IORegistryEntry {
    OSDeclareDefaultStructors(RegistryTestEntry);

public:
    bool attachToChild(IORegistryEntry* child, const IORegistryPlane* plane) override;
    void detachFromChild(IORegistryEntry* child, const IORegistryPlane* plane) override;

    int attachToChildCalls;   // zero-filled by OSObject's allocator
    int detachFromChildCalls;
};

namespace regtest {

template <typename T>
OSSharedPtr<T> adopt(T* object)
{
    return OSSharedPtr<T>(object, OSNoRetain);
}

// A plane private to the calling test file (made on first use, then found by name).
const IORegistryPlane* plane(const char* name);

// A new, initialised RegistryTestEntry, optionally named and located.
OSSharedPtr<RegistryTestEntry> entry(const char* name = nullptr, const char* location = nullptr);

// How many RegistryTestEntry instances are alive.
unsigned int liveEntries();

// getPath as a std::string ("<failed>" when getPath fails).
std::string pathOf(const IORegistryEntry* entry, const IORegistryPlane* plane);

// The names of the entries an iterator returns, in order, joined by spaces.
std::string walk(IORegistryIterator* iter);

// Attaches a fresh entry below the registry root in `plane` so that it is the plane's service
// root ("<plane>:/"), and detaches the whole subtree again when destroyed. For planes whose
// root already has a first child (the real IOService plane, once IOService exists) it reuses
// that child and leaves it attached, detaching only what the test attached below it.
class ServiceRoot {
public:
    explicit ServiceRoot(const IORegistryPlane* plane);
    ~ServiceRoot();
    IORegistryEntry* get() const { return root_.get(); }

private:
    const IORegistryPlane* plane_;
    OSSharedPtr<IORegistryEntry> root_;
    bool owned_;
    std::vector<OSSharedPtr<IORegistryEntry>> childrenBefore_;
};

}  // namespace regtest
