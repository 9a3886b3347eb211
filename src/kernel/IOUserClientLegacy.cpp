// The pre-Leopard method shims (xnu shim_io_connect_method_* / shim_io_async_method_*).
//
// Each legacy method receives six void* arguments whose meaning depends on the entry's kind:
// the scalar inputs (truncated to 32 bits, as xnu's ARG32), then the outputs or the structure
// and its size, then NULLs. xnu spells every case out in a switch; here one function per kind
// checks the counts and lays out the six slots, which is the same table read column-wise.
#include "IOUserClientLegacy.h"

#include <IOKit/IOLib.h>

#include <array>
#include <optional>

namespace openiokit::legacy {
namespace {

using Slots = std::array<void*, 6>;

constexpr size_t kMaxScalars = 16;  // io_scalar_inband_t

void* arg32(uint64_t value)
{
    return (void*)(uintptr_t)(uint32_t)value;
}

bool sizeMatches(IOByteCount expected, uint64_t actual)
{
    return expected == kIOUCVariableStructureSize || expected == actual;
}

void logMismatch(const char* shim, IOService* object, const char* what, uint64_t actual, uint64_t expected)
{
    IOLog("%s: %s: IOUserClient %s count mismatch 0x%llx 0x%llx\n", shim, object->getName(), what,
          (unsigned long long)actual, (unsigned long long)expected);
}

std::optional<Slots> badTable(IOService* object)
{
    IOLog("%s: Bad method table\n", object->getName());
    return std::nullopt;
}

// kIOUCScalarIScalarO: n scalar inputs, then 6-n pointers to 32-bit outputs.
std::optional<Slots> scalarIScalarO(const char* shim, IOService* object, IOByteCount count0, IOByteCount count1,
                                    const IOExternalMethodArguments* args, int* outputs)
{
    if (args->scalarInputCount != count0) {
        logMismatch(shim, object, "inputCount", args->scalarInputCount, count0);
        return std::nullopt;
    }
    if (args->scalarOutputCount != count1) {
        logMismatch(shim, object, "outputCount", args->scalarOutputCount, count1);
        return std::nullopt;
    }
    const uint32_t inputs = args->scalarInputCount;
    if (inputs > 6) {
        return badTable(object);
    }
    Slots slots{};
    for (uint32_t i = 0; i < 6; i++) {
        slots[i] = i < inputs ? arg32(args->scalarInput[i]) : (void*)&outputs[i - inputs];
    }
    return slots;
}

// kIOUCScalarIStructO: n scalar inputs, the output buffer, a pointer to its size, NULLs.
std::optional<Slots> scalarIStructO(const char* shim, IOService* object, IOByteCount count0, IOByteCount count1,
                                    const IOExternalMethodArguments* args, void* outputSize,
                                    uint64_t currentOutputSize)
{
    if (args->scalarInputCount != count0) {
        logMismatch(shim, object, "inputCount", args->scalarInputCount, count0);
        return std::nullopt;
    }
    if (!sizeMatches(count1, currentOutputSize)) {
        logMismatch(shim, object, "outputCount", currentOutputSize, count1);
        return std::nullopt;
    }
    const uint32_t inputs = args->scalarInputCount;
    if (inputs > 5) {
        return badTable(object);
    }
    Slots slots{};
    uint32_t slot = 0;
    for (; slot < inputs; slot++) {
        slots[slot] = arg32(args->scalarInput[slot]);
    }
    slots[slot++] = args->structureOutput;
    if (slot < 6) {
        slots[slot] = outputSize;
    }
    return slots;
}

// kIOUCScalarIStructI: n scalar inputs, the input structure, its size, NULLs.
std::optional<Slots> scalarIStructI(const char* shim, IOService* object, IOByteCount count0, IOByteCount count1,
                                    const IOExternalMethodArguments* args, bool synchronous)
{
    if (args->scalarInputCount != count0) {
        logMismatch(shim, object, "inputCount", args->scalarInputCount, count0);
        return std::nullopt;
    }
    if (!sizeMatches(count1, args->structureInputSize)) {
        logMismatch(shim, object, "outputCount", args->structureInputSize, count1);
        return std::nullopt;
    }
    const uint32_t inputs = args->scalarInputCount;
    if (inputs > 5) {
        return badTable(object);
    }
    Slots slots{};
    uint32_t slot = 0;
    for (; slot < inputs; slot++) {
        slots[slot] = arg32(args->scalarInput[slot]);
    }
    // xnu's synchronous four-scalar case passes the third scalar untruncated.
    if (synchronous && inputs == 4) {
        slots[2] = (void*)(uintptr_t)args->scalarInput[2];
    }
    slots[slot++] = const_cast<void*>(args->structureInput);
    if (slot < 6) {
        slots[slot] = (void*)(uintptr_t)args->structureInputSize;
    }
    return slots;
}

// kIOUCStructIStructO: (in, out, inSize, &outSize) / (out, &outSize) / (in, inSize), by which
// of count0 and count1 are zero.
std::optional<Slots> structIStructO(const char* shim, IOService* object, IOByteCount count0, IOByteCount count1,
                                    const IOExternalMethodArguments* args, void* outputSize,
                                    uint64_t currentOutputSize)
{
    if (!sizeMatches(count0, args->structureInputSize)) {
        logMismatch(shim, object, "inputCount", args->structureInputSize, count0);
        return std::nullopt;
    }
    if (!sizeMatches(count1, currentOutputSize)) {
        logMismatch(shim, object, "outputCount", currentOutputSize, count1);
        return std::nullopt;
    }
    void* input = const_cast<void*>(args->structureInput);
    void* inputSize = (void*)(uintptr_t)args->structureInputSize;
    if (count1) {
        if (count0) {
            return Slots{input, args->structureOutput, inputSize, outputSize, nullptr, nullptr};
        }
        return Slots{args->structureOutput, outputSize, nullptr, nullptr, nullptr, nullptr};
    }
    return Slots{input, inputSize, nullptr, nullptr, nullptr, nullptr};
}

// Scalar outputs go back as 32-bit values, as the shims' io_scalar_inband_t holds them; xnu
// copies them even when the call was refused (they are then zero).
void copyScalarOutputs(IOExternalMethodArguments* args, const int* outputs)
{
    const uint32_t count = args->scalarOutputCount < kMaxScalars ? args->scalarOutputCount : kMaxScalars;
    for (uint32_t i = 0; i < count; i++) {
        args->scalarOutput[i] = (uint32_t)outputs[i];
    }
}

// The argument slots for one legacy method (xnu's shim_io_connect_method_* and
// shim_io_async_method_*, which differ only in their names, in whether a scalar-in/struct-in
// method may take a struct, and in where the struct output size lives).
struct ShimCall {
    bool async;
    IOOptionBits flags;
    IOByteCount count0;
    IOByteCount count1;
    void* structureOutputSize;         // IOByteCount* (sync) or uint32_t* (async), as in xnu
    uint64_t currentStructureOutputSize;
};

std::optional<Slots> slotsFor(const ShimCall& call, IOService* object, IOExternalMethodArguments* args,
                              int* outputs, bool& badType)
{
    badType = false;
    switch (call.flags & kIOUCTypeMask) {
    case kIOUCScalarIStructI:
        return scalarIStructI(call.async ? "shim_io_async_method_scalarI_structureI"
                                         : "shim_io_connect_method_scalarI_structureI",
                              object, call.count0, call.count1, args, !call.async);
    case kIOUCScalarIScalarO:
        return scalarIScalarO(call.async ? "shim_io_async_method_scalarI_scalarO"
                                         : "shim_io_connect_method_scalarI_scalarO",
                              object, call.count0, call.count1, args, outputs);
    case kIOUCScalarIStructO:
        return scalarIStructO(call.async ? "shim_io_async_method_scalarI_structureO"
                                         : "shim_io_connect_method_scalarI_structureO",
                              object, call.count0, call.count1, args, call.structureOutputSize,
                              call.currentStructureOutputSize);
    case kIOUCStructIStructO:
        return structIStructO(call.async ? "shim_io_async_method_structureI_structureO"
                                         : "shim_io_connect_method_structureI_structureO",
                              object, call.count0, call.count1, args, call.structureOutputSize,
                              call.currentStructureOutputSize);
    default:
        badType = true;
        return std::nullopt;
    }
}

// Runs `invoke(slots)` if the arguments fit the method's type, then returns the scalar outputs.
template <typename Invoke>
IOReturn runShim(const ShimCall& call, IOService* object, IOExternalMethodArguments* args, Invoke invoke)
{
    int outputs[kMaxScalars] = {};
    bool badType = false;
    std::optional<Slots> slots = slotsFor(call, object, args, outputs, badType);
    if (badType) {
        return kIOReturnBadArgument;
    }
    const IOReturn err = slots ? invoke(*slots) : kIOReturnBadArgument;
    if ((call.flags & kIOUCTypeMask) == kIOUCScalarIScalarO) {
        copyScalarOutputs(args, outputs);
    }
    return err;
}

}  // namespace

IOReturn callMethod(IOExternalMethod* method, IOService* object, IOExternalMethodArguments* args,
                    IOByteCount* structureOutputSize)
{
    const ShimCall call{false, method->flags, method->count0, method->count1, structureOutputSize,
                        *structureOutputSize};
    return runShim(call, object, args,
                   [&](const Slots& a) { return (object->*(method->func))(a[0], a[1], a[2], a[3], a[4], a[5]); });
}

IOReturn callAsyncMethod(IOExternalAsyncMethod* method, IOService* object, IOExternalMethodArguments* args)
{
    // The 64-bit reference squeezed into 32-bit slots (xnu REF32), as on a real LP64 kernel.
    OSAsyncReference reference = {};
    const uint32_t referenceCount = args->asyncReferenceCount < kOSAsyncRefCount ? args->asyncReferenceCount
                                                                                  : (uint32_t)kOSAsyncRefCount;
    for (uint32_t i = 0; i < referenceCount; i++) {
        reference[i] = (natural_t)(int)args->asyncReference[i];
    }
    const ShimCall call{true, method->flags, method->count0, method->count1, &args->structureOutputSize,
                        args->structureOutputSize};
    return runShim(call, object, args, [&](const Slots& a) {
        return (object->*(method->func))(reference, a[0], a[1], a[2], a[3], a[4], a[5]);
    });
}

}  // namespace openiokit::legacy
