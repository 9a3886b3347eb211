// A kext linked with a version script that hides everything, including the bounds of
// openiokit_mod_init: its constructors cannot be found, so the loader must refuse it rather
// than start it unconstructed.
#include <libkern/c++/OSObject.h>

class KextTestHiddenObject : public OSObject {
    OSDeclareDefaultStructors(KextTestHiddenObject);
};
OSDefineMetaClassAndStructors(KextTestHiddenObject, OSObject);
