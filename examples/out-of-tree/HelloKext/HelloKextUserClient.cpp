#include "HelloKext.h"

#include <IOKit/IOLib.h>

#undef super
#define super IOUserClient
OSDefineMetaClassAndStructors(com_example_HelloKextUserClient, IOUserClient);

const IOExternalMethodDispatch com_example_HelloKextUserClient::sMethods[kHelloMethodCount] = {
    // kHelloMethodAdd: two scalars in, their sum out.
    {&com_example_HelloKextUserClient::sAdd, 2, 0, 1, 0},
    // kHelloMethodCallCount: no input, the number of calls served so far out.
    {&com_example_HelloKextUserClient::sCallCount, 0, 0, 1, 0},
};

bool com_example_HelloKextUserClient::start(IOService* provider)
{
    driver_ = OSDynamicCast(com_example_HelloKext, provider);
    return driver_ && super::start(provider);
}

IOReturn com_example_HelloKextUserClient::clientClose(void)
{
    terminate();
    return kIOReturnSuccess;
}

IOReturn com_example_HelloKextUserClient::externalMethod(uint32_t selector,
                                                         IOExternalMethodArguments* arguments,
                                                         IOExternalMethodDispatch* dispatch,
                                                         OSObject* target, void* reference)
{
    if (selector >= kHelloMethodCount) {
        return kIOReturnUnsupported;
    }
    dispatch = const_cast<IOExternalMethodDispatch*>(&sMethods[selector]);
    return super::externalMethod(selector, arguments, dispatch, this, reference);
}

IOReturn com_example_HelloKextUserClient::sAdd(OSObject* target, void*,
                                               IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<com_example_HelloKextUserClient*>(target);
    self->driver_->countCall();
    arguments->scalarOutput[0] = arguments->scalarInput[0] + arguments->scalarInput[1];
    return kIOReturnSuccess;
}

IOReturn com_example_HelloKextUserClient::sCallCount(OSObject* target, void*,
                                                     IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<com_example_HelloKextUserClient*>(target);
    arguments->scalarOutput[0] = self->driver_->countCall();
    return kIOReturnSuccess;
}
