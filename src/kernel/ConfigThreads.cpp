// The config threads that run asynchronous matching (xnu's _IOConfigThread and
// _IOServiceJob::pingConfig): a job queue served by a few threads, started when there are more
// jobs than idle threads, that end once the queue is empty.
//
// At most kMaxConfigThreads serve ordinary jobs. A job for IOResources goes to the front of the
// queue and may always start another thread: config threads block in startCandidate until the
// resources their drivers need are published, and a publication is an IOResources job, so
// it must never wait behind them.
#include <IOKit/IOService.h>

#include "IOServiceMatchingInternal.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <system_error>
#include <thread>

namespace {

// xnu allows 32 (CONFIG_MAX_THREADS) on macOS. A few are plenty for a simulated machine; there
// must be more than one, since a driver that waits in start() (checkResources, waitForService)
// holds its thread until another job has run.
constexpr int kMaxConfigThreads = 8;

struct Job {
    OSSharedPtr<IOService> nub;
    IOOptionBits options;
};

struct Jobs {
    std::mutex lock;
    std::condition_variable available;  // a job was queued
    std::condition_variable idle;       // the last thread ended
    std::deque<Job> queue;
    int threads = 0;  // config threads alive
    int waiting = 0;  // of which waiting for a job
};

// Immortal: detached config threads may still be finishing when the process exits.
Jobs& jobs()
{
    static auto* shared = new Jobs;
    return *shared;
}

void configThreadMain()
{
    pthread_setname_np(pthread_self(), "_IOConfigThread");
    Jobs& j = jobs();
    std::unique_lock lock(j.lock);
    while (true) {
        j.available.wait(lock, [&] { return !j.queue.empty(); });
        Job job = std::move(j.queue.front());
        j.queue.pop_front();
        j.waiting--;
        lock.unlock();
        openiokit::doServiceMatch(job.nub.get(), job.options);
        job.nub.reset();
        lock.lock();
        // Stay while there are more queued jobs than idle threads to take them.
        if (static_cast<int>(j.queue.size()) <= j.waiting) {
            break;
        }
        j.waiting++;
    }
    if (--j.threads == 0) {
        j.idle.notify_all();
    }
}

}  // namespace

namespace openiokit {

void queueMatchingJob(IOService* nub, IOOptionBits options)
{
    Jobs& j = jobs();
    const bool isResources = nub == resourcesService();
    bool create;
    {
        std::lock_guard lock(j.lock);
        Job job{OSSharedPtr<IOService>(nub, OSRetain), options};
        if (isResources) {
            j.queue.push_front(std::move(job));
        } else {
            j.queue.push_back(std::move(job));
        }
        create = static_cast<int>(j.queue.size()) > j.waiting && (j.threads < kMaxConfigThreads || isResources);
        if (create) {
            j.threads++;
            j.waiting++;
        }
    }
    if (create) {
        try {
            std::thread(configThreadMain).detach();
        } catch (const std::system_error& error) {
            // The job stays queued for the next thread that frees up or starts.
            IOLog("IOService: cannot start a config thread: %s\n", error.what());
            std::lock_guard lock(j.lock);
            j.threads--;
            j.waiting--;
        }
    }
    j.available.notify_one();
}

bool waitMatchIdle(uint64_t timeoutNanoseconds)
{
    Jobs& j = jobs();
    std::unique_lock lock(j.lock);
    auto none = [&] { return j.threads == 0; };
    if (timeoutNanoseconds == UINT64_MAX) {
        j.idle.wait(lock, none);
        return true;
    }
    return j.idle.wait_for(lock, std::chrono::nanoseconds(timeoutNanoseconds), none);
}

}  // namespace openiokit
