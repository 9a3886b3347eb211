// A minimal driver as a macOS developer writes one: an IOService that matches IOResources and
// serves user clients that add numbers and report how many calls it has served.
#pragma once

#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

enum { kHelloMethodAdd = 0, kHelloMethodCallCount = 1, kHelloMethodCount };

class com_example_HelloKext : public IOService {
    OSDeclareDefaultStructors(com_example_HelloKext);

public:
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    void stop(IOService* provider) APPLE_KEXT_OVERRIDE;
    UInt64 countCall();

private:
    IOLock* lock_;
    UInt64 calls_;
};

class com_example_HelloKextUserClient : public IOUserClient {
    OSDeclareDefaultStructors(com_example_HelloKextUserClient);

public:
    bool start(IOService* provider) APPLE_KEXT_OVERRIDE;
    IOReturn clientClose(void) APPLE_KEXT_OVERRIDE;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                            IOExternalMethodDispatch* dispatch, OSObject* target,
                            void* reference) APPLE_KEXT_OVERRIDE;

private:
    static IOReturn sAdd(OSObject* target, void* reference, IOExternalMethodArguments* arguments);
    static IOReturn sCallCount(OSObject* target, void* reference,
                               IOExternalMethodArguments* arguments);
    static const IOExternalMethodDispatch sMethods[kHelloMethodCount];
    com_example_HelloKext* driver_;
};
