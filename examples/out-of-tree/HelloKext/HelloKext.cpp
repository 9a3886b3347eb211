#include "HelloKext.h"

#include <IOKit/IOLib.h>
#include <libkern/OSKextLib.h>

#define super IOService
OSDefineMetaClassAndStructors(com_example_HelloKext, IOService);

bool com_example_HelloKext::start(IOService* provider)
{
    if (!super::start(provider)) {
        return false;
    }
    lock_ = IOLockAlloc();
    if (!lock_) {
        return false;
    }
    calls_ = 0;
    IOLog("%s: started in kext %s (load tag %u)\n", getName(), OSKextGetCurrentIdentifier(),
          OSKextGetCurrentLoadTag());
    registerService();
    return true;
}

void com_example_HelloKext::stop(IOService* provider)
{
    IOLog("%s: stopping after %llu calls\n", getName(), calls_);
    if (lock_) {
        IOLockFree(lock_);
        lock_ = nullptr;
    }
    super::stop(provider);
}

UInt64 com_example_HelloKext::countCall()
{
    IOLockLock(lock_);
    const UInt64 calls = ++calls_;
    IOLockUnlock(lock_);
    return calls;
}
