// The global registry lock (see RegistryLock.h): a POSIX rwlock plus per-thread depth counters
// that make nested acquisitions free.
#include "RegistryLock.h"

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace openiokit::registry {

namespace {

// Statically initialised and never destroyed, so the lock works from static constructors and
// while the process exits. glibc's default rwlock prefers readers, like xnu's registry lock
// (lck_attr_rw_shared_priority).
pthread_rwlock_t gLock = PTHREAD_RWLOCK_INITIALIZER;
std::atomic<SInt32> gGeneration{0};

// How many times this thread holds the lock in each mode. Only the outermost acquisition of a
// mode touches gLock; a read inside a write rides on the write.
thread_local int tReadDepth = 0;
thread_local int tWriteDepth = 0;

[[noreturn]] void diagnose(const char* what)
{
    std::fprintf(stderr, "IORegistry: fatal: %s\n", what);
    std::abort();
}

}  // namespace

void lockRead()
{
    if (tReadDepth == 0 && tWriteDepth == 0) {
        pthread_rwlock_rdlock(&gLock);
    }
    tReadDepth++;
}

void unlockRead()
{
    if (tReadDepth <= 0) {
        diagnose("registry lock read-unlocked but not read-locked by this thread");
    }
    tReadDepth--;
    if (tReadDepth == 0 && tWriteDepth == 0) {
        pthread_rwlock_unlock(&gLock);
    }
}

void lockWrite()
{
    if (tWriteDepth == 0) {
        if (tReadDepth != 0) {
            diagnose("registry lock write-locked by a thread that holds it for reading (upgrade)");
        }
        pthread_rwlock_wrlock(&gLock);
    }
    tWriteDepth++;
    gGeneration.fetch_add(1, std::memory_order_relaxed);
}

void unlockWrite()
{
    if (tWriteDepth <= 0) {
        diagnose("registry lock write-unlocked but not write-locked by this thread");
    }
    if (tWriteDepth == 1 && tReadDepth != 0) {
        diagnose("registry lock write-unlocked while a nested read is still held");
    }
    tWriteDepth--;
    if (tWriteDepth == 0) {
        pthread_rwlock_unlock(&gLock);
    }
}

bool isLockedByCurrentThread()
{
    return tReadDepth > 0 || tWriteDepth > 0;
}

bool isWriteLockedByCurrentThread()
{
    return tWriteDepth > 0;
}

SInt32 generationCount()
{
    return gGeneration.load(std::memory_order_relaxed);
}

}  // namespace openiokit::registry
