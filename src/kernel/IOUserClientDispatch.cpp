// IOUserClient::externalMethod: the argument checks of an IOExternalMethodDispatch entry, and
// the fallback to the pre-Leopard method tables (iokit-semantics.md §3.2).
#include <IOKit/IOUserClient.h>

#include <IOKit/IOMemoryDescriptor.h>

#include "IOUserClientLegacy.h"

#include <climits>

namespace {

// An out-of-line structure is checked by its descriptor's length, an inline one by its size.
uint64_t structureLength(IOMemoryDescriptor* descriptor, uint32_t inlineSize)
{
    return descriptor ? descriptor->getLength() : inlineSize;
}

bool countMatches(uint32_t expected, uint64_t actual)
{
    return expected == kIOUCVariableStructureSize || expected == actual;
}

}  // namespace

IOReturn IOUserClient::externalMethod(uint32_t selector, IOExternalMethodArguments* args,
                                      IOExternalMethodDispatch* dispatch, OSObject* target, void* reference)
{
    if (dispatch) {
        // No selector range check here: subclasses index their own table (§3.2).
        if (!countMatches(dispatch->checkScalarInputCount, args->scalarInputCount) ||
            !countMatches(dispatch->checkStructureInputSize,
                          structureLength(args->structureInputDescriptor, args->structureInputSize)) ||
            !countMatches(dispatch->checkScalarOutputCount, args->scalarOutputCount) ||
            !countMatches(dispatch->checkStructureOutputSize,
                          structureLength(args->structureOutputDescriptor, args->structureOutputSize))) {
            return kIOReturnBadArgument;
        }
        if (!dispatch->function) {
            return kIOReturnNoCompletion;  // the implementer may dispatch it himself
        }
        return dispatch->function(target, reference, args);
    }

    // The pre-Leopard interfaces never had out-of-line structures.
    if (args->structureInputDescriptor || args->structureOutputDescriptor) {
        return kIOReturnIPCError;
    }

    IOByteCount structureOutputSize = args->structureOutputSize;
    IOReturn err;
    if (args->asyncWakePort) {
        IOService* object = nullptr;
        IOExternalAsyncMethod* method = getAsyncTargetAndMethodForIndex(&object, selector);
        if (!method || !object) {
            return kIOReturnUnsupported;
        }
        // kIOUCForegroundOnly: xnu refuses GPU-denied tasks; no task is GPU-denied here.
        err = openiokit::legacy::callAsyncMethod(method, object, args);
    } else {
        IOService* object = nullptr;
        IOExternalMethod* method = getTargetAndMethodForIndex(&object, selector);
        if (!method || !object) {
            return kIOReturnUnsupported;
        }
        err = openiokit::legacy::callMethod(method, object, args, &structureOutputSize);
    }

    if (structureOutputSize > UINT_MAX) {
        structureOutputSize = 0;
        err = kIOReturnBadArgument;
    }
    args->structureOutputSize = (uint32_t)structureOutputSize;
    return err;
}

// --- The method tables' defaults ---------------------------------------------------------------

IOExternalMethod* IOUserClient::getExternalMethodForIndex(UInt32)
{
    return nullptr;
}

IOExternalAsyncMethod* IOUserClient::getExternalAsyncMethodForIndex(UInt32)
{
    return nullptr;
}

IOExternalTrap* IOUserClient::getExternalTrapForIndex(UInt32)
{
    return nullptr;
}

IOExternalMethod* IOUserClient::getTargetAndMethodForIndex(IOService** targetP, UInt32 index)
{
    IOExternalMethod* method = getExternalMethodForIndex(index);
    if (method) {
        *targetP = method->object;
    }
    return method;
}

IOExternalMethod* IOUserClient::getTargetAndMethodForIndex(OSSharedPtr<IOService>& targetP, UInt32 index)
{
    IOService* target = nullptr;
    IOExternalMethod* method = getTargetAndMethodForIndex(&target, index);
    targetP.reset(target, OSRetain);
    return method;
}

IOExternalAsyncMethod* IOUserClient::getAsyncTargetAndMethodForIndex(IOService** targetP, UInt32 index)
{
    IOExternalAsyncMethod* method = getExternalAsyncMethodForIndex(index);
    if (method) {
        *targetP = method->object;
    }
    return method;
}

IOExternalAsyncMethod* IOUserClient::getAsyncTargetAndMethodForIndex(OSSharedPtr<IOService>& targetP, UInt32 index)
{
    IOService* target = nullptr;
    IOExternalAsyncMethod* method = getAsyncTargetAndMethodForIndex(&target, index);
    targetP.reset(target, OSRetain);
    return method;
}

IOExternalTrap* IOUserClient::getTargetAndTrapForIndex(IOService** targetP, UInt32 index)
{
    IOExternalTrap* trap = getExternalTrapForIndex(index);
    if (trap) {
        *targetP = trap->object;
    }
    return trap;
}
