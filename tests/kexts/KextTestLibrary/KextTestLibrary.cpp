// A library kext: a class and a function that dependent kexts use, so loading a dependent
// needs this kext's symbols.
#include <libkern/c++/OSObject.h>

class KextTestLibraryObject : public OSObject {
    OSDeclareDefaultStructors(KextTestLibraryObject);
};
OSDefineMetaClassAndStructors(KextTestLibraryObject, OSObject);

extern "C" __attribute__((visibility("default"))) int KextTestLibraryAnswer(void)
{
    return 42;
}
