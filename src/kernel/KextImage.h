// A kext's executable mapped into the process: dlopen(RTLD_NOW | RTLD_LOCAL) inside the
// OSMetaClass module window, the kext's static constructors (moved by openiokit_add_kext out of
// .init_array, so an exception in one is reported, not fatal), the kmod_info start routine, and
// the reverse on unload. A failed load leaves nothing behind: classes unregistered, log
// attribution and address range dropped, object closed.
#pragma once

#include "KextBundle.h"

#include <mach/kmod.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

namespace openiokit::kexts {

// What OSKextGetCurrentIdentifier & co answer for code inside one image.
struct ModuleIdentity {
    std::string identifier;
    std::string versionString;
    OSKextLoadTag loadTag;
};

class KextImage {
public:
    static std::expected<std::unique_ptr<KextImage>, Error> load(const std::filesystem::path& executable,
                                                                 std::shared_ptr<const ModuleIdentity> identity);
    KextImage(const KextImage&) = delete;
    KextImage& operator=(const KextImage&) = delete;
    ~KextImage();  // unmaps if unload() was not called (failed loads only)

    // The kmod stop routine, if any (KERN_SUCCESS without one).
    kern_return_t stop();
    // Forgets the image's symbols and log attribution, then dlclose.
    void unload();

    uintptr_t address() const { return base_; }
    uintptr_t size() const { return size_; }
    const std::string& uuid() const { return uuid_; }

private:
    KextImage(void* handle, std::shared_ptr<const ModuleIdentity> identity);
    void locate();  // fills base_, size_, uuid_ from the loaded object's program headers

    void* handle_;
    std::shared_ptr<const ModuleIdentity> identity_;
    uintptr_t base_ = 0;
    uintptr_t size_ = 0;
    std::string uuid_;
    kmod_info_t* kmodInfo_ = nullptr;
};

// Address ranges of loaded images -> identity (for OSKextGetCurrent* from kext code).
std::shared_ptr<const ModuleIdentity> identityForAddress(uintptr_t address);

}  // namespace openiokit::kexts
