// A kext-shaped module for the tour: two classes, defined with Apple's macros, that log from
// init and free like a driver author's tracing would.
#include <IOKit/IOLib.h>
#include <libkern/c++/OSObject.h>

class TourDriver : public OSObject {
    OSDeclareDefaultStructors(TourDriver);

public:
    bool init() override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        return OSObject::init();
    }

protected:
    void free() override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        OSObject::free();
    }
};

class TourUserClient : public TourDriver {
    OSDeclareDefaultStructors(TourUserClient);
};

OSDefineMetaClassAndStructors(TourDriver, OSObject);
OSDefineMetaClassAndStructors(TourUserClient, TourDriver);
