// Helpers for the simulated-bus and seed-driver tests (see test_seed_support.h).
#include "test_seed_support.h"

#include "../../src/kernel/UserClientConnection.h"

#include "../../include/user/IOKit/simbus/SimBusUserClient.h"
#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSUnserialize.h>
#include <openiokit/Kexts.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace seedtest {

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

static std::filesystem::path buildDir()
{
    if (const char* dir = std::getenv("OPENIOKIT_BUILD_DIR")) {
        return dir;
    }
    return std::filesystem::path(OPENIOKIT_TEST_FIXTURE_DIR).parent_path().parent_path();
}

std::filesystem::path bundlePath(const std::string& name)
{
    for (const auto& dir : {buildDir() / "kexts", buildDir() / "tests" / "kexts" / "bundles"}) {
        const auto bundle = dir / (name + ".kext");
        if (std::filesystem::is_directory(bundle)) {
            return bundle;
        }
    }
    return buildDir() / "kexts" / (name + ".kext");
}

uint32_t loadKext(const std::string& name)
{
    IOService::initialize();
    const auto loaded = openiokit::kexts::loadKextWithPath(bundlePath(name));
    if (!loaded) {
        ADD_FAILURE() << "loading " << name << ": " << loaded.error().message;
        return 0;
    }
    return *loaded;
}

bool isKextLoaded(const std::string& bundleID)
{
    for (const auto& kext : openiokit::kexts::loadedKexts()) {
        if (kext.bundleID == bundleID) {
            return true;
        }
    }
    return false;
}

bool waitForKextUnloaded(const std::string& bundleID, std::vector<const char*> classes)
{
    if (!waitUntil([&] {
            for (const char* name : classes) {
                if (instanceCount(name) != 0) {
                    return false;
                }
            }
            return true;
        })) {
        return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (isKextLoaded(bundleID)) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(25ms);
    }
    return true;
}

IOService* waitForService(const char* className)
{
    OSDictionary* matching = IOService::serviceMatching(className);
    IOService* service = IOService::waitForMatchingService(matching, 30'000'000'000ull);
    matching->release();
    return service;
}

unsigned instanceCount(const char* className)
{
    const OSMetaClass* meta = OSMetaClass::getMetaClassWithName(className);
    return meta ? meta->getInstanceCount() : 0;
}

AutounloadDelay::AutounloadDelay(std::chrono::milliseconds delay) : saved_(openiokit::kexts::autounloadDelay())
{
    openiokit::kexts::setAutounloadDelay(delay);
}

AutounloadDelay::~AutounloadDelay()
{
    openiokit::kexts::setAutounloadDelay(saved_);
}

// --- HandleTable ------------------------------------------------------------------------------

HandleTable::HandleTable()
{
    openiokit::setUserReferencesDestroyedHandler([this](OSObject* object) { destroyed(object); });
}

HandleTable::~HandleTable()
{
    openiokit::setUserReferencesDestroyedHandler(nullptr);
    std::set<IOUserClient*> left;
    {
        std::lock_guard guard(lock_);
        left.swap(clients_);
    }
    for (IOUserClient* client : left) {
        openiokit::closeConnection(client);
        openiokit::connectionDied(client);
        client->release();
    }
}

void HandleTable::add(IOUserClient* client)
{
    std::lock_guard guard(lock_);
    clients_.insert(client);
}

bool HandleTable::holds(IOUserClient* client) const
{
    std::lock_guard guard(lock_);
    return clients_.contains(client);
}

void HandleTable::destroyed(OSObject* object)
{
    auto* client = OSDynamicCast(IOUserClient, object);
    {
        std::lock_guard guard(lock_);
        if (!client || clients_.erase(client) == 0) {
            return;
        }
    }
    client->release();  // the user's handle became a dead name
}

// The handle is looked up (and the client retained) under the table's lock, as the daemon
// does: once termination has destroyed the connection the handle is a dead name.
IOUserClient* HandleTable::take(IOUserClient* client)
{
    std::lock_guard guard(lock_);
    return clients_.erase(client) != 0 ? client : nullptr;  // the table's reference moves to us
}

IOReturn HandleTable::close(IOUserClient* client)
{
    IOUserClient* held = take(client);
    if (!held) {
        return MACH_SEND_INVALID_DEST;
    }
    const IOReturn result = openiokit::closeConnection(held);
    openiokit::connectionDied(held);
    held->release();
    return result;
}

IOReturn HandleTable::die(IOUserClient* client)
{
    IOUserClient* held = take(client);
    if (!held) {
        return MACH_SEND_INVALID_DEST;
    }
    const IOReturn result = openiokit::connectionDied(held);
    held->release();
    return result;
}

// --- Client -----------------------------------------------------------------------------------

Client::Client(HandleTable& table, uid_t uid, pid_t pid, const char* name)
    : table(table), task(uctest::FakeTask::make(uid, pid, name))
{
}

IOUserClient* Client::open(IOService* service, uint32_t type, IOReturn* result)
{
    IOUserClient* client = nullptr;
    const IOReturn opened = openiokit::openConnection(service, task.get(), type, &client);
    if (result) {
        *result = opened;
    }
    if (opened != kIOReturnSuccess) {
        return nullptr;
    }
    table.add(client);
    return client;
}

IOReturn Client::callScalar(IOUserClient* connection, uint32_t selector, std::vector<uint64_t> in,
                            std::vector<uint64_t>* out, uint32_t outCount)
{
    return callStruct(connection, selector, std::move(in), nullptr, 0, nullptr, nullptr, out, outCount);
}

IOReturn Client::callStruct(IOUserClient* connection, uint32_t selector, std::vector<uint64_t> in,
                            const void* structIn, uint32_t structInSize, void* structOut, uint32_t* structOutSize,
                            std::vector<uint64_t>* out, uint32_t outCount)
{
    std::vector<uint64_t> scalarsOut(outCount);
    IOExternalMethodArguments args = uctest::arguments((uint32_t)in.size(), structInSize, outCount,
                                                       structOutSize ? *structOutSize : 0);
    args.scalarInput = in.data();
    args.structureInput = structIn;
    args.scalarOutput = scalarsOut.data();
    args.structureOutput = structOut;
    const IOReturn result = openiokit::callMethod(connection, selector, &args);
    if (structOutSize) {
        *structOutSize = args.structureOutputSize;
    }
    if (out) {
        *out = scalarsOut;
    }
    return result;
}

IOReturn Client::callAsync(IOUserClient* connection, uint32_t selector, ipc_port* port, uint64_t refcon)
{
    // What the IPC layer builds for IOConnectCallAsyncScalarMethod from a 64-bit task: slot 0
    // the wake port (a send right the kernel now owns) with kIOUCAsync64Flag, then the
    // callback and refcon (xnu is_io_connect_async_method).
    port->retain();
    io_user_reference_t reference[kOSAsyncRef64Count] = {};
    reference[kIOAsyncReservedIndex] = (io_user_reference_t)(uintptr_t)port | 1;
    reference[kIOAsyncCalloutFuncIndex] = 0xCA11BAC4;
    reference[kIOAsyncCalloutRefconIndex] = refcon;
    IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
    args.asyncWakePort = reinterpret_cast<mach_port_t>(port);
    args.asyncReference = reference;
    args.asyncReferenceCount = kOSAsyncRef64Count;
    const IOReturn result = openiokit::callMethod(connection, selector, &args);
    if (result != kIOReturnSuccess) {
        port->release();  // the IPC layer drops the right of a failed request
    }
    return result;
}

std::vector<Completion> completions(const uctest::FakeTask& task, mach_port_name_t port)
{
    std::vector<Completion> result;
    for (const auto& received : task.received()) {
        if (received.port != port || received.message.msgID != kOSNotificationMessageID) {
            continue;
        }
        const auto& body = received.message.body;
        OSNotificationHeader64 header;
        if (body.size() < sizeof(header) + sizeof(IOReturn)) {
            continue;
        }
        std::memcpy(&header, body.data(), sizeof(header));
        if (header.type != kIOAsyncCompletionNotificationType) {
            continue;
        }
        Completion completion{};
        completion.refcon = header.reference[kIOAsyncCalloutRefconIndex];
        std::memcpy(&completion.result, body.data() + sizeof(header), sizeof(IOReturn));
        const size_t offset = sizeof(header) + sizeof(IOReturn);
        completion.args.resize((body.size() - offset) / sizeof(uint64_t));
        std::memcpy(completion.args.data(), body.data() + offset, completion.args.size() * sizeof(uint64_t));
        result.push_back(completion);
    }
    return result;
}

// --- LogCapture -------------------------------------------------------------------------------

LogCapture::LogCapture(std::vector<std::string> modules) : modules_(std::move(modules))
{
    id_ = openiokit::KernelLog::subscribe([this](const openiokit::KernelLog::Entry& entry) {
        for (const auto& module : modules_) {
            if (entry.module == module) {
                std::lock_guard guard(lock_);
                lines_.push_back(entry.text);
                return;
            }
        }
    });
}

LogCapture::~LogCapture()
{
    openiokit::KernelLog::unsubscribe(id_);
}

std::vector<std::string> LogCapture::lines() const
{
    std::lock_guard guard(lock_);
    return lines_;
}

std::vector<std::string> LogCapture::linesWith(const std::string& needle) const
{
    std::vector<std::string> result;
    for (const auto& line : lines()) {
        if (line.find(needle) != std::string::npos) {
            result.push_back(line);
        }
    }
    return result;
}

void LogCapture::clear()
{
    std::lock_guard guard(lock_);
    lines_.clear();
}

// --- SimBus -----------------------------------------------------------------------------------

SimBus::SimBus(HandleTable& table, uid_t uid) : table_(table), client_(table, uid, 100, "simbusctl")
{
    if (!loadKext("SimBus")) {
        return;
    }
    bus_ = waitForService(kIOSimBusClassName);
    if (!bus_) {
        ADD_FAILURE() << "IOSimBus did not start";
        return;
    }
    IOReturn result = kIOReturnError;
    connection_ = client_.open(bus_, kIOSimBusConnectType, &result);
    EXPECT_EQ(result, kIOReturnSuccess) << "opening IOSimBus";
}

SimBus::~SimBus()
{
    if (connection_) {
        table_.close(connection_);
    }
    if (bus_) {
        bus_->release();
    }
}

IOReturn SimBus::plug(const std::string& name, const std::string& propertiesXML, bool synchronous,
                      uint64_t* registryID)
{
    const std::string xml = "<dict><key>" kIOSimDeviceNameKey "</key><string>" + name +
                            "</string><key>" kIOSimDevicePropertiesKey "</key><dict>" + propertiesXML +
                            "</dict></dict>";
    return plugRaw(xml, synchronous ? kIOSimBusPlugOptionSynchronous : 0, registryID);
}

IOReturn SimBus::plugRaw(const std::string& xml, uint64_t options, uint64_t* registryID)
{
    std::vector<uint64_t> out;
    const IOReturn result = client_.callStruct(connection_, kIOSimBusMethodPlug, {options}, xml.c_str(),
                                               (uint32_t)xml.size() + 1, nullptr, nullptr, &out, 1);
    if (registryID && !out.empty()) {
        *registryID = out[0];
    }
    return result;
}

IOReturn SimBus::unplug(const std::string& name, bool async)
{
    return client_.callStruct(connection_, kIOSimBusMethodUnplug, {async ? kIOSimBusUnplugOptionAsynchronous : 0u},
                              name.c_str(), (uint32_t)name.size() + 1, nullptr, nullptr, nullptr, 0);
}

IOReturn SimBus::trigger(const std::string& name, uint64_t source)
{
    return client_.callStruct(connection_, kIOSimBusMethodTrigger, {source}, name.c_str(), (uint32_t)name.size() + 1,
                              nullptr, nullptr, nullptr, 0);
}

IOReturn SimBus::list(std::vector<std::string>* names, uint32_t bufferSize)
{
    names->clear();
    uint64_t first = 0;
    for (;;) {
        std::vector<char> buffer(bufferSize);
        uint32_t size = bufferSize;
        std::vector<uint64_t> out;
        const IOReturn result = client_.callStruct(connection_, kIOSimBusMethodList, {first}, nullptr, 0,
                                                   buffer.data(), &size, &out, 2);
        if (result != kIOReturnSuccess) {
            return result;
        }
        OSObject* parsed = OSUnserializeXML(buffer.data(), size);
        OSArray* page = OSDynamicCast(OSArray, parsed);
        for (unsigned i = 0; page && i < page->getCount(); i++) {
            auto* entry = OSDynamicCast(OSDictionary, page->getObject(i));
            auto* name = entry ? OSDynamicCast(OSString, entry->getObject(kIOSimDeviceNameKey)) : nullptr;
            names->push_back(name ? name->getCStringNoCopy() : "?");
        }
        OSSafeReleaseNULL(parsed);
        first += out[1];
        if (out[1] == 0 || first >= out[0]) {
            return kIOReturnSuccess;
        }
    }
}

}  // namespace seedtest
