// Test classes and helpers for the matching and notification tests (see the header).
#include "test_io_matching_support.h"

#include "../../src/kernel/IOServiceMatchingInternal.h"
#include "../../src/kernel/Termination.h"

#include <openiokit/KernelLog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <pthread.h>

OSDefineMetaClassAndStructors(MatchTestNub, IOService);
OSDefineMetaClassAndStructors(MatchTestSubNub, MatchTestNub);
OSDefineMetaClassAndStructors(MatchTestDriver, IOService);

namespace {

// Immortal, like the kernel's own globals: drivers may log from config threads while the
// process exits.
struct LogState {
    std::mutex lock;
    std::condition_variable changed;
    std::vector<std::string> lines;
    bool startGateOpen = true;  // guarded by lock
};
LogState& logState()
{
    static auto* state = new LogState;
    return *state;
}

std::string tagOf(const IOService* service)
{
    OSSharedPtr<OSObject> tag(service->copyProperty("MatchTestTag"), OSNoRetain);
    auto* string = OSDynamicCast(OSString, tag.get());
    return string ? string->getCStringNoCopy() : service->getName();
}

}  // namespace

// --- Test classes -------------------------------------------------------------------------------

bool MatchTestNub::matchPropertyTable(OSDictionary* table, SInt32* score)
{
    __atomic_add_fetch(&familyMatchCalls, 1, __ATOMIC_RELAXED);
    if (table->getObject("MatchTestFamilyRefuse")) {
        return false;
    }
    if (auto* bonus = OSDynamicCast(OSNumber, table->getObject("MatchTestFamilyBonus"))) {
        *score += static_cast<SInt32>(bonus->unsigned32BitValue());
    }
    return true;
}

IOReturn MatchTestNub::message(UInt32 type, IOService* provider, void* argument)
{
    matchtest::log(tagOf(this) + "::message");
    return kIOReturnSuccess;
}

IOService* MatchTestDriver::probe(IOService* provider, SInt32* score)
{
    matchtest::log(tagOf(this) + "::probe");
    OSSharedPtr<OSObject> behaviour(copyProperty("MatchTestProbe"), OSNoRetain);
    if (behaviour && behaviour->isEqualTo(matchtest::str("refuse").get())) {
        return nullptr;
    }
    OSSharedPtr<OSObject> newScore(copyProperty("MatchTestProbeScore"), OSNoRetain);
    if (auto* number = OSDynamicCast(OSNumber, newScore.get())) {
        *score = static_cast<SInt32>(number->unsigned32BitValue());
    }
    return IOService::probe(provider, score);
}

bool MatchTestDriver::start(IOService* provider)
{
    matchtest::log(tagOf(this) + "::start");
    pthread_getname_np(pthread_self(), startThreadName, sizeof startThreadName);
    OSSharedPtr<OSObject> block(copyProperty("MatchTestStartBlock"), OSNoRetain);
    if (block) {
        std::unique_lock lock(logState().lock);
        logState().changed.wait(lock, [] { return logState().startGateOpen; });
    }
    if (!IOService::start(provider)) {
        return false;
    }
    OSSharedPtr<OSObject> fail(copyProperty("MatchTestStartFail"), OSNoRetain);
    if (fail) {
        return false;
    }
    OSSharedPtr<OSObject> childID(copyProperty("MatchTestChildID"), OSNoRetain);
    if (childID) {
        auto child = matchtest::adopt(OSTypeAlloc(MatchTestNub));
        child->init();
        child->setName("child");
        child->setProperty("MatchTestID", childID.get());
        if (child->attach(this)) {
            child->registerService();
        }
    }
    registerService();
    return true;
}

void MatchTestDriver::stop(IOService* provider)
{
    matchtest::log(tagOf(this) + "::stop");
    IOService::stop(provider);
}

IOReturn MatchTestDriver::message(UInt32 type, IOService* provider, void* argument)
{
    matchtest::log(tagOf(this) + "::message");
    return kIOReturnSuccess;
}

void MatchTestDriver::free()
{
    matchtest::log(tagOf(this) + "::free");
    IOService::free();
}

// --- Helpers ------------------------------------------------------------------------------------

namespace matchtest {

void log(const std::string& line)
{
    std::lock_guard lock(logState().lock);
    logState().lines.push_back(line);
    logState().changed.notify_all();
}

void openStartGate()
{
    std::lock_guard lock(logState().lock);
    logState().startGateOpen = true;
    logState().changed.notify_all();
}

void closeStartGate()
{
    std::lock_guard lock(logState().lock);
    logState().startGateOpen = false;
}

bool waitForLogLine(const std::string& line)
{
    LogState& state = logState();
    std::unique_lock lock(state.lock);
    return state.changed.wait_for(lock, std::chrono::seconds(10), [&] {
        return std::find(state.lines.begin(), state.lines.end(), line) != state.lines.end();
    });
}

std::vector<std::string> logged()
{
    std::lock_guard lock(logState().lock);
    return logState().lines;
}

std::vector<std::string> loggedEnding(const std::string& suffix)
{
    std::vector<std::string> result;
    for (const auto& line : logged()) {
        if (line.ends_with(suffix)) {
            result.push_back(line);
        }
    }
    return result;
}

void clearLog()
{
    std::lock_guard lock(logState().lock);
    logState().lines.clear();
}

OSSharedPtr<OSString> str(const char* text)
{
    return adopt(OSString::withCString(text));
}

OSSharedPtr<OSNumber> num(unsigned long long value)
{
    return adopt(OSNumber::withNumber(value, 32));
}

OSSharedPtr<OSArray> array(std::initializer_list<OSObject*> objects)
{
    auto result = adopt(OSArray::withCapacity(static_cast<unsigned int>(objects.size())));
    for (OSObject* object : objects) {
        result->setObject(object);
    }
    return result;
}

OSSharedPtr<OSDictionary> dict(std::initializer_list<std::pair<const char*, OSObject*>> entries)
{
    auto result = adopt(OSDictionary::withCapacity(static_cast<unsigned int>(entries.size())));
    for (const auto& [key, value] : entries) {
        result->setObject(key, value);
    }
    return result;
}

uint64_t logSequence()
{
    auto entries = openiokit::KernelLog::snapshot();
    return entries.empty() ? 0 : entries.back().sequence;
}

bool kernelLogContains(const std::string& text, uint64_t fromSequence)
{
    for (const auto& entry : openiokit::KernelLog::snapshot()) {
        if (entry.sequence > fromSequence && entry.text.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace matchtest

// --- Fixture ------------------------------------------------------------------------------------

void MatchTestFixture::SetUp()
{
    IOService::initialize();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    id_ = std::string(info->test_suite_name()) + "." + info->name();
    quiet();
    matchtest::clearLog();
    matchtest::closeStartGate();
}

void MatchTestFixture::TearDown()
{
    matchtest::openStartGate();
    gIOCatalogue->removeDrivers(matchtest::dict({{"MatchTestID", matchtest::str(id()).get()}}).get(), false);
    for (auto& service : nubs_) {
        terminate(service.get());
    }
    nubs_.clear();
    quiet();
    // No config thread may still be running when the process exits.
    EXPECT_TRUE(openiokit::waitMatchIdle(10'000'000'000ull));
}

OSSharedPtr<OSDictionary> MatchTestFixture::personality(const char* tag, SInt32 score,
                                                        std::initializer_list<std::pair<const char*, OSObject*>> extra,
                                                        const char* providerClass)
{
    auto result = matchtest::dict({
        {kIOProviderClassKey, matchtest::str(providerClass).get()},
        {kIOClassKey, matchtest::str("MatchTestDriver").get()},
        {kIOProbeScoreKey, matchtest::num(static_cast<UInt32>(score)).get()},
        {"MatchTestTag", matchtest::str(tag).get()},
        {"MatchTestID", matchtest::str(id()).get()},
        {"CFBundleIdentifier", matchtest::str("com.example.matchtest").get()},
        {kIOPropertyMatchKey, matchtest::dict({{"MatchTestID", matchtest::str(id()).get()}}).get()},
    });
    for (const auto& [key, value] : extra) {
        result->setObject(key, value);
    }
    return result;
}

void MatchTestFixture::addDrivers(std::initializer_list<OSDictionary*> personalities, bool doNubMatching)
{
    auto drivers = matchtest::adopt(OSArray::withCapacity(static_cast<unsigned int>(personalities.size())));
    for (OSDictionary* each : personalities) {
        drivers->setObject(each);
    }
    ASSERT_TRUE(gIOCatalogue->addDrivers(drivers.get(), doNubMatching));
}

OSSharedPtr<IOService> MatchTestFixture::nub(const char* name, IOService* provider, const OSMetaClass* meta)
{
    auto service = matchtest::adopt(OSDynamicCast(IOService, meta->alloc()));
    EXPECT_TRUE(service && service->init());
    service->setName(name);
    service->setProperty("MatchTestID", id());
    EXPECT_TRUE(service->attach(provider ? provider : IOService::getServiceRoot()));
    nubs_.push_back(service);
    return service;
}

void MatchTestFixture::terminate(IOService* service)
{
    service->terminate(kIOServiceSynchronous);
    openiokit::waitForTerminationIdle();
}

void MatchTestFixture::quiet(IOService* service)
{
    IOService::getResourceService()->waitQuiet();
    if (service) {
        service->waitQuiet();
    }
}

std::vector<std::string> MatchTestFixture::clientTags(IOService* service)
{
    std::vector<std::string> tags;
    OSSharedPtr<OSIterator> clients(service->getClientIterator(), OSNoRetain);
    while (OSObject* client = clients->getNextObject()) {
        tags.push_back(tagOf(OSDynamicCast(IOService, client)));
    }
    return tags;
}
