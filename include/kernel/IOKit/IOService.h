// <IOKit/IOService.h>: the driver and nub base class, with Apple's names and signatures.
//
// Where each part lives (src/kernel): lifecycle and topology in IOService.cpp, open/close
// arbitration in IOServiceOpenClose.cpp, matching in IOServiceMatching.cpp, notifications in
// IOServiceNotification.cpp, busy/quiet in IOServiceBusy.cpp, and the termination machinery —
// phases 1 to 3 and the terminate thread — in Termination.cpp (docs/termination.md); interrupts
// in IOServiceInterrupts.cpp and power management in IOServicePM*.cpp (docs/kernel-extras.md).
#pragma once

#include <IOKit/IOKitKeys.h>
#include <IOKit/IOLib.h>
#include <IOKit/IOLocks.h>
#include <IOKit/IOMessage.h>
#include <IOKit/IORegistryEntry.h>
#include <IOKit/IOReturn.h>
#include <IOKit/IOTypes.h>
#include <libkern/c++/OSContainers.h>
#include <mach/clock_types.h>

#include <atomic>
#include <memory>

#include <IOKit/IOInterrupts.h>
#include <IOKit/pwr_mgt/IOPMpowerState.h>

class IOService;
class IOUserClient;
class IOWorkLoop;
class IONotifier;
class IOPlatformExpert;
class IOPMrootDomain;
struct IOPMPowerState;

typedef void (*IOInterruptAction)(OSObject* target, void* refCon, IOService* nub, int source);

// Keys of a nub's interrupt description (xnu IOService.h / IOKitKeys): OpenIOKit uses only
// IOInterruptSpecifiers, an array with one entry per interrupt source (docs/kernel-extras.md).
extern const OSSymbol* gIOInterruptControllersKey;
extern const OSSymbol* gIOInterruptSpecifiersKey;

namespace openiokit {
struct ServiceExtras;
// Owns the state the kernel extras keep per service — interrupt sources
// (IOServiceInterrupts.cpp), power management (IOServicePM*.cpp) and user-client mappings
// (UserClientMemory.cpp) — made on first use and destroyed with the service.
class ServiceExtrasSlot {
public:
    ServiceExtrasSlot() = default;
    ServiceExtrasSlot(const ServiceExtrasSlot&) = delete;
    ServiceExtrasSlot& operator=(const ServiceExtrasSlot&) = delete;
    ~ServiceExtrasSlot();
    // Creates the state on first use; thread-safe.
    ServiceExtras& get();
    ServiceExtras* peek() const { return extras_.load(std::memory_order_acquire); }

private:
    std::atomic<ServiceExtras*> extras_{nullptr};
};
}  // namespace openiokit

// terminate() / registerService() options.
enum {
    kIOServiceRequired = 0x00000001,
    kIOServiceTerminate = 0x00000004,
    kIOServiceTerminateWithRematch = 0x00000010,
    kIOServiceTerminateWithRematchCurrentDext = 0x00000020,
    // options for registerService(), terminate()
    kIOServiceSynchronous = 0x00000002,
    // options for registerService()
    kIOServiceAsynchronous = 0x00000008,
};

// open() / close() options.
enum {
    kIOServiceSeize = 0x00000001,
    kIOServiceFamilyOpenOptions = 0xffff0000,
};
enum {
    kIOServiceFamilyCloseOptions = 0xffff0000,
};

// getState() bits.
enum {
    kIOServiceInactiveState = 0x00000001,
    kIOServiceRegisteredState = 0x00000002,
    kIOServiceMatchedState = 0x00000004,
    kIOServiceFirstPublishState = 0x00000008,
    kIOServiceFirstMatchState = 0x00000010,
};

// Private in xnu (IOKitKeysPrivate.h / IOServicePrivate.h); visible here because the
// propagation chain (requestTerminate -> terminateClient -> terminate) passes it to overrides.
enum {
    kIOServiceRecursing = 0x00100000,
    kIOServiceTerminateNeedWillTerminate = 0x00000100,
};

typedef bool (*IOServiceNotificationHandler)(void* target, void* refCon, IOService* newService);
typedef bool (*IOServiceMatchingNotificationHandler)(void* target, void* refCon, IOService* newService,
                                                     IONotifier* notifier);
typedef IOReturn (*IOServiceInterestHandler)(void* target, void* refCon, UInt32 messageType, IOService* provider,
                                             void* messageArgument, vm_size_t argSize);
typedef void (*IOServiceApplierFunction)(IOService* service, void* context);
typedef void (*OSObjectApplierFunction)(OSObject* object, void* context);

// Notification and interest types (their string values are in IOKitKeys.h).
extern const OSSymbol* gIOGeneralInterest;
extern const OSSymbol* gIOBusyInterest;
extern const OSSymbol* gIOAppPowerStateInterest;
extern const OSSymbol* gIOPriorityPowerStateInterest;
extern const OSSymbol* gIOPublishNotification;
extern const OSSymbol* gIOFirstPublishNotification;
extern const OSSymbol* gIOMatchedNotification;
extern const OSSymbol* gIOFirstMatchNotification;
extern const OSSymbol* gIOTerminatedNotification;
extern const OSSymbol* gIOWillTerminateNotification;

// Matching keys.
extern const OSSymbol* gIOServiceKey;
extern const OSSymbol* gIOProviderClassKey;
extern const OSSymbol* gIONameMatchKey;
extern const OSSymbol* gIONameMatchedKey;
extern const OSSymbol* gIOPropertyMatchKey;
extern const OSSymbol* gIOPropertyExistsMatchKey;
extern const OSSymbol* gIOLocationMatchKey;
extern const OSSymbol* gIOParentMatchKey;
extern const OSSymbol* gIOPathMatchKey;
extern const OSSymbol* gIOMatchCategoryKey;
extern const OSSymbol* gIODefaultMatchCategoryKey;
extern const OSSymbol* gIOMatchedServiceCountKey;
extern const OSSymbol* gIOResourcesKey;
extern const OSSymbol* gIOResourceMatchKey;
extern const OSSymbol* gIOUserClientClassKey;
extern const OSSymbol* gIOKitDebugKey;
extern const OSSymbol* gIOProbeScoreKey;
extern const OSSymbol* gIOClassKey;
extern const OSSymbol* gIOModuleIdentifierKey;  // "CFBundleIdentifier"

// Removes itself with remove(); until then it holds a reference on its handler's registration.
class IONotifier : public OSObject {
    OSDeclareAbstractStructors(IONotifier);

public:
    virtual void remove() = 0;
    virtual bool disable() = 0;
    virtual void enable(bool was) = 0;
};

struct IOServicePrivateState;

class IOService : public IORegistryEntry {
    OSDeclareDefaultStructors(IOService);

public:
    // --- Termination (Termination.cpp) -------------------------------------------------------
    // On the client, when `provider` terminates: true if the client is now inactive.
    virtual bool requestTerminate(IOService* provider, IOOptionBits options);
    // Delivered root-to-leaf to the clients of a terminating service.
    virtual bool willTerminate(IOService* provider, IOOptionBits options);
    // Delivered to each client once its terminating provider's clients are all inactive; the
    // default schedules this client's stop unless it holds `provider` open.
    virtual bool didTerminate(IOService* provider, IOOptionBits options, bool* defer);
    // Marks this service and its sole-provider clients inactive, then stops them leaf-first.
    // Always returns true unless an override refuses.
    virtual bool terminate(IOOptionBits options = 0);
    virtual bool terminateClient(IOService* client, IOOptionBits options);
    // Runs once, when the service and all its clients are inactive and nothing is in flight.
    virtual bool finalize(IOOptionBits options);
    // Postpones the provider's phase 2 while this object (a user client being created) is not
    // ready; clearing the bit re-runs the deferred phase 2.
    void setTerminateDefer(IOService* provider, bool defer);

    // --- Lifecycle (IOService.cpp) ------------------------------------------------------------
    bool init(OSDictionary* dictionary = NULL) APPLE_KEXT_OVERRIDE;
    void free(void) APPLE_KEXT_OVERRIDE;
    virtual IOService* probe(IOService* provider, SInt32* score);
    virtual bool start(IOService* provider);
    virtual void stop(IOService* provider);
    virtual bool attach(IOService* provider);
    virtual void detach(IOService* provider);
    virtual IOService* getProvider(void) const;
    virtual IOWorkLoop* getWorkLoop() const;
    virtual OSIterator* getProviderIterator(void) const;
    virtual OSIterator* getOpenProviderIterator(void) const;
    virtual IOService* getClient(void) const;
    virtual OSIterator* getClientIterator(void) const;
    virtual OSIterator* getOpenClientIterator(void) const;
    virtual void applyToProviders(IOServiceApplierFunction applier, void* context);
    virtual void applyToClients(IOServiceApplierFunction applier, void* context);
    virtual IOOptionBits getState(void) const;
    inline bool isInactive(void) const { return (getState() & kIOServiceInactiveState) != 0; }
    virtual IOReturn callPlatformFunction(const OSSymbol* functionName, bool waitForFunction, void* param1,
                                          void* param2, void* param3, void* param4);
    virtual IOReturn callPlatformFunction(const char* functionName, bool waitForFunction, void* param1, void* param2,
                                          void* param3, void* param4);

    // --- Messages and interest (IOServiceNotification.cpp) -----------------------------------
    virtual IOReturn message(UInt32 type, IOService* provider, void* argument = NULL);
    virtual IOReturn messageClient(UInt32 messageType, OSObject* client, void* messageArgument = NULL,
                                   vm_size_t argSize = 0);
    virtual IOReturn messageClients(UInt32 type, void* argument = NULL, vm_size_t argSize = 0);
    virtual IONotifier* registerInterest(const OSSymbol* typeOfInterest, IOServiceInterestHandler handler,
                                         void* target, void* ref = NULL);
    virtual void applyToInterested(const OSSymbol* typeOfInterest, OSObjectApplierFunction applier, void* context);

    // --- Open / close arbitration (IOServiceOpenClose.cpp) -----------------------------------
    virtual bool lockForArbitration(bool isSuccessRequired = true);
    virtual void unlockForArbitration(void);
    virtual bool open(IOService* forClient, IOOptionBits options = 0, void* arg = NULL);
    virtual void close(IOService* forClient, IOOptionBits options = 0);
    virtual bool isOpen(const IOService* forClient = NULL) const;
    virtual bool handleOpen(IOService* forClient, IOOptionBits options, void* arg);
    virtual void handleClose(IOService* forClient, IOOptionBits options);
    virtual bool handleIsOpen(const IOService* forClient) const;

    // --- Busy state (IOServiceBusy.cpp) -------------------------------------------------------
    virtual UInt32 getBusyState(void);
    // Nanoseconds this service has been busy in total, the current busy period included
    // (xnu: private; ioreg's "busy N (T ms)").
    uint64_t getAccumulatedBusyTime(void);
    virtual void adjustBusy(SInt32 delta);
    virtual IOReturn waitQuiet(mach_timespec_t* timeout);
    IOReturn waitQuiet(uint64_t timeout = UINT64_MAX);  // nanoseconds
    IOReturn waitForState(UInt32 mask, UInt32 value, mach_timespec_t* timeout = NULL);
    IOReturn waitForState(UInt32 mask, UInt32 value, uint64_t timeout);

    // --- Matching (IOServiceMatching.cpp) -----------------------------------------------------
    virtual void registerService(IOOptionBits options = 0);
    virtual bool matchPropertyTable(OSDictionary* table, SInt32* score);
    virtual bool matchPropertyTable(OSDictionary* table);
    virtual IOService* matchLocation(IOService* client);
    virtual bool addNeededResource(const char* key);
    virtual bool compareProperty(OSDictionary* matching, const char* key);
    virtual bool compareProperty(OSDictionary* matching, const OSString* key);
    virtual bool compareProperties(OSDictionary* matching, OSCollection* keys);
    bool passiveMatch(OSDictionary* matching, bool changesOK = false);

    static OSIterator* getMatchingServices(OSDictionary* matching);
    static IOService* copyMatchingService(OSDictionary* matching);
    static IONotifier* addNotification(const OSSymbol* type, OSDictionary* matching,
                                       IOServiceNotificationHandler handler, void* target, void* ref = NULL,
                                       SInt32 priority = 0);
    static IONotifier* addMatchingNotification(const OSSymbol* type, OSDictionary* matching,
                                               IOServiceMatchingNotificationHandler handler, void* target,
                                               void* ref = NULL, SInt32 priority = 0);
    static IOService* waitForService(OSDictionary* matching, mach_timespec_t* timeout = NULL);
    static IOService* waitForMatchingService(OSDictionary* matching, uint64_t timeout = UINT64_MAX);
    static OSDictionary* serviceMatching(const char* className, OSDictionary* table = NULL);
    static OSDictionary* serviceMatching(const OSString* className, OSDictionary* table = NULL);
    static OSDictionary* nameMatching(const char* name, OSDictionary* table = NULL);
    static OSDictionary* nameMatching(const OSString* name, OSDictionary* table = NULL);
    static OSDictionary* resourceMatching(const char* name, OSDictionary* table = NULL);
    static OSDictionary* resourceMatching(const OSString* name, OSDictionary* table = NULL);
    static OSDictionary* propertyMatching(const OSSymbol* key, const OSObject* value, OSDictionary* table = NULL);
    static OSDictionary* registryEntryIDMatching(uint64_t entryID, OSDictionary* table = NULL);
    static OSDictionary* addLocation(OSDictionary* table);
    static void publishResource(const char* key, OSObject* value = NULL);
    static void publishResource(const OSSymbol* key, OSObject* value = NULL);
    static IOService* getServiceRoot(void);
    static IOService* getResourceService(void);
    static IOPlatformExpert* getPlatform(void);

    // --- User clients (IOUserClient.cpp holds the defaults' logic) ----------------------------
    virtual IOReturn newUserClient(task_t owningTask, void* securityID, UInt32 type, OSDictionary* properties,
                                   IOUserClient** handler);
    virtual IOReturn newUserClient(task_t owningTask, void* securityID, UInt32 type, IOUserClient** handler);

    // --- Interrupts (IOServiceInterrupts.cpp) -------------------------------------------------
    // A nub's interrupt sources are those its IOInterruptSpecifiers property lists (or that
    // openiokit::declareInterrupts gave it). kIOReturnNoInterrupt for a source the nub does not
    // have; kIOReturnNoResources when the source already has a handler.
    virtual IOReturn registerInterrupt(int source, OSObject* target, IOInterruptAction handler, void* refCon = NULL);
    virtual IOReturn unregisterInterrupt(int source);
    virtual IOReturn getInterruptType(int source, int* interruptType);
    virtual IOReturn enableInterrupt(int source);
    virtual IOReturn disableInterrupt(int source);
    // Raises the interrupt (the simulated bus calls this): the handler runs on the kernel's
    // interrupt thread, soon if enabled, else once enableInterrupt() is called.
    virtual IOReturn causeInterrupt(int source);

    // --- Power management (IOServicePM*.cpp) --------------------------------------------------
    virtual void PMinit(void);
    virtual void PMstop(void);
    virtual void joinPMtree(IOService* driver);
    virtual IOReturn registerPowerDriver(IOService* controllingDriver, IOPMPowerState* powerStates,
                                         unsigned long numberOfStates);
    // Default: kIOPMAckImplied. A driver returning N > 0 µs must call acknowledgeSetPowerState.
    virtual IOReturn setPowerState(unsigned long powerStateOrdinal, IOService* whatDevice);
    virtual IOReturn acknowledgeSetPowerState(void);
    virtual IOReturn acknowledgePowerChange(IOService* whichDriver);
    virtual IOReturn powerStateWillChangeTo(IOPMPowerFlags capabilities, unsigned long stateNumber,
                                            IOService* whatDevice);
    virtual IOReturn powerStateDidChangeTo(IOPMPowerFlags capabilities, unsigned long stateNumber,
                                           IOService* whatDevice);
    // Interested drivers get powerStateWillChangeTo/DidChangeTo around each change.
    virtual IOPMPowerFlags registerInterestedDriver(IOService* theDriver);
    virtual IOReturn deRegisterInterestedDriver(IOService* theDriver);
    virtual IOReturn changePowerStateTo(unsigned long ordinal);
    virtual IOReturn changePowerStateToPriv(unsigned long ordinal);
    virtual IOReturn makeUsable(void);
    virtual IOReturn temporaryPowerClampOn(void);
    virtual unsigned long maxCapabilityForDomainState(IOPMPowerFlags domainState);
    virtual unsigned long initialPowerStateForDomainState(IOPMPowerFlags domainState);
    UInt32 getPowerState(void);
    static IOPMrootDomain* getPMRootDomain(void);

    // OpenIOKit internals: the per-service extras (see ServiceExtrasSlot).
    openiokit::ServiceExtrasSlot& extras() const { return extras_; }

    // Boot-time set-up of the service plane root, IOResources and the global symbols; called
    // once by whatever hosts the kernel (idempotent).
    static void initialize(void);

    // OpenIOKit internals, shared by the files listed at the top; not for drivers.
    IOServicePrivateState& privateState() const { return *state_; }

private:
    std::unique_ptr<IOServicePrivateState> state_;
    mutable openiokit::ServiceExtrasSlot extras_;
};
