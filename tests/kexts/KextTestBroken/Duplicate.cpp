// Defines a class the library kext already defines.
#include <libkern/c++/OSObject.h>

class KextTestLibraryObject : public OSObject {
    OSDeclareDefaultStructors(KextTestLibraryObject);
};
OSDefineMetaClassAndStructors(KextTestLibraryObject, OSObject);
