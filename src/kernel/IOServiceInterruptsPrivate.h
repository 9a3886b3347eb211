// A nub's software interrupt sources (IOServiceInterrupts.cpp), part of its ServiceExtras.
//
// What stands in for an interrupt controller: each source has at most one handler, an
// enabled bit (off after registration, as xnu's controllers leave a new vector masked), and a
// pending count. causeInterrupt() adds to the count; the interrupt thread delivers pending
// interrupts one handler call each while the source is enabled, so interrupts raised while it
// is disabled wait for enableInterrupt(). Interrupts raised with no handler are dropped.
#pragma once

#include <IOKit/IOService.h>

#include <condition_variable>
#include <map>
#include <mutex>

namespace openiokit {

struct InterruptSourceState {
    OSObject* target = nullptr;  // not retained, as xnu: unregisterInterrupt precedes its free
    IOInterruptAction handler = nullptr;
    void* refCon = nullptr;
    bool enabled = false;
    bool active = false;    // the handler is running on the interrupt thread
    bool queued = false;    // a delivery for this source is on the interrupt thread's queue
    unsigned pending = 0;   // raised, not yet delivered
};

class InterruptTable {
public:
    std::mutex lock;
    std::condition_variable idle;  // a handler finished (active went false)
    std::map<int, InterruptSourceState> sources;  // guarded by lock; made on first use
};

}  // namespace openiokit
