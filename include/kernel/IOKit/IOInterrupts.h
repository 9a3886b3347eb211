// <IOKit/IOInterrupts.h>: interrupt types and the primary handler signature (xnu
// iokit/IOKit/IOInterrupts.h). Interrupt controllers do not exist in OpenIOKit: a nub's
// interrupts are software ones, raised with IOService::causeInterrupt (docs/kernel-extras.md).
#pragma once

#define kIOInterruptTypeEdge (0)
#define kIOInterruptTypeLevel (1)

typedef void (*IOInterruptHandler)(void *target, void *refCon, void *nub, int source);

#ifdef __cplusplus
class IOService;

namespace openiokit {
// OpenIOKit-internal (for bus nubs, e.g. the simulated bus): gives `nub` `count` software
// interrupt sources of `type` (kIOInterruptTypeEdge or kIOInterruptTypeLevel) by setting its
// IOInterruptSpecifiers property to an array of `count` OSNumbers holding the type. A nub can
// equally set that property itself; an entry that is not an OSNumber means an edge source.
bool declareInterrupts(IOService *nub, unsigned count, int type = kIOInterruptTypeEdge);
}  // namespace openiokit
#endif
