// The matching flow (iokit-semantics.md §4.2), after xnu's registerService, startMatching,
// doServiceMatch, probeCandidates and startCandidate: a registered service is published, the
// catalogue's personalities for its class are matched, probed and started (the best of each
// match category), and it becomes matched. Also resources (publishResource, IOResourceMatch
// waits). The matching keys are in IOServicePassiveMatch.cpp, the notifiers in
// IOServiceNotification.cpp, the config threads in ConfigThreads.cpp.
//
// Busy: startMatching adds one to the service's busy count and doServiceMatch removes it when it
// ends (§2.10). Synchronous matching runs on the caller's thread, and the drivers it starts
// inherit that: their own registerService() matches inline too.
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"
#include "IOServiceNotifiers.h"

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <variant>

namespace {

using openiokit::ensureMatchingSymbols;
using openiokit::NotifierList;

bool isUnderRegistryRoot(IOService* service)
{
    IORegistryEntry* root = IORegistryEntry::getRegistryRoot();
    OSSharedPtr<IORegistryEntry> entry(service, OSRetain);
    while (entry && entry.get() != root) {
        entry.reset(entry->copyParentEntry(gIOServicePlane), OSNoRetain);
    }
    return entry.get() == root;
}

// The active client already started in `category` (xnu's copyClientWithCategory), retained.
OSSharedPtr<IOService> copyClientWithCategory(IOService* provider, const OSSymbol* category)
{
    for (const auto& client : openiokit::clientsOf(provider)) {
        if (client->isInactive()) {
            continue;
        }
        OSSharedPtr<OSObject> clientCategory(client->copyProperty(gIOMatchCategoryKey), OSNoRetain);
        if (clientCategory.get() == category) {
            return client;
        }
    }
    return nullptr;
}

const OSSymbol* categoryOf(OSDictionary* personality)
{
    auto* category = OSDynamicCast(OSSymbol, personality->getObject(gIOMatchCategoryKey));
    return category ? category : gIODefaultMatchCategoryKey;
}

// One resource a service waits for: a resource name, or a matching table for the IOResources
// nub (xnu's checkResource). Blocks until it is published.
void checkResource(IOService* service, OSObject* matching)
{
    auto* name = OSDynamicCast(OSString, matching);
    if (name) {
        IOService* resources = openiokit::resourcesService();
        OSSharedPtr<OSObject> present(resources ? resources->copyProperty(name) : nullptr, OSNoRetain);
        if (present) {
            return;
        }
    }
    OSDictionary* table = nullptr;
    if (name) {
        table = IOService::resourceMatching(name);
    } else if ((table = OSDynamicCast(OSDictionary, matching))) {
        table->retain();
    } else {
        IOLog("%s: Can't match using: %s\n", service->getName(), matching->getMetaClass()->getClassName());
        return;  // as xnu: waiting for something that can never match would stall forever
    }
    IOService::waitForService(table);  // consumes `table`
}

// Waits for every resource named by the service's IOResourceMatch property (a name, a table, or
// an OSSet of them). xnu's checkResources.
void checkResources(IOService* service)
{
    OSSharedPtr<OSObject> wanted(service->copyProperty(gIOResourceMatchKey), OSNoRetain);
    if (!wanted) {
        return;
    }
    auto* set = OSDynamicCast(OSSet, wanted.get());
    if (!set) {
        checkResource(service, wanted.get());
        return;
    }
    set->iterateObjects([&](OSObject* each) {
        checkResource(service, each);
        return false;
    });
}

// Attaches and starts one candidate; on failure it is detached again (and freed by the caller's
// release). xnu's startCandidate.
bool startCandidate(IOService* provider, IOService* candidate)
{
    if (!candidate->attach(provider)) {
        return false;
    }
    if (provider != openiokit::resourcesService()) {
        checkResources(provider);   // resources the nub itself waits for
        checkResources(candidate);  // resources the driver waits for
    }
    const bool started = candidate->start(provider);
    if (!started) {
        candidate->detach(provider);
    }
    return started;
}

// Personalities and publish notifiers, interleaved in score order as xnu's ordered set keeps
// them (a notifier's score is its priority; on equal scores personalities come first).
using MatchItem = std::variant<OSSharedPtr<OSDictionary>, OSSharedPtr<_IOServiceNotifier>>;

std::vector<MatchItem> orderedMatchItems(OSOrderedSet* personalities, NotifierList& publish)
{
    std::vector<std::pair<SInt32, MatchItem>> scored;
    for (unsigned int index = 0; personalities && index < personalities->getCount(); index++) {
        if (auto* personality = OSDynamicCast(OSDictionary, personalities->getObject(index))) {
            scored.emplace_back(openiokit::probeScoreOf(personality),
                                OSSharedPtr<OSDictionary>(personality, OSRetain));
        }
    }
    for (auto& notifier : publish) {
        scored.emplace_back(openiokit::notifierPriority(notifier.get()), std::move(notifier));
    }
    publish.clear();
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<MatchItem> items;
    for (auto& [score, item] : scored) {
        items.push_back(std::move(item));
    }
    return items;
}

// The drivers probed successfully, per match category (categories in first-seen order), each
// list in probe-score order.
struct StartLists {
    std::vector<std::pair<OSSharedPtr<const OSSymbol>, OSSharedPtr<OSOrderedSet>>> categories;

    void add(const OSSymbol* category, IOService* driver)
    {
        auto list = std::find_if(categories.begin(), categories.end(),
                                 [&](const auto& entry) { return entry.first.get() == category; });
        if (list == categories.end()) {
            OSSharedPtr<OSOrderedSet> set(
                OSOrderedSet::withCapacity(1, &openiokit::probeScoreOrdering, const_cast<OSSymbol*>(gIOProbeScoreKey)),
                OSNoRetain);
            if (!set) {
                return;
            }
            categories.emplace_back(OSSharedPtr<const OSSymbol>(category, OSRetain), std::move(set));
            list = std::prev(categories.end());
        }
        list->second->setObject(driver);
    }
};

// Instantiates, initialises and probes one candidate personality (`properties` is the copy the
// driver will own). xnu's probeCandidates, second loop.
void probeOne(IOService* provider, OSDictionary* properties, StartLists& startLists)
{
    OSObject* classObject = properties->getObject(gIOClassKey);
    OSSharedPtr<const OSSymbol> className;
    if (auto* string = OSDynamicCast(OSString, classObject)) {
        className.reset(OSSymbol::withString(string), OSNoRetain);
    }
    if (!className) {
        return;
    }
    OSObject* object = OSMetaClass::allocClassWithName(className.get());
    OSSharedPtr<IOService> driver(OSDynamicCast(IOService, object), OSNoRetain);
    if (!driver) {
        IOLog("Couldn't alloc class \"%s\"\n", className->getCStringNoCopy());
        if (object) {
            object->release();
        }
        return;
    }
    if (!driver->init(properties)) {
        return;
    }
    if (provider->privateState().hasPrivateBits(kIOServiceSynchronousState)) {
        driver->privateState().setPrivateBits(kIOServiceSynchronousState);
    }
    const OSSymbol* category = categoryOf(properties);
    driver->setProperty(gIOMatchCategoryKey, const_cast<OSSymbol*>(category));
    if (!driver->attach(provider)) {
        return;
    }
    SInt32 score = openiokit::probeScoreOf(properties);
    IOService* chosen = driver->probe(provider, &score);
    driver->detach(provider);
    if (!chosen) {
        return;
    }
    OSSharedPtr<OSNumber> saved(OSNumber::withNumber(static_cast<UInt32>(score), 32), OSNoRetain);
    if (saved) {
        chosen->setProperty(gIOProbeScoreKey, saved.get());
    }
    startLists.add(category, chosen);
}

// xnu's probeCandidates: publish notifiers fire, personalities are matched passively, the
// survivors are instantiated and probed, then in each category the best that starts wins and
// the rest are released without start.
void probeCandidates(IOService* provider, OSOrderedSet* personalities, NotifierList& publish)
{
    OSSharedPtr<OSOrderedSet> familyMatches(
        OSOrderedSet::withCapacity(1, &openiokit::probeScoreOrdering, const_cast<OSSymbol*>(gIOProbeScoreKey)),
        OSNoRetain);
    if (!familyMatches) {
        return;
    }
    for (auto& item : orderedMatchItems(personalities, publish)) {
        if (auto* notifier = std::get_if<OSSharedPtr<_IOServiceNotifier>>(&item)) {
            if (!provider->isInactive()) {
                openiokit::invokeNotifier(provider, notifier->get());
            }
            continue;
        }
        OSDictionary* personality = std::get<OSSharedPtr<OSDictionary>>(item).get();
        if (copyClientWithCategory(provider, categoryOf(personality))) {
            continue;  // the category is taken
        }
        // A copy, so that matching may note IONameMatched and the family's score in it.
        OSSharedPtr<OSDictionary> properties(OSDictionary::withDictionary(personality, personality->getCount()),
                                             OSNoRetain);
        if (properties && openiokit::matchPassive(provider, properties.get(), kIOServiceChangesOK | kIOServiceClassDone)) {
            familyMatches->setObject(properties.get());
        }
    }

    StartLists startLists;
    while (OSObject* next = familyMatches->getFirstObject()) {
        OSSharedPtr<OSDictionary> properties(OSDynamicCast(OSDictionary, next), OSRetain);
        familyMatches->removeObject(next);
        probeOne(provider, properties.get(), startLists);
    }

    for (auto& [category, candidates] : startLists.categories) {
        bool started = false;
        while (OSObject* next = candidates->getFirstObject()) {
            OSSharedPtr<IOService> candidate(OSDynamicCast(IOService, next), OSRetain);
            candidates->removeObject(next);
            if (!started) {
                started = startCandidate(provider, candidate.get());
            }
        }
    }
}

void publishResourceOn(IOService* resources, const OSSymbol* key, OSObject* value)
{
    resources->setProperty(key, value ? value : const_cast<OSSymbol*>(gIOServiceKey));
    // As xnu: not from inside a notification (the lock is held while families match).
    if (openiokit::notificationLock().heldByCurrentThread()) {
        return;
    }
    resources->registerService();
}

}  // namespace

namespace openiokit {

void startMatching(IOService* service, IOOptionBits options)
{
    OSSharedPtr<IORegistryEntry> provider(service->copyParentEntry(gIOServicePlane), OSNoRetain);
    auto* providerService = OSDynamicCast(IOService, provider.get());
    bool sync = (options & kIOServiceSynchronous) ||
                (providerService && providerService->privateState().hasPrivateBits(kIOServiceSynchronousState));
    if (options & kIOServiceAsynchronous) {
        sync = false;
    }

    IOServicePrivateState& state = service->privateState();
    service->lockForArbitration();
    // Matching already pending or running picks the re-registration up (doServiceMatch loops).
    const bool needConfig =
        !state.hasPrivateBits(uint32_t{kIOServiceNeedConfigState} | kIOServiceConfigRunning) && !service->isInactive();
    state.setPrivateBits(kIOServiceNeedConfigState);
    if (sync) {
        state.setPrivateBits(kIOServiceSynchronousState);
    } else {
        state.clearPrivateBits(kIOServiceSynchronousState);
    }
    service->unlockForArbitration();
    if (!needConfig) {
        return;
    }

    const UInt32 previousBusy = service->getBusyState();
    service->adjustBusy(1);  // dropped when doServiceMatch ends
    if (!sync) {
        queueMatchingJob(service, options);
        return;
    }
    doServiceMatch(service, options);
    // As xnu, a synchronous registration returns once the matching it set off below this service
    // (drivers registering their own nubs, asynchronous rematches) is over too.
    while (!service->isInactive() && service->getBusyState() > previousBusy) {
        service->waitForState(kIOServiceBusyStateMask, previousBusy, uint64_t{20'000'000});
    }
}

void doServiceMatch(IOService* service, IOOptionBits options)
{
    IOCatalogue::initialize();
    IOServicePrivateState& state = service->privateState();
    const bool isResources = service == resourcesService();
    OSSharedPtr<OSArray> resourceKeys;
    bool keepGuessing = true;
    bool reRegistered = true;
    while (keepGuessing) {
        SInt32 generation = 0;
        OSSharedPtr<OSOrderedSet> personalities(gIOCatalogue->findDrivers(service, &generation), OSNoRetain);
        NotifierList firstPublish;
        NotifierList publish;
        service->lockForArbitration();
        if (!(service->getState() & kIOServiceFirstPublishState)) {
            firstPublish = copyNotifiers(service, gIOFirstPublishNotification, kIOServiceFirstPublishState);
        }
        {
            std::lock_guard lock(notificationLock());
            state.clearPrivateBits(kIOServiceNeedConfigState);
            state.setPrivateBits(kIOServiceConfigState | kIOServiceConfigRunning);
            state.setPublicBits(kIOServiceRegisteredState);
            keepGuessing = !service->isInactive();
            if (reRegistered && keepGuessing) {
                publish = copyPublishNotifiersLocked(service);
            }
        }
        service->unlockForArbitration();
        invokeNotifiers(service, firstPublish);
        const bool anything = (personalities && personalities->getCount()) || !publish.empty();
        if (keepGuessing && anything) {
            if (isResources) {
                resourceKeys.reset(service->copyPropertyKeys(), OSNoRetain);
            }
            probeCandidates(service, personalities.get(), publish);
        }
        service->lockForArbitration();
        reRegistered = state.hasPrivateBits(kIOServiceNeedConfigState);
        keepGuessing = (reRegistered || generation != gIOCatalogue->getGenerationCount()) && !service->isInactive();
        if (keepGuessing) {
            service->unlockForArbitration();
        }
    }

    // Still holding the arbitration lock.
    NotifierList matched;
    NotifierList firstMatch;
    if (!service->isInactive()) {
        if (resourceKeys) {
            service->setProperty(gIOResourceMatchedKey, resourceKeys.get());
        }
        matched = copyNotifiers(service, gIOMatchedNotification, kIOServiceMatchedState);
        if (!(service->getState() & kIOServiceFirstMatchState)) {
            firstMatch = copyNotifiers(service, gIOFirstMatchNotification, kIOServiceFirstMatchState);
        }
    }
    state.clearPrivateBits(kIOServiceConfigRunning);
    service->unlockForArbitration();
    invokeNotifiers(service, matched);
    invokeNotifiers(service, firstMatch);

    service->lockForArbitration();
    state.clearPrivateBits(kIOServiceConfigState);
    service->unlockForArbitration();
    terminationMatchingEnded(service);  // a phase 2 deferred by matching may go on now
    service->adjustBusy(-1);
}

void catalogNewDrivers(const std::vector<OSSharedPtr<OSDictionary>>& personalities)
{
    std::vector<OSSharedPtr<IOService>> services;
    std::unordered_set<IOService*> seen;
    for (const auto& personality : personalities) {
        std::vector<OSSharedPtr<IOService>> found;
        {
            std::lock_guard lock(notificationLock());
            found = copyExistingServices(personality.get(), kIOServiceRegisteredState, kIOServiceExistingSet);
        }
        for (auto& service : found) {
            if (seen.insert(service.get()).second) {
                services.push_back(std::move(service));
            }
        }
    }
    for (const auto& service : services) {
        startMatching(service.get(), kIOServiceAsynchronous);
    }
}

void freeMatchingState(IOServicePrivateState& state)
{
    delete state.matching;
    state.matching = nullptr;
}

}  // namespace openiokit

// --- Public API -------------------------------------------------------------------------------

void IOService::registerService(IOOptionBits options)
{
    ensureMatchingSymbols();
    if (!isUnderRegistryRoot(this)) {
        IOLog("%s: not registry member at registerService()\n", getName());
        return;
    }
    openiokit::startMatching(this, options);
}

bool IOService::addNeededResource(const char* key)
{
    ensureMatchingSymbols();
    // As xnu: only for a service that already waits for some resource.
    OSSharedPtr<OSObject> wanted(copyProperty(gIOResourceMatchKey), OSNoRetain);
    if (!wanted) {
        return false;
    }
    OSSharedPtr<OSString> newKey(OSString::withCString(key), OSNoRetain);
    if (!newKey) {
        return false;
    }
    // A new set: the property's own may have been made immutable when it was stored.
    OSSharedPtr<OSSet> set;
    if (auto* existing = OSDynamicCast(OSSet, wanted.get())) {
        set.reset(OSSet::withSet(existing, existing->getCount() + 1), OSNoRetain);
    } else {
        set.reset(OSSet::withCapacity(2), OSNoRetain);
        if (set) {
            set->setObject(wanted.get());
        }
    }
    if (!set) {
        return false;
    }
    set->setObject(newKey.get());
    return setProperty(gIOResourceMatchKey, set.get());
}

void IOService::publishResource(const char* key, OSObject* value)
{
    ensureMatchingSymbols();
    OSSharedPtr<const OSSymbol> symbol(OSSymbol::withCString(key), OSNoRetain);
    if (symbol) {
        publishResource(symbol.get(), value);
    }
}

void IOService::publishResource(const OSSymbol* key, OSObject* value)
{
    IOService::initialize();
    if (IOService* resources = openiokit::resourcesService()) {
        publishResourceOn(resources, key, value);
    }
}

IOService* IOService::getResourceService(void)
{
    IOService::initialize();
    return openiokit::resourcesService();
}

namespace openiokit {

// The first registration of IOResources (from initializeResources, inside IOService::initialize,
// which must not be re-entered): publishes "IOKit", as xnu does once the kernel is up.
void publishIOKitResource(IOService* resources)
{
    publishResourceOn(resources, gIOResourceIOKitKey, nullptr);
}

}  // namespace openiokit
