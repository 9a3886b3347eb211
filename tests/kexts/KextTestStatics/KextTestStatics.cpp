// Static initialisation the loader must run exactly once per load, inside the class-registration
// window and before the kmod start routine (cmake/OpenIOKitKext.cmake moves it out of
// .init_array). Each initialiser logs one line, so a test can count them per load; the start
// routine fails the load if any ran zero or several times. Also built under the sanitizer
// presets, whose module constructors travel the same way.
#include <IOKit/IOLib.h>
#include <libkern/c++/OSObject.h>
#include <mach/kmod.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

class KextTestStaticsObject : public OSObject {
    OSDeclareDefaultStructors(KextTestStaticsObject);
};
OSDefineMetaClassAndStructors(KextTestStaticsObject, OSObject);

namespace {

int gGlobalConstructions = 0;
int gInlineStaticInitialisations = 0;

struct CountedGlobal {
    CountedGlobal()
    {
        gGlobalConstructions++;
        IOLog("KextTestStatics: global constructor\n");
    }
};
CountedGlobal gCounted;

// Dynamic initialisation whose destructor dlclose runs.
const std::string gGreeting = std::string("hello from ") + "KextTestStatics";

int& functionLocal()
{
    static int value = [] {
        IOLog("KextTestStatics: function-local static\n");
        return 7;
    }();
    return value;
}

}  // namespace

// A template's inline static: g++ would make it STB_GNU_UNIQUE without -fno-gnu-unique.
template <typename T>
struct InlineStatic {
    static inline int value = [] {
        gInlineStaticInitialisations++;
        IOLog("KextTestStatics: inline static\n");
        return 3;
    }();
};

extern "C" kern_return_t KextTestStatics_start(kmod_info_t*, void*)
{
    if (gGlobalConstructions != 1 || gInlineStaticInitialisations != 1 || InlineStatic<int>::value != 3 ||
        gGreeting != "hello from KextTestStatics") {
        IOLog("KextTestStatics: initialisers ran %d and %d times\n", gGlobalConstructions,
              gInlineStaticInitialisations);
        return KERN_FAILURE;
    }
    IOLog("KextTestStatics: started\n");
    return KERN_SUCCESS;
}

// What the kext saw, formatted through iostreams: "global=1 inline=1 local=7 hello from ...".
extern "C" __attribute__((visibility("default"))) int KextTestStaticsReport(char* buffer, size_t size)
{
    std::ostringstream report;
    report << "global=" << gGlobalConstructions << " inline=" << gInlineStaticInitialisations
           << " local=" << functionLocal() << " " << gGreeting;
    return std::snprintf(buffer, size, "%s", report.str().c_str());
}
