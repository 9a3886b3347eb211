// The termination machinery (iokit-semantics.md §2, docs/termination.md), in one place.
//
// Phase 1 runs on the caller's thread: victims are marked inactive breadth-first, clients with
// a single provider are asked to terminate (kIOServiceRecursing). Phases 2 and 3 run on one
// "terminate thread" at a time — a dedicated thread, or a synchronous caller that takes the
// role: willTerminate root-to-leaf, didTerminate leaf-to-root, then finalize and stop, leaf
// first. The scheduling hooks used by the rest of IOService are declared in IOServicePrivate.h.
#pragma once

#include <IOKit/IOService.h>

#include <functional>

namespace openiokit {

// Trace points, one per transition, so tests can assert the exact order of a termination.
enum class TerminationTrace {
    Phase1Inactivated,   // the service became inactive (phase 1)
    Phase2Began,         // phase 2 started for the service
    Phase2Deferred,      // phase 2 postponed (matching, terminate-defer, still in phase 1)
    WillTerminate,       // client->willTerminate(service) delivered (`other` = client)
    DidTerminate,        // client->didTerminate(service) delivered (`other` = client)
    Phase3Began,         // the service entered phase 3
    Finalized,           // service->finalize() ran
    Stopped,             // service->stop(other) ran, close/detach follow
    Detached,            // service left `other`
    SyncTimeout,         // a synchronous terminate gave up waiting (15 s)
};

using TerminationTracer = std::function<void(TerminationTrace point, IOService* service, IOService* other)>;

// Installs (or, with an empty function, removes) the tracer. Called on whichever thread makes
// the transition; must not call back into termination.
void setTerminationTracer(TerminationTracer tracer);

// Debugging aid (style.md): with a non-zero bound, every transition sleeps a random 0..bound
// microseconds first, to shake out ordering assumptions in tests. Also set by the environment
// variable OPENIOKIT_TERMINATION_JITTER_US.
void setTerminationJitter(unsigned maxMicroseconds);

// How long a synchronous terminate waits for its victim to go quiet (xnu: 15 s).
void setSynchronousTerminateTimeout(uint64_t nanoseconds);

// Blocks until no termination work is queued or running (for tests and orderly shutdown).
void waitForTerminationIdle();

}  // namespace openiokit
