// The power tree's driver: one PM thread (xnu's PM work loop) that brings every node to its
// target power state, lowering children before parents and raising parents before children,
// and the simulated system sleep and wake (openiokit/PowerManagement.h).
//
// A pass: (1) snapshot the tree under the PM lock (retaining each service); (2) outside the
// lock, compute each node's wish bottom-up — max(changePowerStateTo, changePowerStateToPriv,
// the lowest state whose output covers what its children's wishes need) — and its target
// top-down — the wish clamped by maxCapabilityForDomainState(parent's target output); (3) lower
// in post-order, (4) raise (and run initial changes) in pre-order. Each change calls the
// interested drivers' powerStateWillChangeTo, the controlling driver's setPowerState, then
// powerStateDidChangeTo, waiting for an acknowledgement when one returns a time in µs.
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/pwr_mgt/RootDomain.h>
#include <libkern/c++/OSSharedPtr.h>
#include <openiokit/PowerManagement.h>

#include "IOServicePMPrivate.h"
#include "ServiceExtras.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <set>
#include <thread>

namespace openiokit::pm {

namespace {

struct TreeState {
    std::mutex lock;
    std::condition_variable changed;
    std::set<IOService*> topLevel;  // initialized nodes with no parent
    bool asleep = false;
};

TreeState& tree()
{
    static auto* state = new TreeState;  // immortal: services may outlive static destructors
    return *state;
}

// The PM thread: runs queued work in order. Immortal.
class PMThread {
public:
    static PMThread& shared()
    {
        static auto* instance = new PMThread;
        return *instance;
    }
    bool isCurrent() const { return std::this_thread::get_id() == id_; }

    void post(std::function<void()> work)
    {
        std::lock_guard guard(lock_);
        queue_.push_back(std::move(work));
        wake_.notify_all();
    }
    // Runs `work` on the PM thread and waits for it (inline when already there).
    void runSync(std::function<void()> work)
    {
        if (isCurrent()) {
            work();
            return;
        }
        std::mutex doneLock;
        std::condition_variable doneChanged;
        bool done = false;
        post([&] {
            work();
            std::lock_guard guard(doneLock);
            done = true;
            doneChanged.notify_all();
        });
        std::unique_lock guard(doneLock);
        doneChanged.wait(guard, [&] { return done; });
    }
    void waitIdle()
    {
        std::unique_lock guard(lock_);
        wake_.wait(guard, [&] { return queue_.empty() && !busy_; });
    }

private:
    PMThread()
    {
        std::thread thread([this] { run(); });
        id_ = thread.get_id();
        thread.detach();
    }
    void run()
    {
        for (;;) {
            std::function<void()> work;
            {
                std::unique_lock guard(lock_);
                busy_ = false;
                wake_.notify_all();
                wake_.wait(guard, [&] { return !queue_.empty(); });
                work = std::move(queue_.front());
                queue_.pop_front();
                busy_ = true;
            }
            work();
        }
    }

    std::mutex lock_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool busy_ = false;
    std::thread::id id_;
};

// One node of a pass's snapshot.
struct Snapshot {
    OSSharedPtr<IOService> service;
    int parent = -1;  // index in the snapshot, -1: powered by the root
    std::vector<int> children;
    std::vector<IOPMPowerState> states;
    unsigned long deviceDesire = 0;
    unsigned long privDesire = 0;
    unsigned long current = 0;
    bool needsInitialChange = false;
    unsigned long wish = 0;
    IOPMPowerFlags need = 0;     // what this node needs from its parent (for its wish)
    IOPMPowerFlags output = 0;   // what it gives its children at its target
    unsigned long target = 0;
};

void collectLocked(IOService* service, int parent, std::vector<Snapshot>& out)
{
    PMNode& node = nodeOf(service);
    const int index = static_cast<int>(out.size());
    Snapshot entry;
    entry.service.reset(service, OSRetain);
    entry.parent = parent;
    entry.states = node.states;
    entry.deviceDesire = node.deviceDesire;
    entry.privDesire = node.privDesire;
    entry.current = node.currentState;
    entry.needsInitialChange = node.controllingDriver && !node.initialChangeDone;
    out.push_back(std::move(entry));
    if (parent >= 0) {
        out[static_cast<size_t>(parent)].children.push_back(index);
    }
    for (IOService* child : node.children) {
        collectLocked(child, index, out);
    }
}

unsigned long clampState(unsigned long state, const std::vector<IOPMPowerState>& states)
{
    return std::min<unsigned long>(state, states.size() - 1);
}

// Bottom-up: each node's wish and what it needs from its parent.
void computeWish(std::vector<Snapshot>& nodes, int index)
{
    Snapshot& node = nodes[static_cast<size_t>(index)];
    IOPMPowerFlags childNeed = 0;
    for (int child : node.children) {
        computeWish(nodes, child);
        childNeed |= nodes[static_cast<size_t>(child)].need;
    }
    if (node.states.empty()) {
        node.need = childNeed;  // a pass-through node forwards its children's needs
        return;
    }
    unsigned long forChildren = node.states.size() - 1;
    for (unsigned long s = 0; s < node.states.size(); ++s) {
        if ((node.states[s].outputPowerCharacter & childNeed) == childNeed) {
            forChildren = s;
            break;
        }
    }
    node.wish = std::max({clampState(node.deviceDesire, node.states), clampState(node.privDesire, node.states),
                          childNeed ? forChildren : 0ul});
    node.need = node.states[node.wish].inputPowerRequirement;
}

// Top-down: each node's target under its parent's target output.
void computeTarget(std::vector<Snapshot>& nodes, int index, IOPMPowerFlags domain)
{
    Snapshot& node = nodes[static_cast<size_t>(index)];
    if (node.states.empty()) {
        node.output = domain;
    } else {
        const unsigned long allowed = clampState(node.service->maxCapabilityForDomainState(domain), node.states);
        node.target = std::min(node.wish, allowed);
        node.output = node.states[node.target].outputPowerCharacter;
    }
    for (int child : node.children) {
        computeTarget(nodes, child, node.output);
    }
}

// Waits for the acknowledgement a callout promised within `result` µs (xnu's ack timer).
void awaitAck(PMNode& node, IOReturn result, IOService* who, const char* what, unsigned long from,
              unsigned long to)
{
    std::unique_lock guard(treeLock());
    if (result == kIOPMAckImplied || static_cast<int32_t>(result) < 0) {
        node.ackPending = false;  // implied (errors count as implied, as xnu)
        return;
    }
    const auto limit = std::chrono::microseconds(result);
    if (!treeChanged().wait_for(guard, limit, [&] { return !node.ackPending; })) {
        node.ackPending = false;
        IOLog("%s::%s(%p, %lu -> %lu) timed out after %lld ms\n", who->getMetaClass()->getClassName(), what, who,
              from, to, static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(limit).count()));
    }
}

// One power change of `service` to `target`, on the PM thread.
void changeState(IOService* service, unsigned long target)
{
    OSSharedPtr<IOService> driver;
    std::vector<OSSharedPtr<IOService>> interested;
    PMNode* nodePtr = nullptr;
    unsigned long from = 0;
    IOPMPowerFlags capabilities = 0;
    {
        std::lock_guard guard(treeLock());
        PMNode& node = nodeOf(service);
        if (!node.initialized || !node.controllingDriver || target >= node.states.size()) {
            return;  // PMstop ran meanwhile
        }
        node.calloutActive = true;
        driver.reset(node.controllingDriver, OSRetain);
        for (IOService* each : node.interested) {
            interested.emplace_back(each, OSRetain);
        }
        from = node.currentState;
        capabilities = node.states[target].capabilityFlags;
        nodePtr = &node;
    }
    PMNode& node = *nodePtr;  // stable: the service is retained by the pass
    auto callout = [&](IOService* who, const char* what, auto&& call) {
        {
            std::lock_guard guard(treeLock());
            node.ackPending = true;
        }
        awaitAck(node, call(), who, what, from, target);
    };
    for (auto& each : interested) {
        callout(each.get(), "powerStateWillChangeTo",
                [&] { return each->powerStateWillChangeTo(capabilities, target, service); });
    }
    callout(driver.get(), "setPowerState", [&] { return driver->setPowerState(target, service); });
    {
        std::lock_guard guard(treeLock());
        node.currentState = target;
        node.initialChangeDone = true;
    }
    for (auto& each : interested) {
        callout(each.get(), "powerStateDidChangeTo",
                [&] { return each->powerStateDidChangeTo(capabilities, target, service); });
    }
    std::lock_guard guard(treeLock());
    node.calloutActive = false;
    treeChanged().notify_all();
}

void reconcile()
{
    std::vector<Snapshot> nodes;
    std::vector<int> roots;
    IOPMPowerFlags rootOutput = 0;
    IOPMrootDomain* root = IOService::getPMRootDomain();  // made outside the lock (PMinit takes it)
    {
        std::lock_guard guard(treeLock());
        rootOutput = rootOutputLocked();
        std::vector<IOService*> tops(tree().topLevel.begin(), tree().topLevel.end());
        if (root) {
            tops.erase(std::remove(tops.begin(), tops.end(), root), tops.end());
            const auto& rootChildren = nodeOf(root).children;
            tops.insert(tops.end(), rootChildren.begin(), rootChildren.end());
        }
        for (IOService* top : tops) {
            roots.push_back(static_cast<int>(nodes.size()));
            collectLocked(top, -1, nodes);
        }
    }
    for (int root : roots) {
        computeWish(nodes, root);
        computeTarget(nodes, root, rootOutput);
    }
    // Pre-order is the snapshot's order: reversed, children come before their parents.
    for (auto node = nodes.rbegin(); node != nodes.rend(); ++node) {
        if (!node->states.empty() && node->target < node->current) {
            changeState(node->service.get(), node->target);
        }
    }
    for (auto& node : nodes) {
        if (!node.states.empty() && (node.target > node.current || node.needsInitialChange)) {
            changeState(node.service.get(), node.target);
        }
    }
}

IOReturn messageRoot(UInt32 type, unsigned long stateNumber)
{
    IOPMrootDomain* root = IOService::getPMRootDomain();
    if (!root) {
        return kIOReturnNotReady;
    }
    IOPowerStateChangeNotification note = {nullptr, 0, stateNumber, 0};
    root->messageClients(type, &note, sizeof(note));
    return kIOReturnSuccess;
}

}  // namespace

std::mutex& treeLock()
{
    return tree().lock;
}

std::condition_variable& treeChanged()
{
    return tree().changed;
}

PMNode& nodeOf(IOService* service)
{
    return service->extras().get().pm;
}

void addTopLevelLocked(IOService* service)
{
    tree().topLevel.insert(service);
}

void removeTopLevelLocked(IOService* service)
{
    tree().topLevel.erase(service);
}

IOPMPowerFlags rootOutputLocked()
{
    return tree().asleep ? 0 : kIOPMPowerOn;
}

void scheduleReconcile()
{
    PMThread::shared().post(&reconcile);
}

void destroyNode(PMNode& node)
{
    std::lock_guard guard(treeLock());
    if (!node.self) {
        return;
    }
    // Only a node nobody links to can be destroyed (the power plane retains linked ones), but a
    // top-level entry holds no reference.
    removeTopLevelLocked(node.self);
    for (IOService* child : node.children) {
        nodeOf(child).parent = nullptr;
        addTopLevelLocked(child);
    }
    if (node.parent) {
        auto& siblings = nodeOf(node.parent).children;
        siblings.erase(std::remove(siblings.begin(), siblings.end(), node.self), siblings.end());
    }
    node.children.clear();
    node.parent = nullptr;
}

IOReturn systemSleep()
{
    messageRoot(kIOMessageSystemWillSleep, 0);
    PMThread::shared().runSync([] {
        {
            std::lock_guard guard(treeLock());
            tree().asleep = true;
        }
        reconcile();
    });
    return kIOReturnSuccess;
}

IOReturn systemWake()
{
    messageRoot(kIOMessageSystemWillPowerOn, 1);
    PMThread::shared().runSync([] {
        {
            std::lock_guard guard(treeLock());
            tree().asleep = false;
        }
        reconcile();
    });
    messageRoot(kIOMessageSystemHasPoweredOn, 1);
    return kIOReturnSuccess;
}

bool isSystemAsleep()
{
    std::lock_guard guard(treeLock());
    return tree().asleep;
}

void waitForIdle()
{
    PMThread::shared().waitIdle();
}

}  // namespace openiokit::pm
