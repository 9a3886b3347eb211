// com_osxkernel_driver: see com_osxkernel_driver.h and docs/seed-answer.md.
#include "com_osxkernel_driver.h"

#include "DriverInterface.h"
#include "com_osxkernel_driverClient.h"

#include <IOKit/IOLib.h>

OSDefineMetaClassAndStructors(com_osxkernel_driver, IOService);
#define super IOService

namespace {
constexpr vm_size_t kStatusPageSize = 4096;
}

bool com_osxkernel_driver::start(IOService* provider)
{
    IOLog("%s\n", __PRETTY_FUNCTION__);
    if (!super::start(provider)) {
        return false;
    }
    fClients = OSArray::withCapacity(4);
    fWorkLoop = IOWorkLoop::workLoop();
    fGate = IOCommandGate::commandGate(this);
    fStatusMemory = IOBufferMemoryDescriptor::withOptions((IOOptionBits)kIOMemoryKernelUserShared | kIODirectionInOut,
                                                          kStatusPageSize, kStatusPageSize);
    if (!fClients || !fWorkLoop || !fGate || !fStatusMemory || fWorkLoop->addEventSource(fGate) != kIOReturnSuccess) {
        IOLog("com_osxkernel_driver: cannot start on %s: out of resources\n", provider->getName());
        return false;  // free() releases whatever was made
    }
    // The device's first interrupt source wakes the clients' "wait for event" requests.
    fInterruptSource = IOInterruptEventSource::interruptEventSource(this, &interruptOccurred, provider, 0);
    if (!fInterruptSource || fWorkLoop->addEventSource(fInterruptSource) != kIOReturnSuccess) {
        IOLog("com_osxkernel_driver: cannot start on %s: its interrupt 0 cannot be registered\n", provider->getName());
        return false;
    }
    fStatus = static_cast<OSXKernelStatusPage*>(fStatusMemory->getBytesNoCopy());
    bzero(fStatus, kStatusPageSize);
    fStatus->version = kOSXKernelStatusVersion;
    fInterruptSource->enable();
    // Now clients can find the driver (IOServiceGetMatchingServices) and open it.
    registerService();
    return true;
}

bool com_osxkernel_driver::terminate(IOOptionBits options)
{
    IOLog("%s\n", __PRETTY_FUNCTION__);
    // Never refused: the device may be gone (hot-unplug) and the system must be able to stop us.
    return super::terminate(options);
}

void com_osxkernel_driver::stop(IOService* provider)
{
    IOLog("%s\n", __PRETTY_FUNCTION__);
    // Every user client has stopped and left before this runs (they are our clients).
    if (fInterruptSource) {
        fInterruptSource->disable();
        fWorkLoop->removeEventSource(fInterruptSource);
    }
    if (fGate) {
        fWorkLoop->removeEventSource(fGate);
    }
    super::stop(provider);
}

void com_osxkernel_driver::free(void)
{
    if (fWorkLoop) {
        // A failed start() leaves sources on the loop; removal is a no-op for the others.
        if (fInterruptSource) {
            fWorkLoop->removeEventSource(fInterruptSource);
        }
        if (fGate) {
            fWorkLoop->removeEventSource(fGate);
        }
    }
    OSSafeReleaseNULL(fInterruptSource);
    OSSafeReleaseNULL(fGate);
    OSSafeReleaseNULL(fWorkLoop);
    OSSafeReleaseNULL(fStatusMemory);
    OSSafeReleaseNULL(fClients);
    super::free();
}

IOWorkLoop* com_osxkernel_driver::getWorkLoop(void) const
{
    return fWorkLoop;
}

// --- Clients --------------------------------------------------------------------------------

bool com_osxkernel_driver::clientOpened(com_osxkernel_driverClient* client)
{
    return fGate->runAction(&gatedClientOpened, client) == kIOReturnSuccess;
}

IOReturn com_osxkernel_driver::gatedClientOpened(OSObject* owner, void* client, void*, void*, void*)
{
    auto* self = static_cast<com_osxkernel_driver*>(owner);
    // Once the last client has left, the driver is on its way out: a client opening now would
    // be cut off at once, so it is refused and waits for the next driver instead.
    if (self->fLeaving || self->isInactive()) {
        return kIOReturnNotAttached;
    }
    self->fClients->setObject(static_cast<com_osxkernel_driverClient*>(client));
    self->fStatus->clientCount = self->fClients->getCount();
    self->publishStatusLocked();
    return kIOReturnSuccess;
}

void com_osxkernel_driver::clientClosed(com_osxkernel_driverClient* client)
{
    bool terminateNow = false;
    fGate->runAction(&gatedClientLeft, client, (void*)true, &terminateNow);
    if (terminateNow) {
        IOLog("com_osxkernel_driver: last client closed; terminating\n");
        // Asynchronous: phase 1 marks the driver inactive here, the rest runs on the terminate
        // thread once this close has left the user client (a synchronous terminate from inside
        // clientClose would wait for that very close to finish).
        terminate();
    }
}

void com_osxkernel_driver::clientGone(com_osxkernel_driverClient* client)
{
    fGate->runAction(&gatedClientLeft, client, (void*)false, NULL);
}

IOReturn com_osxkernel_driver::gatedClientLeft(OSObject* owner, void* client, void* closed, void* terminateNow, void*)
{
    auto* self = static_cast<com_osxkernel_driver*>(owner);
    const unsigned int index = self->fClients->getNextIndexOfObject(static_cast<OSObject*>(client), 0);
    if (index != (unsigned int)-1) {
        self->fClients->removeObject(index);
    }
    self->fStatus->clientCount = self->fClients->getCount();
    self->publishStatusLocked();
    // Only a close makes the driver leave: a client that goes because the driver or the device
    // is terminating finds it inactive already.
    if (closed && self->fClients->getCount() == 0 && !self->fLeaving && !self->isInactive()) {
        self->fLeaving = true;
        *static_cast<bool*>(terminateNow) = true;
    }
    return kIOReturnSuccess;
}

uint64_t com_osxkernel_driver::addToCounter(uint64_t delta)
{
    uint64_t value = 0;
    fGate->runAction(&gatedAdd, &delta, &value);
    return value;
}

uint64_t com_osxkernel_driver::readCounter(void)
{
    uint64_t zero = 0;
    return addToCounter(zero);
}

IOReturn com_osxkernel_driver::gatedAdd(OSObject* owner, void* delta, void* result, void*, void*)
{
    auto* self = static_cast<com_osxkernel_driver*>(owner);
    const uint64_t add = *static_cast<uint64_t*>(delta);
    self->fCounter += add;
    if (add) {
        self->fStatus->counter = self->fCounter;
        self->publishStatusLocked();
    }
    *static_cast<uint64_t*>(result) = self->fCounter;
    return kIOReturnSuccess;
}

IOMemoryDescriptor* com_osxkernel_driver::copyStatusMemory(void)
{
    fStatusMemory->retain();
    return fStatusMemory;
}

void com_osxkernel_driver::publishStatusLocked(void)
{
    __atomic_add_fetch(&fStatus->generation, 1, __ATOMIC_RELEASE);
}

// --- The device's interrupt -------------------------------------------------------------------

void com_osxkernel_driver::interruptOccurred(OSObject* owner, IOInterruptEventSource*, int count)
{
    // Work-loop thread, gate closed: the client list cannot change under us.
    auto* self = static_cast<com_osxkernel_driver*>(owner);
    self->fInterrupts += (uint64_t)count;
    self->fStatus->interrupts = self->fInterrupts;
    uint64_t completed = 0;
    for (unsigned int i = 0; i < self->fClients->getCount(); i++) {
        auto* client = static_cast<com_osxkernel_driverClient*>(self->fClients->getObject(i));
        completed += client->completeWaits((uint64_t)count, self->fInterrupts);
    }
    self->fStatus->eventsCompleted += completed;
    self->publishStatusLocked();
}
