// IOPMrootDomain (minimal) and IOService::getPMRootDomain: the root of the power tree, attached
// below the service root and registered, so drivers can find it, register interest in system
// sleep and wake, and join the power tree under it.
#include <IOKit/IOLib.h>
#include <IOKit/pwr_mgt/RootDomain.h>
#include <openiokit/PowerManagement.h>

#include <mutex>

OSDefineMetaClassAndStructors(IOPMrootDomain, IOService);

IOPMrootDomain* IOPMrootDomain::construct(void)
{
    auto* root = new IOPMrootDomain;
    if (!root->init()) {
        root->release();
        return nullptr;
    }
    return root;
}

IOPMrootDomain* IOService::getPMRootDomain(void)
{
    static IOPMrootDomain* root = nullptr;
    static std::once_flag once;
    std::call_once(once, [] {
        IOService* serviceRoot = IOService::getServiceRoot();
        IOPMrootDomain* made = IOPMrootDomain::construct();
        if (!made || !serviceRoot) {
            IOLog("IOPMrootDomain: cannot be created\n");
            return;
        }
        made->setName("IOPMrootDomain");
        made->PMinit();
        made->attach(serviceRoot);
        // Synchronously, so that whoever caused its creation (the first system sleep) can
        // look it up in the registry as soon as that call returns.
        made->registerService(kIOServiceSynchronous);
        root = made;  // keeps the creation reference for the life of the kernel
    });
    return root;
}

IOReturn IOPMrootDomain::allowPowerChange(unsigned long refNum)
{
    return kIOReturnSuccess;  // nothing waits for acknowledgements of system messages here
}

IOReturn IOPMrootDomain::cancelPowerChange(unsigned long refNum)
{
    IOLog("IOPMrootDomain::cancelPowerChange: the simulated system sleep cannot be vetoed\n");
    return kIOReturnSuccess;
}

IOReturn IOPMrootDomain::receivePowerNotification(UInt32 msg)
{
    IOLog("IOPMrootDomain::receivePowerNotification(0x%x): no power button or clamshell here\n", msg);
    return kIOReturnSuccess;
}

bool IOPMrootDomain::isSystemAsleep() const
{
    return openiokit::pm::isSystemAsleep();
}
