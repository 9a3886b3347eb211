// The global registry lock: xnu's gIORegistryLock (iokit/Kernel/IORegistryEntry.cpp).
//
// One reader/writer lock guards the registry's topology: every entry's parent and child links,
// names and locations in every plane, and the table of planes. Readers (look-ups, path
// building, iterator steps) share it; writers (attach, detach, setName, setLocation, makePlane)
// take it alone, and every write acquisition bumps the registry generation count, as xnu's WLOCK
// macro does (IORegistryEntry::getGenerationCount returns it).
//
// Rules, for the registry code and for the IOService code that also takes this lock:
// - Read acquisitions nest: a thread that holds the lock (in either mode) may take it for
//   reading again; the inner acquisition is free. xnu's lck_rw relies on the same thing (getPath
//   reads parents while holding the lock shared) with reader priority; a plain rwlock that
//   prefers writers would deadlock there, hence the per-thread depth counters.
// - Write acquisitions nest only inside a write: asking to write while holding the lock only for
//   reading is an upgrade, which would deadlock against another upgrader; it aborts instead.
// - Never take the registry lock while holding an entry's property lock: the order is registry
//   lock, then property lock (the registry code itself never nests them).
// - Never call out (virtual methods, appliers, notifications) with the lock held; retain what
//   must survive, unlock, then call.
#pragma once

#include <libkern/OSTypes.h>

namespace openiokit::registry {

void lockRead();
void unlockRead();
// Takes the lock exclusively and bumps the generation count.
void lockWrite();
void unlockWrite();

// True if the calling thread holds the lock in either mode (for assertions).
bool isLockedByCurrentThread();
// True if the calling thread holds the lock for writing.
bool isWriteLockedByCurrentThread();

// The number of write acquisitions so far (xnu's gIORegistryGenerationCount).
SInt32 generationCount();

// Scoped holders; the registry code uses these rather than the bare calls.
class ReadLocker {
public:
    ReadLocker() { lockRead(); }
    ~ReadLocker() { unlockRead(); }
    ReadLocker(const ReadLocker&) = delete;
    ReadLocker& operator=(const ReadLocker&) = delete;
};

class WriteLocker {
public:
    WriteLocker() { lockWrite(); }
    ~WriteLocker() { unlockWrite(); }
    WriteLocker(const WriteLocker&) = delete;
    WriteLocker& operator=(const WriteLocker&) = delete;
};

}  // namespace openiokit::registry
