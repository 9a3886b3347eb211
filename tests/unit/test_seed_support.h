// Helpers shared by the simulated-bus and seed-driver tests (test_simbus*.cpp, test_seed_*.cpp):
// the built bundles' paths, a fake client process and its connections to a service, the
// daemon's handle table (released when termination destroys a connection), a kernel-log
// capture, and a connection to the SimBus controller.
#pragma once

#include "test_io_user_client_support.h"

#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>
#include <openiokit/KernelLog.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace seedtest {

using namespace std::chrono_literals;

// Generous: the machine is shared and the tests may run under sanitizers.
constexpr auto kWait = 30s;

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout = kWait);

// <build>/kexts/<name>.kext or <build>/tests/kexts/bundles/<name>.kext (the build directory is
// derived from OPENIOKIT_TEST_FIXTURE_DIR, or taken from $OPENIOKIT_BUILD_DIR).
std::filesystem::path bundlePath(const std::string& name);

// Loads the bundle (idempotent); the load tag, or 0 with a gtest failure.
uint32_t loadKext(const std::string& name);
bool isKextLoaded(const std::string& bundleID);
// Waits for the kext to be unloaded, first for its classes' instances to go. Polls the loaded
// list sparingly: each look holds transient references on the kexts, and an autounload scan
// that runs at that instant skips the kext (as xnu's does).
bool waitForKextUnloaded(const std::string& bundleID, std::vector<const char*> classes);

// The first matched, active service of `className`, retained, waiting up to kWait; or NULL.
IOService* waitForService(const char* className);

// Live instances of a class, 0 if the class is not (or no longer) known.
unsigned instanceCount(const char* className);

// Sets the kext autounload delay for a test's duration.
class AutounloadDelay {
public:
    explicit AutounloadDelay(std::chrono::milliseconds delay);
    ~AutounloadDelay();

private:
    std::chrono::milliseconds saved_;
};

// Stands in for iokitd's handle table: holds the reference openConnection returned and drops it
// when the connection goes (close + no-senders) or when termination destroyed it (the handler
// the daemon installs). One per test.
class HandleTable {
public:
    HandleTable();
    ~HandleTable();
    void add(IOUserClient* client);                 // takes over the reference
    // IOServiceClose: close, then the last send right goes (no-senders), then the reference.
    // MACH_SEND_INVALID_DEST if termination destroyed the connection already.
    IOReturn close(IOUserClient* client);
    // The process died without closing (kill -9): no-senders, then the reference.
    IOReturn die(IOUserClient* client);
    bool holds(IOUserClient* client) const;

private:
    void destroyed(OSObject* object);
    IOUserClient* take(IOUserClient* client);
    mutable std::mutex lock_;
    std::set<IOUserClient*> clients_;
};

// A client process: opens connections to services and calls their methods.
struct Client {
    explicit Client(HandleTable& table, uid_t uid = 501, pid_t pid = 4242, const char* name = "clientd");
    // IOServiceOpen; the connection (borrowed from the handle table) or NULL with `*result` set.
    IOUserClient* open(IOService* service, uint32_t type, IOReturn* result = nullptr);
    IOReturn callScalar(IOUserClient* connection, uint32_t selector, std::vector<uint64_t> in,
                        std::vector<uint64_t>* out, uint32_t outCount);
    IOReturn callStruct(IOUserClient* connection, uint32_t selector, std::vector<uint64_t> in, const void* structIn,
                        uint32_t structInSize, void* structOut, uint32_t* structOutSize, std::vector<uint64_t>* out,
                        uint32_t outCount);
    // An async call (IOConnectCallAsyncScalarMethod) whose completion goes to `port` with
    // `refcon`; hands the kernel one send right, as the IPC layer does.
    IOReturn callAsync(IOUserClient* connection, uint32_t selector, ipc_port* port, uint64_t refcon);

    HandleTable& table;
    openiokit::RefPtr<uctest::FakeTask> task;
};

// Async completions received by a fake task on one port: (refcon, result, args).
struct Completion {
    uint64_t refcon;
    IOReturn result;
    std::vector<uint64_t> args;
};
std::vector<Completion> completions(const uctest::FakeTask& task, mach_port_name_t port);

// Captures kernel-log lines of the given modules (bundle identifiers) while alive.
class LogCapture {
public:
    explicit LogCapture(std::vector<std::string> modules);
    ~LogCapture();
    std::vector<std::string> lines() const;
    // The lines containing `needle`, in order.
    std::vector<std::string> linesWith(const std::string& needle) const;
    void clear();

private:
    std::vector<std::string> modules_;
    mutable std::mutex lock_;
    std::vector<std::string> lines_;
    openiokit::KernelLog::SubscriptionID id_;
};

// A root connection to the IOSimBus controller (SimBus must be loaded).
class SimBus {
public:
    explicit SimBus(HandleTable& table, uid_t uid = 0);
    ~SimBus();
    bool ok() const { return connection_ != nullptr; }
    // Plugs `name` with boolean/string properties given as XML fragments inside <dict>.
    IOReturn plug(const std::string& name, const std::string& propertiesXML, bool synchronous = true,
                  uint64_t* registryID = nullptr);
    IOReturn plugRaw(const std::string& xml, uint64_t options, uint64_t* registryID = nullptr);
    IOReturn unplug(const std::string& name, bool async = false);
    IOReturn trigger(const std::string& name, uint64_t source);
    // The list's XML pages concatenated into one array of names (plug order); `result` on error.
    IOReturn list(std::vector<std::string>* names, uint32_t bufferSize = 4096);

private:
    HandleTable& table_;
    Client client_;
    IOService* bus_ = nullptr;
    IOUserClient* connection_ = nullptr;
};

}  // namespace seedtest
