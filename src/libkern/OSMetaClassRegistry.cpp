#include "OSMetaClassRegistry.h"
#include "common/NoDestructor.h"

#include <IOKit/IOLib.h>
#include <libkern/c++/OSObject.h>

#include <algorithm>
#include <cstring>

OSMetaClassRegistry& OSMetaClassRegistry::shared()
{
    // Immortal on purpose: metaclasses of the kernel library and of kexts are destroyed by
    // static destructors and dlclose in no particular order relative to this registry, and all
    // of them deregister here.
    static openiokit::NoDestructor<OSMetaClassRegistry> registry{Key{}};
    return *registry;
}

const char* OSMetaClassRegistry::internModuleName(std::string_view name)
{
    return moduleNames_.emplace(name).first->c_str();
}

void OSMetaClassRegistry::classConstructed(OSMetaClass* meta)
{
    std::unique_lock lock(mutex_);
    if (pending_) {
        // Inside a module-load window: the class belongs to the loading kext and becomes
        // visible only when postModLoad accepts the whole module.
        meta->kmodName_ = pending_->identifier;
        pending_->classes.push_back(meta);
        return;
    }
    // Built into the kernel library or into the host executable.
    meta->kmodName_ = internModuleName(kOSMetaClassKernelModule);
    if (!byName_.emplace(meta->getClassName(), meta).second) {
        lock.unlock();
        IOLog("OSMetaClass: class %s is defined twice in the kernel; the second definition is ignored.\n",
              meta->getClassName());
        return;
    }
    modules_[kOSMetaClassKernelModule].push_back(meta);
}

void OSMetaClassRegistry::classDestructed(OSMetaClass* meta)
{
    std::unique_lock lock(mutex_);
    if (pending_) {
        std::erase(pending_->classes, meta);
    }
    auto found = byName_.find(meta->getClassName());
    if (found != byName_.end() && found->second == meta) {
        byName_.erase(found);
    }
    if (meta->kmodName_) {
        if (auto module = modules_.find(meta->kmodName_); module != modules_.end()) {
            std::erase(module->second, meta);
            if (module->second.empty()) {
                modules_.erase(module);
            }
        }
    }
}

const OSMetaClass* OSMetaClassRegistry::find(std::string_view name) const
{
    std::shared_lock lock(mutex_);
    auto found = byName_.find(name);
    return found == byName_.end() ? nullptr : found->second;
}

OSObject* OSMetaClassRegistry::allocInstance(std::string_view name) const
{
    std::shared_lock lock(mutex_);
    auto found = byName_.find(name);
    return found == byName_.end() ? nullptr : found->second->alloc();
}

void* OSMetaClassRegistry::beginModule(const char* kextIdentifier)
{
    if (!kextIdentifier || !*kextIdentifier) {
        return nullptr;
    }
    loadWindow_.lock();  // released by endModule
    std::unique_lock lock(mutex_);
    pending_.emplace(PendingModule{internModuleName(kextIdentifier), {}});
    return &*pending_;
}

std::vector<std::string> OSMetaClassRegistry::duplicateNames(const PendingModule& pending) const
{
    std::vector<std::string> duplicates;
    std::set<std::string_view> seen;
    for (const OSMetaClass* meta : pending.classes) {
        if (byName_.contains(meta->getClassName()) || !seen.insert(meta->getClassName()).second) {
            duplicates.emplace_back(meta->getClassName());
        }
    }
    return duplicates;
}

bool OSMetaClassRegistry::checkModule(void* handle) const
{
    std::shared_lock lock(mutex_);
    return pending_ && handle == &*pending_ && duplicateNames(*pending_).empty();
}

OSReturn OSMetaClassRegistry::endModule(void* handle)
{
    std::unique_lock lock(mutex_);
    if (!pending_ || handle != &*pending_) {
        return kOSMetaClassInternal;
    }
    PendingModule module = std::move(*pending_);
    pending_.reset();

    OSReturn result = kOSReturnSuccess;
    const std::vector<std::string> duplicates = duplicateNames(module);
    if (duplicates.empty()) {
        for (OSMetaClass* meta : module.classes) {
            byName_.emplace(meta->getClassName(), meta);
        }
        auto& classes = modules_[module.identifier];
        classes.insert(classes.end(), module.classes.begin(), module.classes.end());
    } else {
        // Nothing of the module is registered: the loader unloads it, and the metaclasses'
        // destructors then find nothing to remove.
        for (OSMetaClass* meta : module.classes) {
            meta->kmodName_ = nullptr;
        }
        result = kOSMetaClassDuplicateClass;
    }
    lock.unlock();
    loadWindow_.unlock();

    for (const auto& name : duplicates) {
        IOLog("OSMetaClass: Kext %s class %s is a duplicate; kext %s not loaded.\n", module.identifier,
              name.c_str(), module.identifier);
    }
    return result;
}

std::vector<const OSMetaClass*> OSMetaClassRegistry::classesOfModule(std::string_view kextIdentifier) const
{
    std::shared_lock lock(mutex_);
    auto module = modules_.find(kextIdentifier);
    if (module == modules_.end()) {
        return {};
    }
    return {module->second.begin(), module->second.end()};
}

OSReturn OSMetaClassRegistry::removeModuleClasses(std::string_view kextIdentifier)
{
    // The write lock excludes allocInstance, so no instance can appear between the check and
    // the removal.
    std::unique_lock lock(mutex_);
    auto module = modules_.find(kextIdentifier);
    if (module == modules_.end()) {
        return kOSReturnSuccess;
    }
    bool hasInstances = std::any_of(module->second.begin(), module->second.end(),
                                    [](const OSMetaClass* meta) { return meta->getInstanceCount() != 0; });
    if (hasInstances) {
        return kOSMetaClassHasInstances;
    }
    for (OSMetaClass* meta : module->second) {
        auto found = byName_.find(meta->getClassName());
        if (found != byName_.end() && found->second == meta) {
            byName_.erase(found);
        }
        meta->kmodName_ = nullptr;
    }
    modules_.erase(module);
    return kOSReturnSuccess;
}

void OSMetaClassRegistry::forEachClass(const std::function<void(const OSMetaClass*)>& visit) const
{
    std::shared_lock lock(mutex_);
    for (const auto& [name, meta] : byName_) {
        visit(meta);
    }
}

void OSMetaClassRegistry::setLastInstanceHook(LastInstanceHook hook)
{
    lastInstanceHook_.store(hook, std::memory_order_release);
}

void OSMetaClassRegistry::lastInstanceGone(const char* module) const
{
    // Classes of the kernel itself never unload, and a removed or rejected class has no module.
    if (!module || std::strcmp(module, kOSMetaClassKernelModule) == 0) {
        return;
    }
    if (LastInstanceHook hook = lastInstanceHook_.load(std::memory_order_acquire)) {
        hook(module);
    }
}
