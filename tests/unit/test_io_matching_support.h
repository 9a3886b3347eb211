// Helpers shared by the matching and notification tests (test_io_matching_*.cpp,
// test_io_notification_*.cpp).
//
// Isolation: every test gets its own id (MatchTestFixture::id()). Its nubs carry the id in the
// property "MatchTestID" and its personalities require it with IOPropertyMatch, so tests in one
// process do not match each other's nubs; TearDown removes the test's personalities and
// terminates its nubs.
#pragma once

#include <IOKit/IOCatalogue.h>
#include <IOKit/IOService.h>
#include <libkern/c++/OSSharedPtr.h>

#include <gtest/gtest.h>

#include <initializer_list>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

// A nub. Its family matching (matchPropertyTable) refuses a table holding "MatchTestFamilyRefuse"
// and adds "MatchTestFamilyBonus" (a number) to the score; it counts its calls.
class MatchTestNub : public IOService {
    OSDeclareDefaultStructors(MatchTestNub);

public:
    using IOService::matchPropertyTable;
    bool matchPropertyTable(OSDictionary* table, SInt32* score) override;
    IOReturn message(UInt32 type, IOService* provider, void* argument) override;

    int familyMatchCalls;  // zero-filled by OSObject's allocator
};

// A subclass, for IOProviderClass superclass matching.
class MatchTestSubNub : public MatchTestNub {
    OSDeclareDefaultStructors(MatchTestSubNub);
};

// A driver whose behaviour comes from its personality (so one class serves every test):
//   MatchTestTag        string: the name it logs as ("<tag>::probe", "::start", "::stop", "::free")
//   MatchTestProbe      "refuse": probe returns NULL
//   MatchTestProbeScore number: probe sets *score to it
//   MatchTestStartFail  present: start returns false
//   MatchTestChildID    string: start attaches a MatchTestNub with that MatchTestID and registers it
//   MatchTestStartBlock present: start waits until matchtest::openStartGate()
class MatchTestDriver : public IOService {
    OSDeclareDefaultStructors(MatchTestDriver);

public:
    IOService* probe(IOService* provider, SInt32* score) override;
    bool start(IOService* provider) override;
    void stop(IOService* provider) override;
    IOReturn message(UInt32 type, IOService* provider, void* argument) override;

    char startThreadName[16];  // the name of the thread start() ran on

protected:
    void free() override;
};

namespace matchtest {

template <typename T>
OSSharedPtr<T> adopt(T* object)
{
    return OSSharedPtr<T>(object, OSNoRetain);
}

// The call log: "<tag>::<callback>" lines, in order, from every thread.
void log(const std::string& line);
std::vector<std::string> logged();
// The lines that end with `suffix`.
std::vector<std::string> loggedEnding(const std::string& suffix);
void clearLog();

// Drivers with MatchTestStartBlock wait in start() until the gate opens (closed by
// MatchTestFixture::SetUp).
void openStartGate();
void closeStartGate();
// Waits (up to 10 s) until a logged line equals `line`.
bool waitForLogLine(const std::string& line);

// A string object (OSString) and a number object (32 bits), retained.
OSSharedPtr<OSString> str(const char* text);
OSSharedPtr<OSNumber> num(unsigned long long value);
OSSharedPtr<OSArray> array(std::initializer_list<OSObject*> objects);
OSSharedPtr<OSDictionary> dict(std::initializer_list<std::pair<const char*, OSObject*>> entries);

// Is `text` in the kernel log since `fromSequence` (see logSequence)?
uint64_t logSequence();
bool kernelLogContains(const std::string& text, uint64_t fromSequence);

}  // namespace matchtest

class MatchTestFixture : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // This test's id (from its name).
    const char* id() const { return id_.c_str(); }

    // A MatchTestDriver personality for this test: provider class, tag, probe score, extra keys.
    OSSharedPtr<OSDictionary> personality(const char* tag, SInt32 score = 0,
                                          std::initializer_list<std::pair<const char*, OSObject*>> extra = {},
                                          const char* providerClass = "MatchTestNub");
    // Adds personalities to the catalogue (with nub matching).
    void addDrivers(std::initializer_list<OSDictionary*> personalities, bool doNubMatching = true);
    // A MatchTestNub (or `meta` class) carrying this test's id, attached below `provider` (the
    // service root by default), not registered. Terminated by TearDown.
    OSSharedPtr<IOService> nub(const char* name, IOService* provider = nullptr,
                               const OSMetaClass* meta = MatchTestNub::metaClass);
    // Terminates synchronously and waits until termination is idle.
    static void terminate(IOService* service);
    // Waits until IOResources and `service` are quiet.
    static void quiet(IOService* service = nullptr);
    // The clients of `service`, as their tags (or names).
    static std::vector<std::string> clientTags(IOService* service);

private:
    std::string id_;
    std::vector<OSSharedPtr<IOService>> nubs_;
};
