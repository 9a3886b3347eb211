// The global class registry: class name -> metaclass, grouped by the module (kext) whose static
// constructors defined each class. Internal to the kernel library; OSMetaClass's static
// functions and the kext loader are its clients.
#pragma once

#include <libkern/c++/OSMetaClass.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// Module name of the classes built into the kernel library or a host executable (xnu's name).
inline constexpr const char* kOSMetaClassKernelModule = "__kernel__";

class OSMetaClassRegistry {
public:
    static OSMetaClassRegistry& shared();

    // From OSMetaClass's constructor and destructor (static initialisation / dlclose).
    void classConstructed(OSMetaClass* meta);
    void classDestructed(OSMetaClass* meta);

    // Allocates an instance of the named class with the registry locked for reading, so the
    // class cannot be removed (and its kext unmapped) between the look-up and the construction.
    OSObject* allocInstance(std::string_view name) const;
    const OSMetaClass* find(std::string_view name) const;

    void* beginModule(const char* kextIdentifier);
    bool checkModule(void* handle) const;
    OSReturn endModule(void* handle);

    std::vector<const OSMetaClass*> classesOfModule(std::string_view kextIdentifier) const;
    OSReturn removeModuleClasses(std::string_view kextIdentifier);
    void forEachClass(const std::function<void(const OSMetaClass*)>& visit) const;

    // Called with a kext's identifier (stable storage) after one of its classes loses its last
    // instance, outside every libkern lock. The kext loader installs OSKext::considerUnloads here
    // (xnu re-considers unloading at that moment) without libkern depending on OSKext.
    using LastInstanceHook = void (*)(const char* kextIdentifier);
    void setLastInstanceHook(LastInstanceHook hook);
    // From OSMetaClass::instanceDestructed: `module` is the class's kmodName_ read before its
    // count reached zero (after that the kext may already be unmapped).
    void lastInstanceGone(const char* module) const;

private:
    // Only shared() can make a Key, so only it constructs the registry.
    struct Key {
        explicit Key() = default;
    };

public:
    explicit OSMetaClassRegistry(Key) {}

private:

    struct PendingModule {
        const char* identifier;             // interned in moduleNames_
        std::vector<OSMetaClass*> classes;  // in construction order
    };

    const char* internModuleName(std::string_view name);  // needs mutex_ held for writing
    std::vector<std::string> duplicateNames(const PendingModule& pending) const;  // needs mutex_ held

    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string_view, OSMetaClass*> byName_;  // keys point at className_
    std::map<std::string, std::vector<OSMetaClass*>, std::less<>> modules_;
    std::set<std::string, std::less<>> moduleNames_;  // stable storage for kmodName_ pointers
    std::optional<PendingModule> pending_;
    std::atomic<LastInstanceHook> lastInstanceHook_{nullptr};

    // Held from beginModule to endModule: one module loads at a time, as in xnu.
    std::mutex loadWindow_;
};
