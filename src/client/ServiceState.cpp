// ServiceState.cpp: IOKitUser's private IOServiceGetState / IOServiceGetBusyStateAndTime
// (<IOKit/IOKitLibPrivate.h>), one ServiceGetState request each, as both are one
// io_service_get_state call in IOKitUser.
#include "ClientSupport.h"

#include <IOKit/IOKitLibPrivate.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

namespace {

struct ServiceState {
    uint64_t state = 0;
    uint32_t busy = 0;
    uint64_t accumulatedBusyNs = 0;
};

kern_return_t readServiceState(io_service_t service, ServiceState& out)
{
    Call call(Op::ServiceGetState);
    call.w().u32(service);
    Reply reply = call.run();
    if (!reply.ok()) {
        return reply.result;
    }
    ServiceState s;
    s.state = reply.fields.u64();
    s.busy = reply.fields.u32();
    s.accumulatedBusyNs = reply.fields.u64();
    if (!reply.fields.ok()) {
        return kIOReturnIPCError;
    }
    out = s;
    return kIOReturnSuccess;
}

}  // namespace

extern "C" {

kern_return_t IOServiceGetState(io_service_t service, uint64_t* state)
{
    if (!service || !state) {
        return kIOReturnBadArgument;
    }
    ServiceState s;
    const kern_return_t result = readServiceState(service, s);
    *state = s.state;
    return result;
}

kern_return_t IOServiceGetBusyStateAndTime(io_service_t service, uint64_t* state, uint32_t* busyState,
                                           uint64_t* accumulatedBusyTime)
{
    if (!service || !state || !busyState || !accumulatedBusyTime) {
        return kIOReturnBadArgument;
    }
    ServiceState s;
    const kern_return_t result = readServiceState(service, s);
    // On failure every output is 0 (IOKitUser clears them too).
    *state = s.state;
    *busyState = s.busy;
    *accumulatedBusyTime = s.accumulatedBusyNs;
    return result;
}

}  // extern "C"
