// <IOKit/IOKitLibPrivate.h>: the IOKitUser private calls tools such as ioreg use (Apple's
// header path and signatures). Not for drivers' clients: Apple does not ship this header.
#pragma once

#include <IOKit/IOKitLib.h>

#ifdef __cplusplus
extern "C" {
#endif

// The service's IOService::getState() bits (kIOServiceInactiveState, kIOServiceRegisteredState,
// kIOServiceMatchedState, kIOServiceFirstPublishState, kIOServiceFirstMatchState).
kern_return_t IOServiceGetState(io_service_t service, uint64_t *state);

// The state bits, the busy count (IOService::getBusyState) and the time the service has spent
// busy, in nanoseconds. On failure all three are set to 0, as IOKitUser does.
kern_return_t IOServiceGetBusyStateAndTime(io_service_t service, uint64_t *state, uint32_t *busy_state,
                                           uint64_t *accumulated_busy_time);

#ifdef __cplusplus
}
#endif
