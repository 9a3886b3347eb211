// IORegistryPlane: one named topology of the registry ("IOService", "IOPower", ...).
//
// Private to the kernel, as in xnu, where <IOKit/IORegistryEntry.h> only forward-declares the
// class and kexts hold planes as opaque `const IORegistryPlane *` (gIOServicePlane). A plane is
// nothing but the set of keys under which each entry keeps its links, name and location for that
// plane (xnu's naming: "<plane>ParentLinks", "<plane>ChildLinks", "<plane>Name",
// "<plane>Location"). The plane table holds a reference to each plane, and makePlane hands its
// caller another, which callers keep for the life of the process (gIOServicePlane).
#pragma once

#include <libkern/c++/OSObject.h>
#include <libkern/c++/OSSharedPtr.h>
#include <libkern/c++/OSSymbol.h>

class OSDictionary;

class IORegistryPlane : public OSObject {
    OSDeclareDefaultStructors(IORegistryPlane);

public:
    // Longest plane name kept (xnu's kIOMaxPlaneName); longer names are truncated.
    static constexpr size_t kMaxNameLength = 32;

    // A new plane (retained) with the keys for `name`; not yet in the plane table.
    static IORegistryPlane* withName(const char* name);

    const OSSymbol* nameKey() const { return nameKey_.get(); }
    const OSSymbol* parentLinksKey() const { return parentLinksKey_.get(); }
    const OSSymbol* childLinksKey() const { return childLinksKey_.get(); }
    const OSSymbol* pathNameKey() const { return pathNameKey_.get(); }
    const OSSymbol* pathLocationKey() const { return pathLocationKey_.get(); }

    // A plane serializes as its name, which is how the root's "IORegistryPlanes" property reads.
    bool serialize(OSSerialize* serializer) const override;

protected:
    void free() override;

private:
    OSSharedPtr<const OSSymbol> nameKey_;
    OSSharedPtr<const OSSymbol> parentLinksKey_;
    OSSharedPtr<const OSSymbol> childLinksKey_;
    OSSharedPtr<const OSSymbol> pathNameKey_;
    OSSharedPtr<const OSSymbol> pathLocationKey_;
};

namespace openiokit::registry {

// The plane table (name -> plane). Both functions take the registry lock themselves.
// Adds `plane` under its name; an existing plane of that name is replaced in the table, as in
// xnu (it lives on through the reference its maker kept).
void addPlane(IORegistryPlane* plane);
// Borrowed (the table keeps planes alive), or NULL.
const IORegistryPlane* findPlane(const char* name);
// A copy of the plane table (retained), for the root's "IORegistryPlanes" property.
OSDictionary* copyPlaneTable();

}  // namespace openiokit::registry
