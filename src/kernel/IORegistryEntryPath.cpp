// Registry paths: getPath, getPathComponent, fromPath (xnu iokit/Kernel/IORegistryEntry.cpp
// semantics, without device-tree aliases).
//
// A path is "<plane>:" followed by "/component" for each entry below the plane's service root,
// the registry root's first child in that plane (on a Mac, the platform expert device). The
// service root itself is "<plane>:/"; the registry root ("Root") has no path. A component is the
// entry's name in the plane, plus "@location" when it has one. Looking a component up compares
// the name literally and the location as xnu does: comma- or colon-separated hex numbers,
// compared by value, missing trailing numbers counting as zero.
#include <IOKit/IORegistryEntry.h>

#include "IORegistryPlane.h"
#include "RegistryLock.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace registry = openiokit::registry;

namespace {

// Names and locations longer than an io_name_t are cut there, as in xnu.
constexpr size_t kMaxComponentPart = sizeof(io_name_t);

}  // namespace

bool IORegistryEntry::getPath(char* path, int* length, const IORegistryPlane* plane) const
{
    if (!path || !length || !plane) {
        return false;
    }
    // xnu's bounds: the path, its NUL and one spare byte must fit in *length.
    const int maxLength = *length - 2;
    const OSSymbol* planeName = plane->nameKey();
    int len = static_cast<int>(planeName->getLength());
    if (len >= maxLength) {
        return false;
    }
    std::memcpy(path, planeName->getCStringNoCopy(), len);
    path[len++] = ':';

    IORegistryEntry* root = getRegistryRoot();
    registry::ReadLocker locked;  // one consistent view of the whole chain
    const IORegistryEntry* serviceRoot = root->getChildEntry(plane);

    // This entry and its first parents, up to (not including) the service root.
    std::vector<const IORegistryEntry*> chain;
    const IORegistryEntry* parent = this;
    while (parent && parent != serviceRoot) {
        chain.push_back(parent);
        parent = parent->getParentEntry(plane);
    }
    if (!parent) {
        return false;  // not below the service root in this plane
    }

    if (chain.empty()) {
        path[len++] = '/';
        path[len] = '\0';
        *length = len;
        return true;
    }
    for (auto entry = chain.rbegin(); entry != chain.rend(); ++entry) {
        int componentLength = maxLength - len;
        if (!(*entry)->getPathComponent(path + len + 1, &componentLength, plane)) {
            return false;
        }
        if (componentLength) {
            path[len] = '/';
            len += componentLength + 1;
        }
    }
    *length = len;
    return true;
}

bool IORegistryEntry::getPathComponent(char* path, int* length, const IORegistryPlane* plane) const
{
    const char* name = getName(plane);
    const int nameLength = static_cast<int>(strnlen(name, kMaxComponentPart));
    const char* location = getLocation(plane);
    const int locationLength = location ? 1 + static_cast<int>(strnlen(location, kMaxComponentPart)) : 0;

    if (nameLength + locationLength + 1 >= *length) {
        return false;
    }
    std::memcpy(path, name, nameLength);
    path[nameLength] = '\0';
    if (location) {
        path[nameLength] = '@';
        std::memcpy(path + nameLength + 1, location, locationLength - 1);
        path[nameLength + locationLength] = '\0';
    }
    *length = nameLength + locationLength;
    return true;
}

// Compares the location at `cmp` (just after '@') with this entry's; returns where the path
// continues after a match, or NULL.
const char* IORegistryEntry::matchPathLocation(const char* cmp, const IORegistryPlane* plane)
{
    const char* ours = getLocation(plane);
    if (!ours) {
        return nullptr;
    }
    char lastPathChar = cmp[0];
    char lastLocationChar = ours[0];
    for (;;) {
        unsigned long long pathNumber = 0;
        unsigned long long locationNumber = 0;
        if (lastPathChar) {
            char* end;
            pathNumber = std::strtoull(cmp, &end, 16);
            cmp = end;
            lastPathChar = *cmp++;
        }
        if (lastLocationChar) {
            char* end;
            locationNumber = std::strtoull(ours, &end, 16);
            ours = end;
            lastLocationChar = *ours++;
        }
        if (pathNumber != locationNumber) {
            return nullptr;
        }
        if (!lastPathChar && !lastLocationChar) {
            return cmp - 1;
        }
        // Only ',' and ':' continue a location in a path; anything else ends it.
        if (lastPathChar != ',' && lastPathChar != ':') {
            lastPathChar = 0;
        }
        if (lastPathChar && lastLocationChar && lastPathChar != lastLocationChar) {
            return nullptr;
        }
    }
}

// The first child (in attach order) matching the component at *path; on a match, *path moves
// past the component. Registry lock held.
IORegistryEntry* IORegistryEntry::getChildFromComponent(const char** path, const IORegistryPlane* plane)
{
    OSArray* children = getChildSetReference(plane);
    if (!children) {
        return nullptr;
    }
    for (unsigned int index = 0; index < children->getCount(); index++) {
        IORegistryEntry* child = static_cast<IORegistryEntry*>(children->getObject(index));
        const char* cmp = *path;
        if (*cmp != '@') {
            const char* name = child->getName(plane);
            const size_t nameLength = std::strlen(name);
            if (std::strncmp(name, cmp, nameLength) != 0) {
                continue;
            }
            cmp += nameLength;
            const char next = *cmp;
            if (next == '\0' || next == '/' || next == ':') {
                *path = cmp;  // a name alone matches, whatever the child's location
                return child;
            }
            if (next != '@') {
                continue;
            }
        }
        if ((cmp = child->matchPathLocation(cmp + 1, plane))) {
            *path = cmp;
            return child;
        }
    }
    return nullptr;
}

IORegistryEntry* IORegistryEntry::fromPath(const char* path, const IORegistryPlane* plane, char* residualPath,
                                           int* residualLength, IORegistryEntry* fromEntry)
{
    if (!path) {
        return nullptr;
    }
    IORegistryEntry* root = getRegistryRoot();
    if (!plane) {
        const char* colon = std::strchr(path, ':');
        if (colon && static_cast<size_t>(colon - path) < IORegistryPlane::kMaxNameLength) {
            plane = getPlane(std::string(path, colon - path).c_str());
            path = colon + 1;
        }
    }
    if (!plane) {
        return nullptr;
    }

    registry::ReadLocker locked;
    IORegistryEntry* where = nullptr;
    IORegistryEntry* next = nullptr;
    do {
        if (!where) {
            // An absolute path starts at the service root; a relative one at fromEntry.
            if (!fromEntry && *path++ == '/') {
                fromEntry = root->getChildEntry(plane);
            }
            where = fromEntry;
            if (!where) {
                break;
            }
        } else {
            const char separator = *path++;
            if (separator != '/') {
                if (separator && separator != ':') {
                    where = nullptr;  // a component followed by garbage
                }
                break;
            }
        }
        next = where->getChildFromComponent(&path, plane);
        if (next) {
            where = next;
        }
    } while (next);

    if (where) {
        if (where != fromEntry) {
            path--;  // back onto the separator that ended the walk
        }
        if (residualPath && residualLength) {
            const int residual = static_cast<int>(strnlen(path, 65536));
            if (residual < *residualLength) {
                std::memcpy(residualPath, path, residual);
                residualPath[residual] = '\0';
            }
            *residualLength = residual;
        } else if (path[0]) {
            where = nullptr;  // unmatched components and nowhere to put them
        }
    }
    if (where) {
        where->retain();
    }
    return where;
}

IORegistryEntry* IORegistryEntry::childFromPath(const char* path, const IORegistryPlane* plane, char* residualPath,
                                                int* residualLength)
{
    return fromPath(path, plane, residualPath, residualLength, this);
}

const char* IORegistryEntry::dealiasPath(const char** opath, const IORegistryPlane* plane)
{
    return nullptr;  // no "/aliases" entries outside a device tree
}
