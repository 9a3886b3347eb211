// IPCTestDriver: the integration tests' kext. A driver on IOResources whose user client
// (IPCTestUserClient) answers the selectors in IPCTestProtocol.h with a dispatch table, as
// real drivers do: counts opens/closes/deaths, sleeps and blocks on demand, completes async
// calls from its own thread, shares a buffer, sends messages to interested clients and
// publishes nubs for matching notifications.
#include "IPCTestProtocol.h"

#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOLib.h>
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {
std::atomic<uint64_t> gOpens{0};
std::atomic<uint64_t> gCloses{0};
std::atomic<uint64_t> gDied{0};
std::atomic<uint64_t> gInFlight{0};

std::mutex gGateLock;
std::condition_variable gGate;
uint64_t gGateGeneration = 0;
}  // namespace

class IPCTestNub : public IOService {
    OSDeclareDefaultStructors(IPCTestNub);
};
OSDefineMetaClassAndStructors(IPCTestNub, IOService);

class IPCTestDriver : public IOService {
    OSDeclareDefaultStructors(IPCTestDriver);

public:
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;

    IOReturn publishNub(uint64_t id);
    void terminateNubs();
    IOBufferMemoryDescriptor* sharedBuffer() const { return shared_; }

private:
    IOBufferMemoryDescriptor* shared_ = nullptr;
    std::mutex nubsLock_;
    std::vector<IPCTestNub*> nubs_;
};
OSDefineMetaClassAndStructors(IPCTestDriver, IOService);

bool IPCTestDriver::start(IOService* provider)
{
    if (!IOService::start(provider)) {
        return false;
    }
    shared_ = IOBufferMemoryDescriptor::withCapacity(kIPCTestSharedSize, kIODirectionInOut);
    if (!shared_) {
        return false;
    }
    shared_->setLength(kIPCTestSharedSize);
    std::memset(shared_->getBytesNoCopy(), 0, kIPCTestSharedSize);
    IOLog("IPCTestDriver: started\n");
    registerService();
    return true;
}

void IPCTestDriver::stop(IOService* provider)
{
    terminateNubs();
    if (shared_) {
        shared_->release();
        shared_ = nullptr;
    }
    IOLog("IPCTestDriver: stopped\n");
    IOService::stop(provider);
}

IOReturn IPCTestDriver::publishNub(uint64_t id)
{
    IPCTestNub* nub = OSTypeAlloc(IPCTestNub);
    if (!nub || !nub->init()) {
        if (nub) {
            nub->release();
        }
        return kIOReturnNoMemory;
    }
    nub->setProperty("NubID", id, 64);
    if (!nub->attach(this)) {
        nub->release();
        return kIOReturnError;
    }
    nub->registerService();
    std::lock_guard guard(nubsLock_);
    nubs_.push_back(nub);
    return kIOReturnSuccess;
}

void IPCTestDriver::terminateNubs()
{
    std::vector<IPCTestNub*> nubs;
    {
        std::lock_guard guard(nubsLock_);
        nubs.swap(nubs_);
    }
    for (IPCTestNub* nub : nubs) {
        nub->terminate();
        nub->release();
    }
}

class IPCTestUserClient : public IOUserClient {
    OSDeclareDefaultStructors(IPCTestUserClient);

public:
    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type) override;
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;
    IOReturn clientClose(void) override;
    IOReturn clientDied(void) override;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments, IOExternalMethodDispatch* dispatch,
                            OSObject* target, void* reference) override;
    IOReturn clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory) override;
    IOService* getService(void) override { return driver_; }  // the base answers NULL

private:
    static IOReturn echo(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn sleep(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn structEcho(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn async(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn stats(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn privileged(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn block(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn releaseBlocked(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn message(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn publishNub(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn terminateNubs(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn writeShared(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn structInvert(OSObject* target, void*, IOExternalMethodArguments* args);
    static IOReturn fixedLarge(OSObject* target, void*, IOExternalMethodArguments* args);
    static const IOExternalMethodDispatch sMethods[kIPCTestSelectorCount];

    task_t owner_ = nullptr;
    IPCTestDriver* driver_ = nullptr;
    std::mutex completionsLock_;
    std::vector<std::thread> completions_;
};
OSDefineMetaClassAndStructors(IPCTestUserClient, IOUserClient);

const IOExternalMethodDispatch IPCTestUserClient::sMethods[kIPCTestSelectorCount] = {
    {&IPCTestUserClient::echo, 1, 0, 1, 0},
    {&IPCTestUserClient::sleep, 1, 0, 1, 0},
    {&IPCTestUserClient::structEcho, 0, kIOUCVariableStructureSize, 0, kIOUCVariableStructureSize},
    {&IPCTestUserClient::async, 1, 0, 0, 0},
    {&IPCTestUserClient::stats, 0, 0, 4, 0},
    {&IPCTestUserClient::privileged, 0, 0, 0, 0},
    {&IPCTestUserClient::block, 0, 0, 0, 0},
    {&IPCTestUserClient::releaseBlocked, 0, 0, 0, 0},
    {&IPCTestUserClient::message, 1, 0, 0, 0},
    {&IPCTestUserClient::publishNub, 1, 0, 0, 0},
    {&IPCTestUserClient::terminateNubs, 0, 0, 0, 0},
    {&IPCTestUserClient::writeShared, 1, 0, 0, 0},
    {&IPCTestUserClient::structInvert, 0, kIOUCVariableStructureSize, 1, kIOUCVariableStructureSize},
    {&IPCTestUserClient::fixedLarge, 0, kIPCTestFixedLargeSize, 0, 0},
};

bool IPCTestUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type)
{
    if (!IOUserClient::initWithTask(owningTask, securityToken, type)) {
        return false;
    }
    owner_ = owningTask;
    return true;
}

bool IPCTestUserClient::start(IOService* provider)
{
    driver_ = OSDynamicCast(IPCTestDriver, provider);
    if (!driver_ || !IOUserClient::start(provider)) {
        return false;
    }
    gOpens++;
    return true;
}

void IPCTestUserClient::stop(IOService* provider)
{
    std::vector<std::thread> completions;
    {
        std::lock_guard guard(completionsLock_);
        completions.swap(completions_);
    }
    for (auto& thread : completions) {
        thread.join();
    }
    IOUserClient::stop(provider);
}

IOReturn IPCTestUserClient::clientClose(void)
{
    gCloses++;
    terminate();
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::clientDied(void)
{
    gDied++;
    IOLog("IPCTestUserClient: clientDied\n");
    return IOUserClient::clientDied();
}

IOReturn IPCTestUserClient::externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                           IOExternalMethodDispatch*, OSObject*, void*)
{
    if (selector >= kIPCTestSelectorCount) {
        return kIOReturnBadArgument;
    }
    gInFlight++;
    const IOReturn result = IOUserClient::externalMethod(
        selector, arguments, const_cast<IOExternalMethodDispatch*>(&sMethods[selector]), this, nullptr);
    gInFlight--;
    return result;
}

IOReturn IPCTestUserClient::clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory)
{
    if (type != 0 || !driver_ || !driver_->sharedBuffer()) {
        return kIOReturnBadArgument;
    }
    driver_->sharedBuffer()->retain();
    *memory = driver_->sharedBuffer();
    *options = 0;
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::echo(OSObject*, void*, IOExternalMethodArguments* args)
{
    args->scalarOutput[0] = args->scalarInput[0] + 1;
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::sleep(OSObject*, void*, IOExternalMethodArguments* args)
{
    args->scalarOutput[0] = gInFlight.load();
    IOSleep(static_cast<unsigned>(args->scalarInput[0]));
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::structEcho(OSObject*, void*, IOExternalMethodArguments* args)
{
    if (args->structureInputSize > args->structureOutputSize) {
        return kIOReturnMessageTooLarge;
    }
    if (args->structureInputSize) {
        std::memcpy(args->structureOutput, args->structureInput, args->structureInputSize);
    }
    args->structureOutputSize = args->structureInputSize;
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::async(OSObject* target, void*, IOExternalMethodArguments* args)
{
    auto* self = static_cast<IPCTestUserClient*>(target);
    if (!args->asyncWakePort) {
        return kIOReturnBadArgument;
    }
    OSAsyncReference64 reference;
    std::memcpy(reference, args->asyncReference, sizeof(reference));
    const uint64_t value = args->scalarInput[0];
    std::lock_guard guard(self->completionsLock_);
    self->completions_.emplace_back([reference, value]() mutable {
        IOSleep(20);
        io_user_reference_t results[2] = {value + 100, 7};
        sendAsyncResult64(reference, kIOReturnSuccess, results, 2);
        releaseAsyncReference64(reference);
    });
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::stats(OSObject*, void*, IOExternalMethodArguments* args)
{
    args->scalarOutput[0] = gOpens.load();
    args->scalarOutput[1] = gCloses.load();
    args->scalarOutput[2] = gDied.load();
    args->scalarOutput[3] = gInFlight.load() - 1;  // not counting this call
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::privileged(OSObject* target, void*, IOExternalMethodArguments*)
{
    return clientHasPrivilege(static_cast<IPCTestUserClient*>(target)->owner_, kIOClientPrivilegeAdministrator);
}

IOReturn IPCTestUserClient::block(OSObject*, void*, IOExternalMethodArguments*)
{
    std::unique_lock lock(gGateLock);
    const uint64_t generation = gGateGeneration;
    if (!gGate.wait_for(lock, std::chrono::seconds(60), [&] { return gGateGeneration != generation; })) {
        return kIOReturnTimeout;
    }
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::releaseBlocked(OSObject*, void*, IOExternalMethodArguments*)
{
    {
        std::lock_guard lock(gGateLock);
        gGateGeneration++;
    }
    gGate.notify_all();
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::message(OSObject* target, void*, IOExternalMethodArguments* args)
{
    auto* self = static_cast<IPCTestUserClient*>(target);
    // The answer is the clients' (a user client's message() is kIOReturnUnsupported); what
    // matters is that interested parties were told.
    self->driver_->messageClients(kIPCTestMessageType, reinterpret_cast<void*>(args->scalarInput[0]));
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::publishNub(OSObject* target, void*, IOExternalMethodArguments* args)
{
    return static_cast<IPCTestUserClient*>(target)->driver_->publishNub(args->scalarInput[0]);
}

IOReturn IPCTestUserClient::terminateNubs(OSObject* target, void*, IOExternalMethodArguments*)
{
    static_cast<IPCTestUserClient*>(target)->driver_->terminateNubs();
    return kIOReturnSuccess;
}

IOReturn IPCTestUserClient::writeShared(OSObject* target, void*, IOExternalMethodArguments* args)
{
    IOBufferMemoryDescriptor* buffer = static_cast<IPCTestUserClient*>(target)->driver_->sharedBuffer();
    std::snprintf(static_cast<char*>(buffer->getBytesNoCopy()), kIPCTestSharedSize, "shared %llu",
                  static_cast<unsigned long long>(args->scalarInput[0]));
    return kIOReturnSuccess;
}

// Reads the input wherever it is (inline or a descriptor), writes the inverted bytes wherever the
// caller's output is, as a driver handling both sizes of structure must.
IOReturn IPCTestUserClient::structInvert(OSObject*, void*, IOExternalMethodArguments* args)
{
    std::vector<uint8_t> bytes;
    if (args->structureInputDescriptor) {
        bytes.resize(args->structureInputDescriptor->getLength());
        if (args->structureInputDescriptor->readBytes(0, bytes.data(), bytes.size()) != bytes.size()) {
            return kIOReturnIOError;
        }
    } else {
        const auto* in = static_cast<const uint8_t*>(args->structureInput);
        bytes.assign(in, in + args->structureInputSize);
    }
    for (uint8_t& byte : bytes) {
        byte = static_cast<uint8_t>(~byte);
    }
    uint64_t where = args->structureInputDescriptor ? 1 : 0;
    if (args->structureOutputDescriptor) {
        if (bytes.size() > args->structureOutputDescriptor->getLength()) {
            return kIOReturnMessageTooLarge;
        }
        if (args->structureOutputDescriptor->writeBytes(0, bytes.data(), bytes.size()) != bytes.size()) {
            return kIOReturnIOError;
        }
        args->structureOutputDescriptorSize = static_cast<uint32_t>(bytes.size());
        where |= 2;
    } else {
        if (bytes.size() > args->structureOutputSize) {
            return kIOReturnMessageTooLarge;
        }
        if (!bytes.empty()) {
            std::memcpy(args->structureOutput, bytes.data(), bytes.size());
        }
        args->structureOutputSize = static_cast<uint32_t>(bytes.size());
    }
    args->scalarOutput[0] = where;
    return kIOReturnSuccess;
}

// The dispatch table already checked the size against the descriptor's length (§3.2).
IOReturn IPCTestUserClient::fixedLarge(OSObject*, void*, IOExternalMethodArguments* args)
{
    return args->structureInputDescriptor && args->structureInputDescriptor->getLength() == kIPCTestFixedLargeSize
               ? kIOReturnSuccess
               : kIOReturnInternalError;
}
