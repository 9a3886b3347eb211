// IOService lifecycle and topology: init/free, the default probe/start/stop, attach/detach,
// provider and client access, the service root. Matching, open/close, busy, notifications and
// termination each live in their own file (see IOService.h).
#include <IOKit/IOService.h>

#include "IOServicePrivate.h"
#include "Termination.h"

#include <mutex>

OSDefineMetaClassAndStructors(IOService, IORegistryEntry);
OSDefineMetaClassAndAbstractStructors(IONotifier, OSObject);

namespace {

// The root of the service plane, attached under the registry root: on a Mac the platform expert
// device (IOPlatformExpertDevice); here a plain IOService with that role.
IOService* gIOServiceRoot = nullptr;

OSIterator* iteratorOver(const std::vector<OSSharedPtr<IOService>>& services)
{
    OSArray* array = OSArray::withCapacity(static_cast<unsigned int>(services.size()));
    if (!array) {
        return nullptr;
    }
    for (const auto& service : services) {
        array->setObject(service.get());
    }
    OSIterator* iterator = OSCollectionIterator::withCollection(array);
    array->release();
    return iterator;
}

template <typename Predicate>
std::vector<OSSharedPtr<IOService>> filtered(std::vector<OSSharedPtr<IOService>> services, Predicate keep)
{
    std::erase_if(services, [&](const OSSharedPtr<IOService>& service) { return !keep(service.get()); });
    return services;
}

std::vector<OSSharedPtr<IOService>> servicesIn(OSIterator* iterator)
{
    std::vector<OSSharedPtr<IOService>> services;
    if (!iterator) {
        return services;
    }
    while (OSObject* object = iterator->getNextObject()) {
        if (auto* service = OSDynamicCast(IOService, object)) {
            services.emplace_back(service, OSRetain);
        }
    }
    iterator->release();
    return services;
}

}  // namespace

namespace openiokit {

std::vector<OSSharedPtr<IOService>> clientsOf(const IOService* service)
{
    return servicesIn(service->getChildIterator(gIOServicePlane));
}

std::vector<OSSharedPtr<IOService>> providersOf(const IOService* service)
{
    return servicesIn(service->getParentIterator(gIOServicePlane));
}

}  // namespace openiokit

// --- Boot -------------------------------------------------------------------------------------

void IOService::initialize(void)
{
    static std::once_flag once;
    std::call_once(once, [] {
        IORegistryEntry::initialize();
        IOService* root = new IOService;
        if (!root || !root->init()) {
            IOLog("IOService: cannot create the service root\n");
            return;
        }
        root->setName("OpenIOKitPlatform");
        root->attachToParent(IORegistryEntry::getRegistryRoot(), gIOServicePlane);
        root->privateState().setPublicBits(kIOServiceRegisteredState | kIOServiceMatchedState |
                                           kIOServiceFirstPublishState | kIOServiceFirstMatchState);
        gIOServiceRoot = root;  // keeps the creation reference for the life of the kernel
        openiokit::initializeResources();
    });
}

IOService* IOService::getServiceRoot(void)
{
    initialize();
    return gIOServiceRoot;
}

IOPlatformExpert* IOService::getPlatform(void)
{
    return nullptr;  // no platform expert: there is no hardware to describe
}

// --- Object lifecycle -------------------------------------------------------------------------

bool IOService::init(OSDictionary* dictionary)
{
    if (!IORegistryEntry::init(dictionary)) {
        return false;
    }
    state_ = std::make_unique<IOServicePrivateState>();
    return true;
}

void IOService::free(void)
{
    if (state_) {
        openiokit::freeMatchingState(*state_);
        openiokit::freeInterestState(*state_);
        state_.reset();
    }
    IORegistryEntry::free();
}

IOService* IOService::probe(IOService* provider, SInt32* score)
{
    return this;
}

bool IOService::start(IOService* provider)
{
    return true;
}

void IOService::stop(IOService* provider) {}

IOOptionBits IOService::getState(void) const
{
    return state_ ? state_->publicState.load() : 0;
}

IOReturn IOService::callPlatformFunction(const OSSymbol* functionName, bool waitForFunction, void* param1,
                                         void* param2, void* param3, void* param4)
{
    // As xnu: a service that does not know the function asks its provider.
    IOService* provider = getProvider();
    return provider ? provider->callPlatformFunction(functionName, waitForFunction, param1, param2, param3, param4)
                    : kIOReturnUnsupported;
}

IOReturn IOService::callPlatformFunction(const char* functionName, bool waitForFunction, void* param1, void* param2,
                                         void* param3, void* param4)
{
    const OSSymbol* name = OSSymbol::withCString(functionName);
    if (!name) {
        return kIOReturnNoMemory;
    }
    IOReturn result = callPlatformFunction(name, waitForFunction, param1, param2, param3, param4);
    name->release();
    return result;
}

// --- Topology ---------------------------------------------------------------------------------

bool IOService::attach(IOService* provider)
{
    if (!provider) {
        IORegistryEntry* root = IORegistryEntry::getRegistryRoot();
        return root && attachToParent(root, gIOServicePlane);
    }
    // An inactive provider takes no new clients (this is what makes IOServiceOpen on a
    // terminated service fail with kIOReturnUnsupported, §3.7).
    provider->lockForArbitration();
    const bool ok = !provider->isInactive() && attachToParent(provider, gIOServicePlane);
    provider->unlockForArbitration();
    return ok;
}

void IOService::detach(IOService* provider)
{
    if (!provider) {
        return;
    }
    OSSharedPtr<IOService> keepProvider(provider, OSRetain);
    OSSharedPtr<IOService> keepThis(this, OSRetain);
    lockForArbitration();
    detachFromParent(provider, gIOServicePlane);
    IOService* newProvider = getProvider();
    const bool lastProviderGone = newProvider == nullptr;
    const bool inTermPhase3 = state_->hasPrivateBits(kIOServiceTermPhase3State);
    unlockForArbitration();
    openiokit::busyAfterDetach(this, provider, newProvider, inTermPhase3 && lastProviderGone);
    openiokit::terminationAfterDetach(this, provider);
}

IOService* IOService::getProvider(void) const
{
    return OSDynamicCast(IOService, getParentEntry(gIOServicePlane));
}

IOService* IOService::getClient(void) const
{
    return OSDynamicCast(IOService, getChildEntry(gIOServicePlane));
}

IOWorkLoop* IOService::getWorkLoop() const
{
    IOService* provider = getProvider();
    return provider ? provider->getWorkLoop() : nullptr;
}

OSIterator* IOService::getProviderIterator(void) const
{
    return iteratorOver(openiokit::providersOf(this));
}

OSIterator* IOService::getClientIterator(void) const
{
    return iteratorOver(openiokit::clientsOf(this));
}

OSIterator* IOService::getOpenProviderIterator(void) const
{
    return iteratorOver(filtered(openiokit::providersOf(this),
                                 [this](IOService* provider) { return provider->isOpen(this); }));
}

OSIterator* IOService::getOpenClientIterator(void) const
{
    return iteratorOver(filtered(openiokit::clientsOf(this), [this](IOService* client) { return isOpen(client); }));
}

void IOService::applyToProviders(IOServiceApplierFunction applier, void* context)
{
    for (const auto& provider : openiokit::providersOf(this)) {
        applier(provider.get(), context);
    }
}

void IOService::applyToClients(IOServiceApplierFunction applier, void* context)
{
    for (const auto& client : openiokit::clientsOf(this)) {
        applier(client.get(), context);
    }
}
