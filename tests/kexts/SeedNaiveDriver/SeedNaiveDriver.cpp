// The seed question's driver before any workaround: an IOService and its IOUserClient, each
// logging terminate() and stop() with __PRETTY_FUNCTION__ as the question's log shows. The user
// client retains its provider in start() and releases it in clientClose(), which the question
// tried first: that reference does not stop kextunload (docs/seed-answer.md says why).
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

class SeedNaiveDriver : public IOService {
    OSDeclareDefaultStructors(SeedNaiveDriver);

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
OSDefineMetaClassAndStructors(SeedNaiveDriver, IOService);

class SeedNaiveDriverClient : public IOUserClient {
    OSDeclareDefaultStructors(SeedNaiveDriverClient);

public:
    bool start(IOService* provider) override
    {
        if (!IOUserClient::start(provider)) {
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
        terminate();
        return kIOReturnSuccess;
    }
    bool terminate(IOOptionBits options = 0) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        return IOUserClient::terminate(options);
    }
    void stop(IOService* provider) override
    {
        IOLog("%s\n", __PRETTY_FUNCTION__);
        IOUserClient::stop(provider);
    }
    void free(void) override
    {
        OSSafeReleaseNULL(myProvider);  // a connection torn down by termination never closes
        IOUserClient::free();
    }

private:
    IOService* myProvider;
};
OSDefineMetaClassAndStructors(SeedNaiveDriverClient, IOUserClient);
