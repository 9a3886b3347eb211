// The per-service state of the kernel extras (see openiokit::ServiceExtrasSlot in IOService.h):
// one part per concern, each defined beside the code that uses it.
#pragma once

#include <IOKit/IOService.h>

#include "IOServiceInterruptsPrivate.h"
#include "IOServicePMPrivate.h"
#include "UserClientMemoryPrivate.h"

namespace openiokit {

struct ServiceExtras {
    ClientMappings mappings;    // UserClientMemory.cpp
    InterruptTable interrupts;  // IOServiceInterrupts.cpp
    PMNode pm;                  // IOServicePM*.cpp; guarded by pm::treeLock()
    ~ServiceExtras();
};

}  // namespace openiokit
