#include "KextImage.h"

#include "libkern/ObjectFrees.h"

#include <IOKit/IOLib.h>
#include <libkern/c++/OSMetaClass.h>
#include <libkern/c++/OSSymbol.h>
#include <openiokit/KernelLog.h>

#include "common/NoDestructor.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <vector>
#include <mutex>
#include <shared_mutex>

namespace openiokit::kexts {
namespace {

struct AddressTable {
    std::shared_mutex lock;
    std::map<uintptr_t, std::pair<uintptr_t, std::shared_ptr<const ModuleIdentity>>> byBase;  // base -> (end, id)
};
openiokit::NoDestructor<AddressTable> gAddresses;

void addRange(uintptr_t base, uintptr_t size, std::shared_ptr<const ModuleIdentity> identity)
{
    std::unique_lock lock(gAddresses->lock);
    gAddresses->byBase[base] = {base + size, std::move(identity)};
}

void removeRange(uintptr_t base)
{
    std::unique_lock lock(gAddresses->lock);
    gAddresses->byBase.erase(base);
}

struct PhdrSearch {
    uintptr_t base;
    uintptr_t size = 0;
    std::string uuid;
};

std::string formatBuildID(const unsigned char* bytes, size_t length)
{
    if (length < 16) {
        return {};
    }
    char text[37];
    std::snprintf(text, sizeof text, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                  bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
}

int visitObject(struct dl_phdr_info* info, size_t, void* data)
{
    auto* search = static_cast<PhdrSearch*>(data);
    if (info->dlpi_addr != search->base) {
        return 0;
    }
    for (int index = 0; index < info->dlpi_phnum; index++) {
        const ElfW(Phdr)& header = info->dlpi_phdr[index];
        if (header.p_type == PT_LOAD) {
            search->size = std::max<uintptr_t>(search->size, header.p_vaddr + header.p_memsz);
        } else if (header.p_type == PT_NOTE) {
            // The GNU build-id stands in for the Mach-O LC_UUID kextstat shows.
            auto* note = reinterpret_cast<const unsigned char*>(info->dlpi_addr + header.p_vaddr);
            const unsigned char* end = note + header.p_memsz;
            while (note + sizeof(ElfW(Nhdr)) <= end) {
                auto* nhdr = reinterpret_cast<const ElfW(Nhdr)*>(note);
                const unsigned char* name = note + sizeof(ElfW(Nhdr));
                const unsigned char* desc = name + ((nhdr->n_namesz + 3) & ~3u);
                if (nhdr->n_type == NT_GNU_BUILD_ID && nhdr->n_namesz == 4) {
                    search->uuid = formatBuildID(desc, nhdr->n_descsz);
                }
                note = desc + ((nhdr->n_descsz + 3) & ~3u);
            }
        }
    }
    return 1;
}

// A symbol defined by this very object (dlsym on a handle also searches its dependencies).
void* ownSymbol(void* handle, uintptr_t base, const char* name)
{
    void* symbol = dlsym(handle, name);
    Dl_info info{};
    if (!symbol || !dladdr(symbol, &info) || reinterpret_cast<uintptr_t>(info.dli_fbase) != base) {
        return nullptr;
    }
    return symbol;
}

// Whether openiokit_add_kext's linker script moved the constructors into openiokit_mod_init:
// read from the file's section headers, which stay valid however the dynamic symbols end up
// (a version script or stripping can hide openiokit_mod_init_start/_end from dlsym).
bool hasModInitSection(const std::filesystem::path& executable)
{
    std::ifstream file(executable, std::ios::binary);
    ElfW(Ehdr) header{};
    if (!file.read(reinterpret_cast<char*>(&header), sizeof header) ||
        std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_shentsize != sizeof(ElfW(Shdr)) ||
        header.e_shstrndx >= header.e_shnum) {
        return false;  // not a native ELF object: dlopen says what is wrong with it
    }
    std::vector<ElfW(Shdr)> sections(header.e_shnum);
    file.seekg(static_cast<std::streamoff>(header.e_shoff));
    if (!file.read(reinterpret_cast<char*>(sections.data()),
                   static_cast<std::streamsize>(sections.size() * sizeof(ElfW(Shdr))))) {
        return false;
    }
    const ElfW(Shdr)& names = sections[header.e_shstrndx];
    std::vector<char> table(names.sh_size + 1, '\0');
    file.seekg(static_cast<std::streamoff>(names.sh_offset));
    if (!file.read(table.data(), static_cast<std::streamsize>(names.sh_size))) {
        return false;
    }
    for (const ElfW(Shdr)& section : sections) {
        if (section.sh_name < names.sh_size && std::strcmp(&table[section.sh_name], "openiokit_mod_init") == 0) {
            return true;
        }
    }
    return false;
}

Error failure(OSReturn code, const std::filesystem::path& executable, const std::string& problem)
{
    return Error{code, executable.string() + ": " + problem};
}

}  // namespace

std::shared_ptr<const ModuleIdentity> identityForAddress(uintptr_t address)
{
    std::shared_lock lock(gAddresses->lock);
    auto next = gAddresses->byBase.upper_bound(address);
    if (next == gAddresses->byBase.begin()) {
        return nullptr;
    }
    auto candidate = std::prev(next);
    return address < candidate->second.first ? candidate->second.second : nullptr;
}

KextImage::KextImage(void* handle, std::shared_ptr<const ModuleIdentity> identity)
    : handle_(handle), identity_(std::move(identity))
{
}

void KextImage::locate()
{
    link_map* map = nullptr;
    if (dlinfo(handle_, RTLD_DI_LINKMAP, &map) != 0 || !map) {
        return;
    }
    PhdrSearch search{.base = map->l_addr, .size = 0, .uuid = {}};
    dl_iterate_phdr(visitObject, &search);
    base_ = map->l_addr;
    size_ = search.size;
    uuid_ = std::move(search.uuid);
}

std::expected<std::unique_ptr<KextImage>, Error> KextImage::load(const std::filesystem::path& executable,
                                                                 std::shared_ptr<const ModuleIdentity> identity)
{
    const char* identifier = identity->identifier.c_str();
    void* window = OSMetaClass::preModLoad(identifier);
    if (!window) {
        return std::unexpected(failure(kOSKextReturnInternalError, executable, "the class registry refused the load."));
    }
    void* handle = dlopen(executable.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* reason = dlerror();
        OSMetaClass::postModLoad(window);  // nothing was constructed
        return std::unexpected(failure(kOSKextReturnLinkError, executable,
                                       std::string("cannot be linked: ") + (reason ? reason : "unknown error") + "."));
    }
    std::unique_ptr<KextImage> image(new KextImage(handle, identity));
    image->locate();
    // Visible to IOLog attribution and OSKextGetCurrent* before any of the kext's code runs.
    openiokit::KernelLog::registerModule(reinterpret_cast<const void*>(image->base_), identity->identifier);
    addRange(image->base_, image->size_, identity);

    // The kext's constructors, in link order, inside the class-registration window.
    std::string thrown;
    using Initializer = void (*)();
    auto* begin = static_cast<Initializer*>(ownSymbol(handle, image->base_, "openiokit_mod_init_start"));
    auto* end = static_cast<Initializer*>(ownSymbol(handle, image->base_, "openiokit_mod_init_end"));
    if ((!begin || !end) && hasModInitSection(executable)) {
        // Without the bounds the moved constructors could not run at all; refuse rather than
        // start a kext whose globals and classes were never constructed.
        OSMetaClass::postModLoad(window);
        image->unload();
        return std::unexpected(failure(kOSKextReturnLinkError, executable,
                                       "has its static constructors in section openiokit_mod_init but does not "
                                       "export openiokit_mod_init_start and openiokit_mod_init_end."));
    }
    try {
        for (Initializer* init = begin; begin && end && init < end; init++) {
            (*init)();
        }
    } catch (const std::exception& exception) {
        thrown = std::string("a static constructor threw: ") + exception.what() + ".";
    } catch (...) {
        thrown = "a static constructor threw an exception that is not a std::exception.";
    }

    // Duplicate class names are logged by the registry; collect them for the error sentence.
    std::string duplicates;
    const auto subscription = openiokit::KernelLog::subscribe([&](const openiokit::KernelLog::Entry& entry) {
        const std::string_view text = entry.text;
        if (const auto at = text.find(" class "); at != text.npos && text.find("is a duplicate") != text.npos) {
            const auto name = text.substr(at + 7, text.find(' ', at + 7) - at - 7);
            duplicates += (duplicates.empty() ? "" : ", ") + std::string(name);
        }
    });
    const OSReturn registered = OSMetaClass::postModLoad(window);
    openiokit::KernelLog::unsubscribe(subscription);

    if (registered != kOSReturnSuccess) {
        image->unload();
        return std::unexpected(failure(registered, executable,
                                       "defines class " + duplicates + " that is already loaded by another kext or the kernel."));
    }
    if (!thrown.empty()) {
        OSMetaClass::removeClasses(identifier);
        image->unload();
        return std::unexpected(failure(kOSKextReturnStartStopError,
                                       executable, thrown));
    }

    // kmod_info (KMOD_EXPLICIT_DECL): the loader fills in what xnu's fills in, then starts it.
    image->kmodInfo_ = static_cast<kmod_info_t*>(ownSymbol(handle, image->base_, "kmod_info"));
    if (kmod_info_t* info = image->kmodInfo_) {
        info->id = identity->loadTag;
        info->address = image->base_;
        info->size = image->size_;
        if (info->start) {
            const kern_return_t started = info->start(info, nullptr);
            if (started != KERN_SUCCESS) {
                OSMetaClass::removeClasses(identifier);
                image->unload();
                char code[16];
                std::snprintf(code, sizeof code, "0x%x", started);
                return std::unexpected(failure(kOSKextReturnStartStopError, executable,
                                               std::string("the module start routine returned ") + code + "."));
            }
        }
    }
    return image;
}

kern_return_t KextImage::stop()
{
    if (!kmodInfo_ || !kmodInfo_->stop) {
        return KERN_SUCCESS;
    }
    return kmodInfo_->stop(kmodInfo_, nullptr);
}

void KextImage::unload()
{
    if (!handle_) {
        return;
    }
    // Symbols whose strings live in the image must not outlive it.
    OSSymbol::checkForPageUnload(reinterpret_cast<void*>(base_), reinterpret_cast<void*>(base_ + size_));
    removeRange(base_);
    openiokit::KernelLog::unregisterModule(reinterpret_cast<const void*>(base_));
    // The last instance may still be running its destructors in our code (ObjectFrees.h).
    openiokit::drainObjectFrees();
    dlclose(handle_);
    handle_ = nullptr;
    kmodInfo_ = nullptr;
}

KextImage::~KextImage()
{
    unload();
}

}  // namespace openiokit::kexts
