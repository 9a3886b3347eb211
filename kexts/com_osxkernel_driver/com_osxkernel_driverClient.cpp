// com_osxkernel_driverClient: see com_osxkernel_driverClient.h and docs/seed-answer.md.
#include "com_osxkernel_driverClient.h"

#include "com_osxkernel_driver.h"

#include <IOKit/IOLib.h>

#include <cstring>

OSDefineMetaClassAndStructors(com_osxkernel_driverClient, IOUserClient);
#define super IOUserClient

const IOExternalMethodDispatch com_osxkernel_driverClient::sMethods[kOSXKernelMethodCount] = {
    // function, scalar in, struct in, scalar out, struct out
    {&com_osxkernel_driverClient::sIncrement, 1, 0, 1, 0},
    {&com_osxkernel_driverClient::sReadCounter, 0, 0, 1, 0},
    {&com_osxkernel_driverClient::sEcho, 0, kIOUCVariableStructureSize, 0, kIOUCVariableStructureSize},
    {&com_osxkernel_driverClient::sWaitForEvent, 0, 0, 0, 0},
};

// --- Lifecycle --------------------------------------------------------------------------------

bool com_osxkernel_driverClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type)
{
    if (type != kOSXKernelDriverConnectType || !super::initWithTask(owningTask, securityToken, type)) {
        return false;
    }
    fLock = IOLockAlloc();
    if (!fLock) {
        return false;
    }
    // R1: while this object exists the kext is "in use", so kextunload fails with
    // kOSKextReturnInUse before it terminates anything (IOCatalogue checks the kext's retain
    // count first). Dropped in free(), once nothing of ours is left in this object.
    fLoadTag = OSKextGetCurrentLoadTag();
    fRetainedKext = OSKextRetainKextWithLoadTag(fLoadTag) == kOSReturnSuccess;
    if (!fRetainedKext) {
        IOLog("com_osxkernel_driverClient: cannot retain kext (load tag %u); refusing the open\n", (unsigned)fLoadTag);
    }
    return fRetainedKext;
}

bool com_osxkernel_driverClient::start(IOService* provider)
{
    auto* driver = OSDynamicCast(com_osxkernel_driver, provider);
    if (!driver || !super::start(provider)) {
        return false;
    }
    driver->retain();
    IOLockLock(fLock);
    fDriver = driver;
    IOLockUnlock(fLock);
    if (!driver->clientOpened(this)) {  // the driver is leaving (its last client just closed)
        leaveDriver(&driver);
        OSSafeReleaseNULL(driver);
        return false;
    }
    return true;
}

bool com_osxkernel_driverClient::terminate(IOOptionBits options)
{
    IOLog("%s\n", __PRETTY_FUNCTION__);
    return super::terminate(options);
}

bool com_osxkernel_driverClient::willTerminate(IOService* provider, IOOptionBits options)
{
    // The driver is terminating (kextunload of an idle driver, or the device went away): the
    // connection is already torn down, so no close will come. Abort what is pending and leave.
    abortWaits();
    com_osxkernel_driver* driver = NULL;
    if (leaveDriver(&driver)) {
        driver->clientGone(this);
        driver->release();
    }
    return super::willTerminate(provider, options);
}

void com_osxkernel_driverClient::stop(IOService* provider)
{
    IOLog("%s\n", __PRETTY_FUNCTION__);
    abortWaits();
    com_osxkernel_driver* driver = NULL;
    if (leaveDriver(&driver)) {
        driver->clientGone(this);
        driver->release();
    }
    super::stop(provider);
}

void com_osxkernel_driverClient::free(void)
{
    if (fLock) {
        IOLockFree(fLock);
        fLock = NULL;
    }
    OSSafeReleaseNULL(fDriver);  // only after a failed start
    // The kext retain goes last, once this object no longer counts as an instance, so the
    // autounload check it triggers finds nothing of ours alive. Only locals are used after
    // super::free(): the object is gone by then.
    const bool retainedKext = fRetainedKext;
    const OSKextLoadTag loadTag = fLoadTag;
    super::free();
    if (retainedKext) {
        OSKextReleaseKextWithLoadTag(loadTag);
    }
}

IOReturn com_osxkernel_driverClient::clientClose(void)
{
    IOLog("com_osxkernel_driverClient: client %s closed\n", getName());
    abortWaits();
    // The usual pattern: the connection goes, so does its user client (asynchronously: its stop
    // follows once this close has returned).
    terminate();
    // R2: the driver counts its clients and terminates itself after the last one.
    com_osxkernel_driver* driver = NULL;
    if (leaveDriver(&driver)) {
        driver->clientClosed(this);
        driver->release();
    }
    return kIOReturnSuccess;
}

bool com_osxkernel_driverClient::leaveDriver(com_osxkernel_driver** driver)
{
    IOLockLock(fLock);
    *driver = fDriver;
    fDriver = NULL;
    IOLockUnlock(fLock);
    return *driver != NULL;
}

com_osxkernel_driver* com_osxkernel_driverClient::copyDriver(void)
{
    IOLockLock(fLock);
    com_osxkernel_driver* driver = fDriver;
    if (driver) {
        driver->retain();
    }
    IOLockUnlock(fLock);
    return driver;
}

IOReturn com_osxkernel_driverClient::clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory)
{
    if (type != kOSXKernelMemoryTypeStatus) {
        return kIOReturnBadArgument;
    }
    com_osxkernel_driver* driver = copyDriver();
    if (!driver) {
        return kIOReturnNotAttached;
    }
    *memory = driver->copyStatusMemory();  // the caller consumes this reference
    *options = kIOMapReadOnly;
    driver->release();
    return kIOReturnSuccess;
}

// --- Methods ------------------------------------------------------------------------------------

IOReturn com_osxkernel_driverClient::externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                                    IOExternalMethodDispatch* dispatch, OSObject* target,
                                                    void* reference)
{
    if (selector >= kOSXKernelMethodCount) {
        return kIOReturnBadArgument;
    }
    return super::externalMethod(selector, arguments, const_cast<IOExternalMethodDispatch*>(&sMethods[selector]),
                                 this, NULL);
}

IOReturn com_osxkernel_driverClient::sIncrement(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    com_osxkernel_driver* driver = static_cast<com_osxkernel_driverClient*>(target)->copyDriver();
    if (!driver) {
        return kIOReturnNotAttached;  // the driver left (Apple's sample convention, §3.7)
    }
    arguments->scalarOutput[0] = driver->addToCounter(arguments->scalarInput[0]);
    driver->release();
    return kIOReturnSuccess;
}

IOReturn com_osxkernel_driverClient::sReadCounter(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    com_osxkernel_driver* driver = static_cast<com_osxkernel_driverClient*>(target)->copyDriver();
    if (!driver) {
        return kIOReturnNotAttached;
    }
    arguments->scalarOutput[0] = driver->readCounter();
    driver->release();
    return kIOReturnSuccess;
}

IOReturn com_osxkernel_driverClient::sEcho(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    const uint32_t size = arguments->structureInputSize;
    if (size == 0 || size > kOSXKernelEchoMaxSize || !arguments->structureInput) {
        return kIOReturnBadArgument;
    }
    if (arguments->structureOutputSize < size || !arguments->structureOutput) {
        return kIOReturnNoSpace;
    }
    std::memcpy(arguments->structureOutput, arguments->structureInput, size);
    arguments->structureOutputSize = size;
    return kIOReturnSuccess;
}

IOReturn com_osxkernel_driverClient::sWaitForEvent(OSObject* target, void*, IOExternalMethodArguments* arguments)
{
    auto* self = static_cast<com_osxkernel_driverClient*>(target);
    if (!arguments->asyncWakePort || !arguments->asyncReference || arguments->asyncReferenceCount == 0 ||
        arguments->asyncReferenceCount > kOSAsyncRef64Count) {
        return kIOReturnBadArgument;  // only IOConnectCallAsync*Method can wait
    }
    IOLockLock(self->fLock);
    IOReturn result = kIOReturnSuccess;
    if (!self->fDriver || self->isInactive()) {
        result = kIOReturnNotAttached;
    } else if (self->fWaitCount >= kOSXKernelMaxPendingWaits) {
        result = kIOReturnNoResources;
    } else {
        io_user_reference_t* slot = self->fWaits[self->fWaitCount++];
        bzero(slot, sizeof(OSAsyncReference64));
        std::memcpy(slot, arguments->asyncReference, arguments->asyncReferenceCount * sizeof(io_user_reference_t));
    }
    IOLockUnlock(self->fLock);
    return result;
}

// --- Completing waits -----------------------------------------------------------------------------

uint32_t com_osxkernel_driverClient::completeWaits(uint64_t count, uint64_t total)
{
    return finishWaits(kIOReturnSuccess, count, total);
}

void com_osxkernel_driverClient::abortWaits(void)
{
    finishWaits(kIOReturnAborted, 0, 0);
}

uint32_t com_osxkernel_driverClient::finishWaits(IOReturn result, uint64_t count, uint64_t total)
{
    OSAsyncReference64 waits[kOSXKernelMaxPendingWaits];
    IOLockLock(fLock);
    const uint32_t pending = fWaitCount;
    std::memcpy(waits, fWaits, pending * sizeof(OSAsyncReference64));
    fWaitCount = 0;
    IOLockUnlock(fLock);
    io_user_reference_t args[2] = {count, total};
    for (uint32_t i = 0; i < pending; i++) {
        sendAsyncResult64(waits[i], result, args, 2);
        // Each wait was a one-shot request: drop the send right its reference carried.
        releaseAsyncReference64(waits[i]);
    }
    return pending;
}
