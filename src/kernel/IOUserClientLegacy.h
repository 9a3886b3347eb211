// The pre-Leopard method tables (IOExternalMethod / IOExternalAsyncMethod): how xnu's shims
// turn an IOExternalMethodArguments into a call of an IOMethod with six void* arguments.
// Used by IOUserClient::externalMethod when no IOExternalMethodDispatch is given.
#pragma once

#include <IOKit/IOUserClient.h>

namespace openiokit::legacy {

// kIOUCScalarIScalarO / ScalarIStructO / ScalarIStructI / StructIStructO, synchronous.
// `structureOutputSize` is the in/out size of a structure output (IOByteCount, as xnu).
IOReturn callMethod(IOExternalMethod* method, IOService* object, IOExternalMethodArguments* args,
                    IOByteCount* structureOutputSize);

// The same four kinds with an OSAsyncReference first argument.
IOReturn callAsyncMethod(IOExternalAsyncMethod* method, IOService* object, IOExternalMethodArguments* args);

}  // namespace openiokit::legacy
