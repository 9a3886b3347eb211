// Concurrency inside a user client (iokit-semantics.md §3.5, §2.8): external methods share the
// client's read lock, close waits for them, a call in flight defers the client's finalize, and
// races between termination and opening or calling (meant to run under TSan as well).
#include "test_io_user_client_support.h"

#include "../../src/kernel/Termination.h"
#include "../../src/kernel/UserClientConnection.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using uctest::FakeTask;

namespace {

class ConcurrencyTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        provider = UCTestProvider::make();
        ASSERT_NE(provider, nullptr);
        clientsBefore = UCTestUserClient::metaClass->getInstanceCount();
    }
    void TearDown() override
    {
        uctest::terminateAndRelease(provider);
        EXPECT_EQ(UCTestUserClient::metaClass->getInstanceCount(), clientsBefore);
    }

    UCTestUserClient* open(IOService* service)
    {
        IOUserClient* client = nullptr;
        EXPECT_EQ(openiokit::openConnection(service, task.get(), 0, &client), kIOReturnSuccess);
        return OSDynamicCast(UCTestUserClient, client);
    }

    static IOReturn callSlow(UCTestUserClient* client)
    {
        IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
        return openiokit::callMethod(client, UCTestUserClient::kSlowSelector, &args);
    }

    static void waitFor(const std::atomic<int>& value, int atLeast)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (value.load() < atLeast && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }

    uctest::Environment environment;
    openiokit::RefPtr<FakeTask> task = FakeTask::make();
    UCTestProvider* provider = nullptr;
    unsigned clientsBefore = 0;
};

}  // namespace

TEST_F(ConcurrencyTest, CloseWaitsForCallsInFlightAndHoldsBackNewOnes)
{
    UCTestUserClient* client = open(provider);
    ASSERT_NE(client, nullptr);
    client->slowMethodMicros = 100'000;

    std::vector<std::thread> callers;
    std::vector<IOReturn> results(8, kIOReturnError);
    for (int i = 0; i < 8; i++) {
        callers.emplace_back([&, i] { results[i] = callSlow(client); });
    }
    waitFor(client->inFlight, 8);
    ASSERT_EQ(client->maxInFlight.load(), 8);  // external methods run concurrently

    std::thread closer([&] { EXPECT_EQ(openiokit::closeConnection(client), kIOReturnSuccess); });
    // A ninth call arrives while the close waits for the write lock: it must not start until
    // the close is over (the lock prefers the waiting writer).
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    IOReturn lateResult = kIOReturnError;
    std::thread late([&] { lateResult = callSlow(client); });
    closer.join();
    late.join();
    for (std::thread& caller : callers) {
        caller.join();
    }

    EXPECT_EQ(client->clientCloseCalls.load(), 1);
    EXPECT_EQ(client->inFlightAtClose.load(), 0);
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    {
        std::lock_guard guard(client->seqLock);
        spans = client->slowCallSpans;
    }
    int startedBeforeClose = 0;
    for (const auto& [enter, exit] : spans) {
        if (enter < client->closeEnterSeq) {
            ++startedBeforeClose;
            EXPECT_LT(exit, client->closeEnterSeq.load()) << "a call was still running when clientClose began";
        } else {
            EXPECT_GT(enter, client->closeExitSeq.load()) << "a call started while clientClose ran";
        }
    }
    EXPECT_EQ(startedBeforeClose, 8);
    for (IOReturn result : results) {
        EXPECT_EQ(result, kIOReturnSuccess);
    }
    // The late call either ran after the close (it was already past the port) or, had it
    // arrived after the termination in clientClose destroyed the connection, was refused.
    EXPECT_TRUE(lateResult == kIOReturnSuccess || lateResult == MACH_SEND_INVALID_DEST);
    // After the close the connection is gone: new calls are refused.
    EXPECT_EQ(callSlow(client), MACH_SEND_INVALID_DEST);
    openiokit::connectionDied(client);
    openiokit::waitForTerminationIdle();
    client->release();
}

// §2.8: a user thread inside externalMethod when termination starts delays the client's
// finalize — hence its stop and its provider's — until the call returns; the last ipcExit
// schedules the finalize.
TEST_F(ConcurrencyTest, ACallInFlightDefersFinalizeUntilItsIpcExit)
{
    UCTestProvider* driver = UCTestProvider::make();
    UCTestUserClient* client = open(driver);
    ASSERT_NE(client, nullptr);
    client->slowMethodMicros = 300'000;
    std::atomic<uint64_t> callReturned{0};
    std::thread caller([&] {
        EXPECT_EQ(callSlow(client), kIOReturnSuccess);
        callReturned = uctest::nextSequence();
    });
    waitFor(client->inFlight, 1);
    EXPECT_TRUE(driver->terminate());  // asynchronous
    EXPECT_TRUE(client->isInactive());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(client->stopCalls.load(), 0) << "stopped while a call was in flight";
    EXPECT_EQ(client->getProvider(), driver);
    caller.join();
    EXPECT_EQ(driver->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
    openiokit::waitForTerminationIdle();
    EXPECT_EQ(client->stopCalls.load(), 1);
    EXPECT_GT(client->stopSeq.load(), client->slowCallSpans.at(0).second);
    EXPECT_EQ(client->getProvider(), nullptr);
    client->release();
    driver->release();
}

TEST_F(ConcurrencyTest, TerminateRacingOpenConnection)
{
    for (int round = 0; round < 50; round++) {
        UCTestProvider* victim = UCTestProvider::make();
        IOUserClient* client = nullptr;
        IOReturn openResult = kIOReturnError;
        std::thread opener([&] { openResult = openiokit::openConnection(victim, task.get(), 0, &client); });
        std::thread terminator([&] { victim->terminate(); });
        opener.join();
        terminator.join();
        if (openResult == kIOReturnSuccess) {
            openiokit::closeConnection(client);
            openiokit::connectionDied(client);
        } else {
            EXPECT_EQ(openResult, kIOReturnUnsupported);  // attach to an inactive provider fails
        }
        EXPECT_EQ(victim->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
        openiokit::waitForTerminationIdle();
        if (client) {
            EXPECT_EQ(client->getProvider(), nullptr);
            client->release();
        }
        victim->release();
    }
}

TEST_F(ConcurrencyTest, TerminateRacingExternalMethods)
{
    for (int round = 0; round < 20; round++) {
        UCTestProvider* victim = UCTestProvider::make();
        UCTestUserClient* client = open(victim);
        ASSERT_NE(client, nullptr);
        client->slowMethodMicros = 500;
        std::atomic<bool> stop{false};
        std::vector<std::thread> callers;
        for (int i = 0; i < 4; i++) {
            callers.emplace_back([&] {
                while (!stop.load()) {
                    const IOReturn result = callSlow(client);
                    EXPECT_TRUE(result == kIOReturnSuccess || result == MACH_SEND_INVALID_DEST);
                    if (result == MACH_SEND_INVALID_DEST) {
                        return;
                    }
                }
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        victim->terminate(round % 2 ? kIOServiceSynchronous : 0);
        stop = true;
        for (std::thread& caller : callers) {
            caller.join();
        }
        EXPECT_EQ(victim->waitQuiet(5'000'000'000ull), kIOReturnSuccess);
        openiokit::waitForTerminationIdle();
        EXPECT_EQ(client->stopCalls.load(), 1);
        EXPECT_EQ(client->inFlight.load(), 0);
        client->release();
        victim->release();
    }
}
