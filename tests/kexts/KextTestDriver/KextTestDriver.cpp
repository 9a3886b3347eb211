// Driver D and its user clients U1, U2 ... of the seed question: each logs "<name>::terminate"
// and "<name>::stop" so a test can compare the trace with iokit-semantics.md §2.8. D refuses
// terminate() while it has the property "RefuseTerminate".
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

#include <atomic>
#include <cstdio>

class KextTestDriver : public IOService {
    OSDeclareDefaultStructors(KextTestDriver);

public:
    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        setName("D");
        registerService();
        return true;
    }
    bool terminate(IOOptionBits options) override
    {
        IOLog("D::terminate\n");
        if (getProperty("RefuseTerminate")) {
            return false;
        }
        return IOService::terminate(options);
    }
    void stop(IOService* provider) override
    {
        IOLog("D::stop\n");
        IOService::stop(provider);
    }
};
OSDefineMetaClassAndStructors(KextTestDriver, IOService);

class KextTestDriverUserClient : public IOUserClient {
    OSDeclareDefaultStructors(KextTestDriverUserClient);

public:
    bool start(IOService* provider) override
    {
        static std::atomic<int> created{0};
        char name[16];
        std::snprintf(name, sizeof name, "U%d", ++created);
        setName(name);
        return IOUserClient::start(provider);
    }
    bool terminate(IOOptionBits options) override
    {
        IOLog("%s::terminate\n", getName());
        return IOUserClient::terminate(options);
    }
    void stop(IOService* provider) override
    {
        IOLog("%s::stop\n", getName());
        IOUserClient::stop(provider);
    }
    IOReturn clientClose(void) override
    {
        terminate(0);
        return kIOReturnSuccess;
    }
};
OSDefineMetaClassAndStructors(KextTestDriverUserClient, IOUserClient);
