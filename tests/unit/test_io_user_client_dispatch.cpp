// IOUserClient::externalMethod against iokit-semantics.md §3.2: each IOExternalMethodDispatch
// check, kIOUCVariableStructureSize, a NULL function, and the pre-Leopard method tables.
#include "test_io_user_client_support.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstring>

namespace {

struct Recorded {
    int calls = 0;
    OSObject* target = nullptr;
    void* reference = nullptr;
    IOExternalMethodArguments* args = nullptr;
};

IOReturn recordingAction(OSObject* target, void* reference, IOExternalMethodArguments* args)
{
    auto* recorded = static_cast<Recorded*>(reference);
    recorded->calls++;
    recorded->target = target;
    recorded->args = args;
    return kIOReturnIOError;  // something recognisable
}

// A user client that is never opened: externalMethod is called directly.
class DispatchTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        client = OSTypeAlloc(UCTestUserClient);
        ASSERT_TRUE(client->init());
    }
    void TearDown() override { client->release(); }

    IOReturn call(IOExternalMethodDispatch dispatch, IOExternalMethodArguments args)
    {
        return client->IOUserClient::externalMethod(7, &args, &dispatch, client, &recorded);
    }

    uctest::Environment environment;
    UCTestUserClient* client = nullptr;
    Recorded recorded;
};

constexpr uint32_t kVar = kIOUCVariableStructureSize;

}  // namespace

TEST_F(DispatchTest, ExactCountsCallTheFunctionWithTargetReferenceAndArguments)
{
    IOExternalMethodArguments args = uctest::arguments(2, 16, 3, 32);
    IOExternalMethodDispatch dispatch = {recordingAction, 2, 16, 3, 32};
    EXPECT_EQ(client->IOUserClient::externalMethod(7, &args, &dispatch, client, &recorded), kIOReturnIOError);
    EXPECT_EQ(recorded.calls, 1);
    EXPECT_EQ(recorded.target, client);
    EXPECT_EQ(recorded.args, &args);
}

TEST_F(DispatchTest, EachCheckedFieldRejectsAMismatchWithBadArgument)
{
    const IOExternalMethodDispatch exact = {recordingAction, 2, 16, 3, 32};
    const IOExternalMethodArguments good = uctest::arguments(2, 16, 3, 32);
    for (int field = 0; field < 4; field++) {
        for (uint32_t delta : {1u, UINT32_MAX}) {  // one more, one fewer
            IOExternalMethodArguments args = good;
            uint32_t* value[] = {&args.scalarInputCount, &args.structureInputSize, &args.scalarOutputCount,
                                 &args.structureOutputSize};
            *value[field] += delta;
            EXPECT_EQ(call(exact, args), kIOReturnBadArgument) << "field " << field;
        }
    }
    EXPECT_EQ(recorded.calls, 0);
}

TEST_F(DispatchTest, VariableSizeAcceptsAnyValueInEachField)
{
    for (int field = 0; field < 4; field++) {
        IOExternalMethodDispatch dispatch = {recordingAction, 2, 16, 3, 32};
        uint32_t* check[] = {&dispatch.checkScalarInputCount, &dispatch.checkStructureInputSize,
                             &dispatch.checkScalarOutputCount, &dispatch.checkStructureOutputSize};
        *check[field] = kVar;
        IOExternalMethodArguments args = uctest::arguments(2, 16, 3, 32);
        uint32_t* value[] = {&args.scalarInputCount, &args.structureInputSize, &args.scalarOutputCount,
                             &args.structureOutputSize};
        for (uint32_t any : {0u, 5u, 4096u, 0xfffffffeu}) {
            *value[field] = any;
            EXPECT_EQ(call(dispatch, args), kIOReturnIOError) << "field " << field << " value " << any;
        }
    }
    EXPECT_EQ(recorded.calls, 16);
    // All four variable: anything goes.
    EXPECT_EQ(call({recordingAction, kVar, kVar, kVar, kVar}, uctest::arguments(16, 4096, 16, 0)), kIOReturnIOError);
}

TEST_F(DispatchTest, NullFunctionIsNoCompletionButOnlyAfterTheChecks)
{
    EXPECT_EQ(call({nullptr, 1, 0, 0, 0}, uctest::arguments(1, 0, 0, 0)), kIOReturnNoCompletion);
    EXPECT_EQ(call({nullptr, 1, 0, 0, 0}, uctest::arguments(2, 0, 0, 0)), kIOReturnBadArgument);
}

TEST_F(DispatchTest, TheBaseDoesNoSelectorRangeCheck)
{
    IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
    IOExternalMethodDispatch dispatch = {recordingAction, 0, 0, 0, 0};
    EXPECT_EQ(client->IOUserClient::externalMethod(0xffffffff, &args, &dispatch, client, &recorded),
              kIOReturnIOError);
}

TEST_F(DispatchTest, ASubclassTableDispatchesBySelector)
{
    uint64_t input = 41;
    uint64_t output = 0;
    IOExternalMethodArguments args = uctest::arguments(1, 0, 1, 0);
    args.scalarInput = &input;
    args.scalarOutput = &output;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kEchoSelector, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(output, 42u);
    args.scalarInputCount = 2;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kEchoSelector, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
}

// --- The legacy path (no dispatch entry) -------------------------------------------------------

TEST_F(DispatchTest, LegacyUnknownSelectorIsUnsupported)
{
    IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
    EXPECT_EQ(client->externalMethod(50, &args, nullptr, nullptr, nullptr), kIOReturnUnsupported);
    args.asyncWakePort = reinterpret_cast<mach_port_t>(0x1000);  // async variant: same answer
    EXPECT_EQ(client->externalMethod(50, &args, nullptr, nullptr, nullptr), kIOReturnUnsupported);
}

TEST_F(DispatchTest, LegacyEntryWithoutTargetIsUnsupported)
{
    client->legacyMethods.push_back(
        {nullptr, static_cast<IOMethod>(&UCTestUserClient::legacyScalar), kIOUCScalarIScalarO, 2, 2});
    IOExternalMethodArguments args = uctest::arguments(2, 0, 2, 0);
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnUnsupported);
}

TEST_F(DispatchTest, LegacyRefusesOutOfLineStructures)
{
    IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
    args.structureInputDescriptor = reinterpret_cast<IOMemoryDescriptor*>(0x10);  // never dereferenced
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnIPCError);
}

TEST_F(DispatchTest, LegacyScalarMethodGets32BitInputsAndReturns32BitOutputs)
{
    client->legacyMethods.push_back(
        {client, static_cast<IOMethod>(&UCTestUserClient::legacyScalar), kIOUCScalarIScalarO, 2, 2});
    const uint64_t inputs[2] = {0x1'0000'0005ull, 3};  // the high half is dropped (ARG32)
    uint64_t outputs[2] = {99, 99};
    IOExternalMethodArguments args = uctest::arguments(2, 0, 2, 0);
    args.scalarInput = inputs;
    args.scalarOutput = outputs;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(client->legacyArgs[0], (void*)5);
    EXPECT_EQ(client->legacyArgs[1], (void*)3);
    EXPECT_EQ(outputs[0], 8u);
    EXPECT_EQ(outputs[1], 0xffffffffu);  // -1 as a 32-bit value, not sign-extended

    args.scalarInputCount = 1;  // count mismatch: refused, outputs copied back as zero
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
    EXPECT_EQ(outputs[0], 0u);
}

TEST_F(DispatchTest, LegacyStructMethodGetsBuffersAndSizesAndMayChangeTheOutputSize)
{
    client->legacyMethods.push_back(
        {client, static_cast<IOMethod>(&UCTestUserClient::legacyStruct), kIOUCStructIStructO, 8, kVar});
    char in[8] = "input";
    char out[64] = {};
    IOExternalMethodArguments args = uctest::arguments(0, sizeof(in), 0, sizeof(out));
    args.structureInput = in;
    args.structureOutput = out;
    client->legacyOutputSizeToReport = 12;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(client->legacyArgs[0], (void*)in);
    EXPECT_EQ(client->legacyArgs[1], (void*)out);
    EXPECT_EQ(client->legacyArgs[2], (void*)sizeof(in));
    EXPECT_EQ(args.structureOutputSize, 12u);

    args.structureInputSize = 7;  // count0 is fixed at 8
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
}

TEST_F(DispatchTest, LegacyOutputSizeAbove4GiBIsBadArgumentAndZeroed)
{
    client->legacyMethods.push_back(
        {client, static_cast<IOMethod>(&UCTestUserClient::legacyStruct), kIOUCStructIStructO, kVar, kVar});
    IOExternalMethodArguments args = uctest::arguments(0, 4, 0, 4);
    client->legacyOutputSizeToReport = (IOByteCount)UINT_MAX + 1;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
    EXPECT_EQ(args.structureOutputSize, 0u);
}

TEST_F(DispatchTest, LegacyBadMethodTypeIsBadArgument)
{
    client->legacyMethods.push_back({client, static_cast<IOMethod>(&UCTestUserClient::legacyScalar), 1, 0, 0});
    IOExternalMethodArguments args = uctest::arguments(0, 0, 0, 0);
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
}

TEST_F(DispatchTest, LegacyAsyncMethodGetsTheReferenceIn32BitSlots)
{
    client->legacyAsyncMethods.push_back(
        {client, static_cast<IOAsyncMethod>(&UCTestUserClient::legacyAsync), kIOUCScalarIScalarO, 1, 1});
    io_user_reference_t reference[kOSAsyncRef64Count] = {0x1234'0000'0001ull, 0x2222, 0x3333};
    const uint64_t input = 9;
    uint64_t output = 0;
    IOExternalMethodArguments args = uctest::arguments(1, 0, 1, 0);
    args.asyncWakePort = reinterpret_cast<mach_port_t>(0x1000);
    args.asyncReference = reference;
    args.asyncReferenceCount = 3;
    args.scalarInput = &input;
    args.scalarOutput = &output;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(client->legacyReference[0], 1u);  // truncated, as on an LP64 Mac
    EXPECT_EQ(client->legacyReference[1], 0x2222u);
    EXPECT_EQ(client->legacyReference[2], 0x3333u);
    EXPECT_EQ(client->legacyReference[3], 0u);
    EXPECT_EQ(client->legacyArgs[0], (void*)9);
    EXPECT_EQ(output, 7u);
}

TEST_F(DispatchTest, LegacyScalarInStructInPassesTheStructureAndItsSize)
{
    client->legacyMethods.push_back(
        {client, static_cast<IOMethod>(&UCTestUserClient::legacyStruct), kIOUCScalarIStructI, 1, kVar});
    const uint64_t input = 0xffff'ffff'0000'0002ull;
    char in[5] = "abcd";
    IOExternalMethodArguments args = uctest::arguments(1, sizeof(in), 0, 0);
    args.scalarInput = &input;
    args.structureInput = in;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(client->legacyArgs[0], (void*)2);
    EXPECT_EQ(client->legacyArgs[1], (void*)in);
    EXPECT_EQ(client->legacyArgs[2], (void*)sizeof(in));
    EXPECT_EQ(client->legacyArgs[3], nullptr);
}

TEST_F(DispatchTest, LegacyScalarInStructOutPassesTheOutputAndItsSizePointer)
{
    client->legacyMethods.push_back(
        {client, static_cast<IOMethod>(&UCTestUserClient::legacyStruct), kIOUCScalarIStructO, 3, 16});
    const uint64_t inputs[3] = {1, 2, 3};
    char out[16] = {};
    IOExternalMethodArguments args = uctest::arguments(3, 0, 0, sizeof(out));
    args.scalarInput = inputs;
    args.structureOutput = out;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnSuccess);
    EXPECT_EQ(client->legacyArgs[2], (void*)3);
    EXPECT_EQ(client->legacyArgs[3], (void*)out);
    EXPECT_NE(client->legacyArgs[4], nullptr);  // &structureOutputSize (an IOByteCount)
    EXPECT_EQ(client->legacyArgs[5], nullptr);
    args.structureOutputSize = 15;
    EXPECT_EQ(client->externalMethod(UCTestUserClient::kLegacyBase, &args, nullptr, nullptr, nullptr),
              kIOReturnBadArgument);
}
