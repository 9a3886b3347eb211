#include "test_io_user_client_support.h"

#include "../../src/kernel/Termination.h"

#include <libkern/c++/OSContainers.h>

#include <algorithm>
#include <thread>

// --- FakeTask ----------------------------------------------------------------------------------

namespace uctest {

openiokit::RefPtr<FakeTask> FakeTask::make(uid_t uid, pid_t pid, std::string name)
{
    return openiokit::RefPtr<FakeTask>::adopt(new FakeTask(uid, pid, std::move(name)));
}

OSObject* FakeTask::copyEntitlement(const char* entitlement) const
{
    if (std::find(entitlements.begin(), entitlements.end(), entitlement) == entitlements.end()) {
        return nullptr;
    }
    kOSBooleanTrue->retain();
    return const_cast<OSBoolean*>(kOSBooleanTrue);
}

kern_return_t FakeTask::deliverMessage(ipc_port* port, const openiokit::PortMessage& message, IOOptionBits options)
{
    std::lock_guard guard(lock_);
    received_.push_back({port->name(), message, options});
    return deliverResult;
}

std::vector<FakeTask::Received> FakeTask::received() const
{
    std::lock_guard guard(lock_);
    return received_;
}

uint64_t nextSequence()
{
    static std::atomic<uint64_t> sequence{0};
    return ++sequence;
}

}  // namespace uctest

// --- UCTestUserClient --------------------------------------------------------------------------

OSDefineMetaClassAndStructors(UCTestUserClient, IOUserClient);

std::atomic<bool> UCTestUserClient::sFailInit{false};
std::atomic<bool> UCTestUserClient::sFailStart{false};
std::atomic<bool> UCTestUserClient::sRequireEntitlement{false};
std::function<void(UCTestUserClient*, IOService*)> UCTestUserClient::sDuringStart;

namespace {

IOReturn echoAction(OSObject* target, void* reference, IOExternalMethodArguments* args)
{
    args->scalarOutput[0] = args->scalarInput[0] + 1;
    return kIOReturnSuccess;
}

IOReturn slowAction(OSObject* target, void* reference, IOExternalMethodArguments* args)
{
    auto* client = static_cast<UCTestUserClient*>(target);
    const uint64_t enter = uctest::nextSequence();
    const int now = ++client->inFlight;
    int seen = client->maxInFlight.load();
    while (now > seen && !client->maxInFlight.compare_exchange_weak(seen, now)) {
    }
    ++client->slowCalls;
    std::this_thread::sleep_for(std::chrono::microseconds(client->slowMethodMicros.load()));
    --client->inFlight;
    const uint64_t exit = uctest::nextSequence();
    std::lock_guard guard(client->seqLock);
    client->slowCallSpans.emplace_back(enter, exit);
    return kIOReturnSuccess;
}

IOExternalMethodDispatch gDispatch[] = {
    {echoAction, 1, 0, 1, 0},
    {slowAction, 0, 0, 0, 0},
};

}  // namespace

bool UCTestUserClient::initWithTask(task_t owningTask, void* securityToken, UInt32 type)
{
    if (sFailInit.load()) {
        return false;
    }
    if (!IOUserClient::initWithTask(owningTask, securityToken, type)) {
        return false;
    }
    terminateOnClose = true;
    if (sRequireEntitlement.load()) {
        setProperty("IOUserClientEntitlements", "com.example.uc.open");
    }
    return true;
}

bool UCTestUserClient::start(IOService* provider)
{
    if (sFailStart.load() || !IOUserClient::start(provider)) {
        return false;
    }
    if (sDuringStart) {
        sDuringStart(this, provider);
    }
    return true;
}

void UCTestUserClient::stop(IOService* provider)
{
    ++stopCalls;
    stopSeq = uctest::nextSequence();
    IOUserClient::stop(provider);
}

IOReturn UCTestUserClient::clientClose(void)
{
    closeEnterSeq = uctest::nextSequence();
    inFlightAtClose = inFlight.load();
    ++clientCloseCalls;
    if (terminateOnClose.load()) {
        terminate();
    }
    closeExitSeq = uctest::nextSequence();
    return kIOReturnSuccess;
}

IOReturn UCTestUserClient::clientDied(void)
{
    ++clientDiedCalls;
    return IOUserClient::clientDied();
}

IOReturn UCTestUserClient::externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                          IOExternalMethodDispatch* dispatch, OSObject* target, void* reference)
{
    if (selector < std::size(gDispatch)) {
        return IOUserClient::externalMethod(selector, arguments, &gDispatch[selector], this, nullptr);
    }
    return IOUserClient::externalMethod(selector, arguments, dispatch, target, reference);
}

IOExternalMethod* UCTestUserClient::getTargetAndMethodForIndex(IOService** targetP, UInt32 index)
{
    if (index < kLegacyBase || index - kLegacyBase >= legacyMethods.size()) {
        return IOUserClient::getTargetAndMethodForIndex(targetP, index);
    }
    IOExternalMethod* method = &legacyMethods[index - kLegacyBase];
    *targetP = method->object;
    return method;
}

IOExternalAsyncMethod* UCTestUserClient::getAsyncTargetAndMethodForIndex(IOService** targetP, UInt32 index)
{
    if (index < kLegacyBase || index - kLegacyBase >= legacyAsyncMethods.size()) {
        return IOUserClient::getAsyncTargetAndMethodForIndex(targetP, index);
    }
    IOExternalAsyncMethod* method = &legacyAsyncMethods[index - kLegacyBase];
    *targetP = method->object;
    return method;
}

IOReturn UCTestUserClient::legacyScalar(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6)
{
    void* received[6] = {p1, p2, p3, p4, p5, p6};
    std::copy(std::begin(received), std::end(received), legacyArgs);
    // Two scalar inputs, then pointers to the 32-bit outputs.
    *static_cast<int*>(p3) = (int)(uintptr_t)p1 + (int)(uintptr_t)p2;
    *static_cast<int*>(p4) = -1;
    return kIOReturnSuccess;
}

IOReturn UCTestUserClient::legacyStruct(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6)
{
    void* received[6] = {p1, p2, p3, p4, p5, p6};
    std::copy(std::begin(received), std::end(received), legacyArgs);
    if (legacyOutputSizeToReport) {
        // (in, out, inSize, &outSize): report a different output size.
        *static_cast<IOByteCount*>(p4) = legacyOutputSizeToReport;
    }
    return kIOReturnSuccess;
}

IOReturn UCTestUserClient::legacyAsync(OSAsyncReference reference, void* p1, void* p2, void* p3, void* p4, void* p5,
                                       void* p6)
{
    std::copy(reference, reference + kOSAsyncRefCount, legacyReference);
    void* received[6] = {p1, p2, p3, p4, p5, p6};
    std::copy(std::begin(received), std::end(received), legacyArgs);
    *static_cast<int*>(p2) = 7;  // one scalar input, then the outputs
    return kIOReturnSuccess;
}

// --- UCTestProvider ----------------------------------------------------------------------------

OSDefineMetaClassAndStructors(UCTestProvider, IOService);

UCTestProvider* UCTestProvider::make(const char* userClientClass)
{
    UCTestProvider* provider = OSTypeAlloc(UCTestProvider);
    if (!provider->init()) {
        provider->release();
        return nullptr;
    }
    provider->setName("UCProvider");
    if (userClientClass) {
        provider->setProperty(kIOUserClientClassKey, userClientClass);
    }
    IOService* root = IOService::getServiceRoot();
    if (!provider->attach(root) || !provider->start(root)) {
        provider->release();
        return nullptr;
    }
    return provider;
}

IOReturn UCTestProvider::newUserClient(task_t owningTask, void* securityID, UInt32 type, IOUserClient** handler)
{
    if (legacyClient) {
        legacyClient->retain();
        *handler = legacyClient;
        return kIOReturnSuccess;
    }
    return IOService::newUserClient(owningTask, securityID, type, handler);
}

OSDefineMetaClassAndStructors(UCTestNotAClient, OSObject);

// --- Environment -------------------------------------------------------------------------------

namespace uctest {

Environment::Environment()
{
    IOService::initialize();
    UCTestUserClient::sFailInit = false;
    UCTestUserClient::sFailStart = false;
    UCTestUserClient::sRequireEntitlement = false;
    UCTestUserClient::sDuringStart = nullptr;
}

Environment::~Environment()
{
    openiokit::waitForTerminationIdle();
    UCTestUserClient::sDuringStart = nullptr;
}

void terminateAndRelease(IOService* service)
{
    service->terminate(kIOServiceSynchronous);
    openiokit::waitForTerminationIdle();
    service->release();
}

IOExternalMethodArguments arguments(uint32_t scalarIn, uint32_t structIn, uint32_t scalarOut, uint32_t structOut)
{
    IOExternalMethodArguments args = {};
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    args.scalarInputCount = scalarIn;
    args.structureInputSize = structIn;
    args.scalarOutputCount = scalarOut;
    args.structureOutputSize = structOut;
    return args;
}

}  // namespace uctest
