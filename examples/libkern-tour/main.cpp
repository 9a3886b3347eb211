// libkern-tour: what exists of OpenIOKit so far, end to end, in one process.
//
//  1. builds a driver personality out of OS containers, serializes it to xnu's XML and reads it
//     back with OSUnserializeXML;
//  2. loads tour_module.so as a kext would be loaded (class registration window, dlopen),
//     allocates its classes by name, and shows the live instance counts;
//  3. tries to unload it while instances live — refused with xnu's messages (§1.6) — then
//     releases them, unloads, and checks the object really left the address space.
// Exit status 0 only if every step behaved as xnu's rules say.
#include <IOKit/IOLib.h>
#include <libkern/OSKextLib.h>
#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSSerialize.h>
#include <libkern/c++/OSUnserialize.h>
#include <mach/mach_error.h>
#include <openiokit/KernelLog.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr const char* kModuleID = "com.example.tour";
int gFailures = 0;

void check(bool ok, const char* what)
{
    std::printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
    gFailures += ok ? 0 : 1;
}

bool isMapped(const std::string& path)
{
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.find(path) != std::string::npos) {
            return true;
        }
    }
    return false;
}

OSDictionary* makePersonality()
{
    OSDictionary* personality = OSDictionary::withCapacity(4);
    const char* keys[] = {"CFBundleIdentifier", "IOClass", "IOProviderClass"};
    const char* values[] = {kModuleID, "TourDriver", "IOResources"};
    for (int i = 0; i < 3; ++i) {
        OSString* value = OSString::withCString(values[i]);
        personality->setObject(keys[i], value);
        value->release();
    }
    OSNumber* score = OSNumber::withNumber(1000, 32);
    personality->setObject("IOProbeScore", score);
    score->release();
    return personality;
}

void serializationRoundTrip()
{
    std::printf("1. A personality, serialized and read back\n");
    OSDictionary* personality = makePersonality();
    OSSerialize* serializer = OSSerialize::withCapacity(512);
    personality->serialize(serializer);
    std::printf("  %s\n", serializer->text());

    OSString* error = nullptr;
    OSObject* copy = OSUnserializeXML(serializer->text(), &error);
    check(copy && personality->isEqualTo(copy), "OSUnserializeXML gives an equal dictionary");
    OSSafeReleaseNULL(copy);
    OSSafeReleaseNULL(error);

    OSObject* broken = OSUnserializeXML("<dict><key>IOClass</key></dict>", &error);
    check(!broken && error, "malformed XML is refused with a reason");
    if (error) {
        std::printf("  reason: %s\n", error->getCStringNoCopy());
    }
    OSSafeReleaseNULL(error);
    serializer->release();
    personality->release();
}

void printInstanceCounts()
{
    OSDictionary* counts = OSDictionary::withCapacity(64);
    OSMetaClass::serializeClassDictionary(counts);
    for (const char* name : {"TourDriver", "TourUserClient", "OSObject"}) {
        auto* count = OSDynamicCast(OSNumber, counts->getObject(name));
        std::printf("  %-16s = %u\n", name, count ? count->unsigned32BitValue() : 0u);
    }
    counts->release();
}

// What OSKext::unload will do with these hooks (issue: kexts): refuse while classes have
// instances, in xnu's words.
bool tryUnload(void* handle)
{
    if (OSMetaClass::modHasInstance(kModuleID)) {
        IOLog("Can't unload kext %s; classes have instances:\n", kModuleID);
        OSMetaClass::reportModInstances(kModuleID);
        std::printf("  Failed to unload %s - %s.\n", kModuleID, mach_error_string(kOSKextReturnInUse));
        return false;
    }
    if (OSMetaClass::removeClasses(kModuleID) != kOSReturnSuccess) {
        return false;
    }
    Dl_info image{};
    if (dladdr(dlsym(handle, "_ZN10TourDriver9metaClassE"), &image) != 0) {
        openiokit::KernelLog::unregisterModule(image.dli_fbase);
    }
    dlclose(handle);
    IOLog("Kext %s unloaded.\n", kModuleID);
    return true;
}

void moduleLifecycle(const std::string& modulePath)
{
    std::printf("2. Loading %s from %s\n", kModuleID, modulePath.c_str());
    void* window = OSMetaClass::preModLoad(kModuleID);
    void* handle = dlopen(modulePath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        std::printf("  dlopen: %s\n", dlerror());
    }
    const OSReturn loaded = OSMetaClass::postModLoad(window);
    check(handle && loaded == kOSReturnSuccess, "the module's classes registered under its identifier");
    if (!handle || loaded != kOSReturnSuccess) {
        return;
    }
    // Attribute the module's log lines to it, as the kext loader will: "kernel: (com.example.tour)".
    Dl_info image{};
    if (dladdr(dlsym(handle, "_ZN10TourDriver9metaClassE"), &image) != 0) {
        openiokit::KernelLog::registerModule(image.dli_fbase, kModuleID);
    }
    const OSMetaClass* meta = OSMetaClass::getMetaClassWithName("TourUserClient");
    check(meta && meta->getKmodName()->isEqualTo(kModuleID), "TourUserClient belongs to com.example.tour");

    OSObject* driver = OSMetaClass::allocClassWithName("TourDriver");
    OSObject* client = OSMetaClass::allocClassWithName("TourUserClient");
    check(driver && driver->init() && client && client->init(), "instances allocated by class name");
    printInstanceCounts();

    std::printf("3. Unloading while instances live, then after they are released\n");
    check(!tryUnload(handle), "unload refused while classes have instances");
    OSSafeReleaseNULL(client);
    OSSafeReleaseNULL(driver);
    printInstanceCounts();
    check(tryUnload(handle), "unload succeeds once the last instance is freed");
    check(!isMapped(modulePath), "the module left the address space");
    check(OSMetaClass::allocClassWithName("TourDriver") == nullptr, "its classes can no longer be allocated");
}

}  // namespace

int main(int argc, char** argv)
{
    // The kernel log goes to stderr; keep the two streams in order on a terminal or a pipe.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const std::filesystem::path self = std::filesystem::canonical("/proc/self/exe");
    serializationRoundTrip();
    moduleLifecycle((self.parent_path() / "tour_module.so").string());
    std::printf("%s\n", gFailures ? "libkern-tour: FAILED" : "libkern-tour: all steps behaved as xnu's rules say");
    return gFailures ? 1 : 0;
}
