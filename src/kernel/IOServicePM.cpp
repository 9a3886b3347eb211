// IOService's power-management API (xnu iokit/Kernel/IOServicePM.cpp names and codes) over the
// power tree in IOServicePMTree.cpp. Joining the tree also attaches the driver below its power
// parent in the IOPower plane (xnu puts an IOPowerConnection in between; we do not).
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/pwr_mgt/RootDomain.h>

#include "IOServicePMPrivate.h"
#include "ServiceExtras.h"

#include <algorithm>

using openiokit::PMNode;
using openiokit::ServiceExtras;
namespace pm = openiokit::pm;

namespace {

// Makes `service`'s node live; call with the PM lock held.
void initLocked(IOService* service, PMNode& node)
{
    if (node.initialized) {
        return;
    }
    node.self = service;
    node.initialized = true;
    if (!node.parent) {
        pm::addTopLevelLocked(service);
    }
}

unsigned long highestState(const PMNode& node)
{
    return node.states.empty() ? 0 : node.states.size() - 1;
}

}  // namespace

void openiokit::pm::stopManaged(IOService* service)
{
    ServiceExtras* extras = service->extras().peek();
    bool managed = false;
    if (extras) {
        std::lock_guard guard(treeLock());
        managed = extras->pm.initialized;
    }
    if (managed) {
        service->PMstop();
    }
}

void IOService::PMinit(void)
{
    std::lock_guard guard(pm::treeLock());
    initLocked(this, pm::nodeOf(this));
}

void IOService::PMstop(void)
{
    IOService* parent = nullptr;
    std::vector<IOService*> children;
    {
        std::lock_guard guard(pm::treeLock());
        PMNode& node = pm::nodeOf(this);
        if (!node.initialized) {
            return;
        }
        // No new callouts start. One in flight is not waited for (xnu's PMstop is asynchronous
        // too): termination calls us with the provider's gate held, which that callout may need.
        // The PM thread holds a reference on the driver until the callout returns.
        node.initialized = false;
        pm::removeTopLevelLocked(this);
        parent = std::exchange(node.parent, nullptr);
        if (parent) {
            auto& siblings = pm::nodeOf(parent).children;
            siblings.erase(std::remove(siblings.begin(), siblings.end(), this), siblings.end());
        }
        children = std::move(node.children);
        node.children.clear();
        for (IOService* child : children) {
            pm::nodeOf(child).parent = nullptr;
            if (pm::nodeOf(child).initialized) {
                pm::addTopLevelLocked(child);
            }
        }
        node.controllingDriver = nullptr;
        node.interested.clear();
        node.states.clear();
        node.initialChangeDone = false;
    }
    // The power-plane links hold references: drop them outside the PM lock.
    if (parent) {
        detachFromParent(parent, gIOPowerPlane);
    }
    for (IOService* child : children) {
        child->detachFromParent(this, gIOPowerPlane);
    }
    if (!children.empty()) {
        pm::scheduleReconcile();  // orphans are now powered by the root
    }
}

void IOService::joinPMtree(IOService* driver)
{
    if (!driver || driver == this) {
        IOLog("%s::joinPMtree: no driver given\n", getName());
        return;
    }
    {
        std::lock_guard guard(pm::treeLock());
        PMNode& child = pm::nodeOf(driver);
        if (!child.initialized) {
            IOLog("%s::joinPMtree(%s): the driver has not called PMinit\n", getName(), driver->getName());
            return;
        }
        if (child.parent) {
            IOLog("%s::joinPMtree(%s): the driver already has a power parent; one parent only\n", getName(),
                  driver->getName());
            return;
        }
        PMNode& self = pm::nodeOf(this);
        initLocked(this, self);  // a nub that never called PMinit passes its power through
        child.parent = this;
        self.children.push_back(driver);
        pm::removeTopLevelLocked(driver);
    }
    driver->attachToParent(this, gIOPowerPlane);
    pm::scheduleReconcile();
}

IOReturn IOService::registerPowerDriver(IOService* controllingDriver, IOPMPowerState* powerStates,
                                        unsigned long numberOfStates)
{
    std::lock_guard guard(pm::treeLock());
    PMNode& node = pm::nodeOf(this);
    if (!node.initialized) {
        return kIOPMNotYetInitialized;
    }
    if (!powerStates || numberOfStates < 2 || numberOfStates > kIOPMMaxPowerStates) {
        IOLog("%s::registerPowerDriver: %lu power states (2 to %d are needed)\n", getName(), numberOfStates,
              kIOPMMaxPowerStates);
        return kIOReturnBadArgument;
    }
    if (!controllingDriver) {
        IOLog("%s::registerPowerDriver: no controlling driver\n", getName());
        return kIOReturnBadArgument;
    }
    for (unsigned long i = 0; i < numberOfStates; ++i) {
        if (powerStates[i].version != kIOPMPowerStateVersion1 && powerStates[i].version != kIOPMPowerStateVersion2) {
            IOLog("%s::registerPowerDriver: state %lu has version %lu\n", getName(), i, powerStates[i].version);
            return kIOReturnBadArgument;
        }
    }
    if (node.controllingDriver) {
        IOLog("%s::registerPowerDriver: a power driver is already registered; ignored\n", getName());
        return kIOReturnSuccess;
    }
    node.controllingDriver = controllingDriver;
    node.states.assign(powerStates, powerStates + numberOfStates);
    node.currentState = 0;
    node.deviceDesire = highestState(node);  // the initial change: as high as the parent allows
    node.privDesire = 0;
    node.initialChangeDone = false;
    pm::scheduleReconcile();
    return kIOReturnSuccess;
}

IOReturn IOService::setPowerState(unsigned long powerStateOrdinal, IOService* whatDevice)
{
    return kIOPMAckImplied;
}

IOReturn IOService::acknowledgeSetPowerState(void)
{
    std::lock_guard guard(pm::treeLock());
    PMNode& node = pm::nodeOf(this);
    if (!node.initialized && !node.calloutActive) {
        return kIOReturnNotReady;  // an acknowledgement to a callout still running after PMstop counts
    }
    node.ackPending = false;
    pm::treeChanged().notify_all();
    return kIOReturnSuccess;
}

IOReturn IOService::acknowledgePowerChange(IOService* whichDriver)
{
    return acknowledgeSetPowerState();
}

IOReturn IOService::powerStateWillChangeTo(IOPMPowerFlags capabilities, unsigned long stateNumber,
                                           IOService* whatDevice)
{
    return kIOPMAckImplied;
}

IOReturn IOService::powerStateDidChangeTo(IOPMPowerFlags capabilities, unsigned long stateNumber,
                                          IOService* whatDevice)
{
    return kIOPMAckImplied;
}

IOPMPowerFlags IOService::registerInterestedDriver(IOService* theDriver)
{
    std::lock_guard guard(pm::treeLock());
    PMNode& node = pm::nodeOf(this);
    if (!node.initialized || !theDriver) {
        return 0;
    }
    if (std::find(node.interested.begin(), node.interested.end(), theDriver) == node.interested.end()) {
        node.interested.push_back(theDriver);
    }
    return node.states.empty() ? 0 : node.states[node.currentState].capabilityFlags;
}

IOReturn IOService::deRegisterInterestedDriver(IOService* theDriver)
{
    std::lock_guard guard(pm::treeLock());
    PMNode& node = pm::nodeOf(this);
    auto found = std::find(node.interested.begin(), node.interested.end(), theDriver);
    if (found == node.interested.end()) {
        return kIOReturnNotFound;
    }
    node.interested.erase(found);  // a callout already running to it finishes (it holds a reference)
    return kIOReturnSuccess;
}

namespace {

IOReturn request(IOService* service, unsigned long ordinal, unsigned long PMNode::*desire)
{
    {
        std::lock_guard guard(pm::treeLock());
        PMNode& node = pm::nodeOf(service);
        if (!node.initialized) {
            return kIOPMNotYetInitialized;
        }
        if (ordinal >= kIOPMMaxPowerStates) {
            return kIOReturnBadArgument;
        }
        node.*desire = ordinal;  // clamped to the table when the tree is reconciled
    }
    pm::scheduleReconcile();
    return kIOReturnSuccess;
}

}  // namespace

IOReturn IOService::changePowerStateTo(unsigned long ordinal)
{
    return request(this, ordinal, &PMNode::deviceDesire);
}

IOReturn IOService::changePowerStateToPriv(unsigned long ordinal)
{
    return request(this, ordinal, &PMNode::privDesire);
}

IOReturn IOService::makeUsable(void)
{
    return request(this, kIOPMMaxPowerStates - 1, &PMNode::deviceDesire);  // as xnu: the highest state
}

// Documented no-op (docs/kernel-extras.md): the clamp only matters while children attach, and
// the initial change here already starts as high as the parent allows.
IOReturn IOService::temporaryPowerClampOn(void)
{
    return kIOReturnSuccess;
}

unsigned long IOService::maxCapabilityForDomainState(IOPMPowerFlags domainState)
{
    std::lock_guard guard(pm::treeLock());
    const PMNode& node = pm::nodeOf(this);
    for (unsigned long i = node.states.size(); i-- > 0;) {
        const IOPMPowerFlags needed = node.states[i].inputPowerRequirement;
        if ((domainState & needed) == needed) {
            return i;
        }
    }
    return 0;
}

unsigned long IOService::initialPowerStateForDomainState(IOPMPowerFlags domainState)
{
    return maxCapabilityForDomainState(domainState);
}

UInt32 IOService::getPowerState(void)
{
    std::lock_guard guard(pm::treeLock());
    return static_cast<UInt32>(pm::nodeOf(this).currentState);
}
