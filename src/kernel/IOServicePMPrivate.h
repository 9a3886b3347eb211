// A service's power-management state (IOServicePM*.cpp), part of its ServiceExtras. Every
// field is guarded by the global PM lock (openiokit::pm::treeLock()).
//
// The power tree: a node's parent supplies its power ("domain"): the parent's current
// outputPowerCharacter, or for a node whose parent is the root domain or that has none, the
// root's — kIOPMPowerOn while the simulated system is awake, 0 while it sleeps. A node without
// a state table (a nub that only joined others to the tree) passes its domain through.
#pragma once

#include <IOKit/IOService.h>
#include <IOKit/pwr_mgt/IOPMpowerState.h>

#include <condition_variable>
#include <mutex>
#include <vector>

namespace openiokit {

struct PMNode {
    IOService* self = nullptr;  // the service this state belongs to (set by PMinit)
    bool initialized = false;  // PMinit ran and PMstop did not
    IOService* parent = nullptr;              // not retained (the power plane link retains)
    std::vector<IOService*> children;         // not retained (ditto)
    IOService* controllingDriver = nullptr;   // registerPowerDriver's; not retained (often self)
    std::vector<IOPMPowerState> states;
    std::vector<IOService*> interested;       // registerInterestedDriver; not retained
    unsigned long currentState = 0;
    unsigned long deviceDesire = 0;  // changePowerStateTo / makeUsable
    unsigned long privDesire = 0;    // changePowerStateToPriv
    bool initialChangeDone = false;  // the first change after registerPowerDriver ran
    bool calloutActive = false;      // the PM thread is calling this node's drivers
    bool ackPending = false;         // a callout returned a time and its acknowledgement is due
};

namespace pm {

// The lock of every PMNode, and the condition signalled when a callout ends or is acknowledged.
std::mutex& treeLock();
std::condition_variable& treeChanged();
// `service`'s node (made on first use).
PMNode& nodeOf(IOService* service);
// Records `service` as initialized with no parent (it is powered by the root), or forgets it.
void addTopLevelLocked(IOService* service);
void removeTopLevelLocked(IOService* service);
// Queues a pass over the tree that brings every node to its target state (IOServicePMTree.cpp).
void scheduleReconcile();
// The root's output: kIOPMPowerOn while awake, 0 while the simulated system sleeps.
IOPMPowerFlags rootOutputLocked();
// Termination's stop step: PMstop for a service that joined power management (no-op, and no
// allocation, otherwise), so a driver leaves the power tree before its stop completes.
void stopManaged(IOService* service);
// ~ServiceExtras: unlinks a node whose service is being destroyed.
void destroyNode(PMNode& node);

}  // namespace pm

}  // namespace openiokit
