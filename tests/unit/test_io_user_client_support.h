// Helpers shared by the user-client tests (test_io_user_client*.cpp): a fake task that records
// the messages it receives, a provider that names its user client class, and user clients
// that count their callbacks and can be made to fail or to be slow.
#pragma once

#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>
#include <openiokit/Task.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace uctest {

// A client process: uid/pid/name are fixed; messages are recorded per port name.
class FakeTask final : public task {
public:
    static openiokit::RefPtr<FakeTask> make(uid_t uid = 501, pid_t pid = 4242, std::string name = "fakeproc");

    uid_t uid() const override { return uid_; }
    pid_t pid() const override { return pid_; }
    std::string name() const override { return name_; }
    uint32_t auditSessionID() const override { return auditSession; }
    OSObject* copyEntitlement(const char* entitlement) const override;
    kern_return_t deliverMessage(ipc_port* port, const openiokit::PortMessage& message,
                                 IOOptionBits options) override;

    struct Received {
        mach_port_name_t port;
        openiokit::PortMessage message;
        IOOptionBits options;
    };
    std::vector<Received> received() const;

    uint32_t auditSession = UINT32_MAX;
    std::vector<std::string> entitlements;  // granted (value true); set before use
    kern_return_t deliverResult = KERN_SUCCESS;

private:
    FakeTask(uid_t uid, pid_t pid, std::string name) : uid_(uid), pid_(pid), name_(std::move(name)) {}
    uid_t uid_;
    pid_t pid_;
    std::string name_;
    mutable std::mutex lock_;
    std::vector<Received> received_;
};

// Sequence numbers for ordering assertions across threads.
uint64_t nextSequence();

}  // namespace uctest

// The user client the tests open. Behaviour switches are per instance or, for the ones that
// matter before a test can reach the instance (init/start), class-wide.
class UCTestUserClient : public IOUserClient {
    OSDeclareDefaultStructors(UCTestUserClient);

public:
    // Class-wide switches for the next instances; reset by uctest::Environment.
    static std::atomic<bool> sFailInit;
    static std::atomic<bool> sFailStart;
    static std::atomic<bool> sRequireEntitlement;   // sets IOUserClientEntitlements in initWithTask
    static std::function<void(UCTestUserClient*, IOService*)> sDuringStart;

    bool initWithTask(task_t owningTask, void* securityToken, UInt32 type) override;
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;
    IOReturn clientClose(void) override;
    IOReturn clientDied(void) override;
    IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                            IOExternalMethodDispatch* dispatch, OSObject* target, void* reference) override;
    IOExternalMethod* getTargetAndMethodForIndex(IOService** targetP, UInt32 index) override;
    IOExternalAsyncMethod* getAsyncTargetAndMethodForIndex(IOService** targetP, UInt32 index) override;

    // Selector 0: scalar echo (1 in, 1 out); selector 1: sleeps `slowMethodMicros`, recording
    // entry and exit; any other selector is passed to the base with no dispatch (legacy path).
    static constexpr uint32_t kEchoSelector = 0;
    static constexpr uint32_t kSlowSelector = 1;
    static constexpr uint32_t kLegacyBase = 100;  // selectors >= this go to the legacy tables

    // Legacy methods (IOMethod: six void* arguments) used by the legacy-path tests.
    IOReturn legacyScalar(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6);
    IOReturn legacyStruct(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6);
    IOReturn legacyAsync(OSAsyncReference reference, void* p1, void* p2, void* p3, void* p4, void* p5, void* p6);

    std::vector<IOExternalMethod> legacyMethods;           // indexed by selector - kLegacyBase
    std::vector<IOExternalAsyncMethod> legacyAsyncMethods;
    void* legacyArgs[6];                                    // what the last legacy call received
    natural_t legacyReference[kOSAsyncRefCount];
    IOByteCount legacyOutputSizeToReport;

    std::atomic<int> clientCloseCalls;
    std::atomic<int> clientDiedCalls;
    std::atomic<int> stopCalls;
    std::atomic<int> inFlight;
    std::atomic<int> maxInFlight;
    std::atomic<int> slowCalls;
    std::atomic<bool> terminateOnClose;      // the usual pattern: clientClose() terminates
    std::atomic<unsigned> slowMethodMicros;
    std::atomic<uint64_t> closeEnterSeq;     // uctest::nextSequence() at clientClose entry/exit
    std::atomic<uint64_t> closeExitSeq;
    std::atomic<uint64_t> stopSeq;
    std::atomic<int> inFlightAtClose;        // external methods running when clientClose began
    std::mutex seqLock;
    std::vector<std::pair<uint64_t, uint64_t>> slowCallSpans;  // (enter, exit) sequences
};

// A provider whose IOUserClientClass names UCTestUserClient (or whatever a test sets).
class UCTestProvider : public IOService {
    OSDeclareDefaultStructors(UCTestProvider);

public:
    // Attached below the service root and started; the caller owns the reference.
    static UCTestProvider* make(const char* userClientClass = "UCTestUserClient");

    // The legacy 4-argument overload; returns `legacyClient` (retained) when it is set.
    IOReturn newUserClient(task_t owningTask, void* securityID, UInt32 type, IOUserClient** handler) override;
    using IOService::newUserClient;
    UCTestUserClient* legacyClient;
};

// Not a user client, for newUserClient's "not an IOUserClient" branch.
class UCTestNotAClient : public OSObject {
    OSDeclareDefaultStructors(UCTestNotAClient);
};

namespace uctest {

// Per-test set-up: IOService initialised, class-wide switches reset, and at the end the
// termination machinery drained.
class Environment {
public:
    Environment();
    ~Environment();
};

// Terminates `service` synchronously, waits for termination to finish, releases it.
void terminateAndRelease(IOService* service);

// An IOExternalMethodArguments with the given counts and no buffers.
IOExternalMethodArguments arguments(uint32_t scalarIn, uint32_t structIn, uint32_t scalarOut, uint32_t structOut);

}  // namespace uctest
