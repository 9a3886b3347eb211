// The seed question's workaround: the user client's terminate() logs and returns true without
// terminating anything, and clientClose() terminates it "for real" with
// super::terminate(kIOServiceSynchronous). The driver is the naive one. docs/seed-answer.md
// explains why this is fragile: kextunload still terminates the driver (the clients are merely
// orphaned, so the kext then fails to unload with instances left), and the synchronous
// terminate from inside clientClose waits for the close it is running in.
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

class SeedWorkaroundDriver : public IOService {
    OSDeclareDefaultStructors(SeedWorkaroundDriver);

public:
    bool start(IOService* provider) override
    {
        if (!IOService::start(provider)) {
            return false;
        }
        registerService();
        return true;
    }
    bool terminate(IOOptionBits options = 0) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        return IOService::terminate(options);
    }
    void stop(IOService* provider) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        IOService::stop(provider);
    }
};
OSDefineMetaClassAndStructors(SeedWorkaroundDriver, IOService);

class SeedWorkaroundDriverClient : public IOUserClient {
    OSDeclareDefaultStructors(SeedWorkaroundDriverClient);
    typedef IOUserClient super;

public:
    bool start(IOService* provider) override
    {
        if (!super::start(provider)) {
            return false;
        }
        myProvider = provider;
        myProvider->retain();
        return true;
    }
    IOReturn clientClose(void) override
    {
        if (myProvider) {
            myProvider->release();
            myProvider = NULL;
        }
        return super::terminate(kIOServiceSynchronous) ? kIOReturnSuccess : kIOReturnError;
    }
    bool terminate(IOOptionBits options = 0) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        return true;
    }
    void stop(IOService* provider) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        super::stop(provider);
    }
    void free(void) override
    {
        OSSafeReleaseNULL(myProvider);
        super::free();
    }

private:
    IOService* myProvider;
};
OSDefineMetaClassAndStructors(SeedWorkaroundDriverClient, IOUserClient);
