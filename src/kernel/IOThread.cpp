// Kernel threads as detached pthreads, and the identity current_thread() returns.
#include <IOKit/IOLib.h>

#include <pthread.h>

#include <future>
#include <memory>

// A thread_t only identifies a thread here; xnu's scheduler state has no counterpart.
struct thread {
    char unused;
};

namespace {

thread_local struct thread tSelf;

struct StartRecord {
    IOThreadFunc function;
    void *argument;
    std::promise<thread_t> started;
};

void *threadMain(void *raw)
{
    std::unique_ptr<StartRecord> start(static_cast<StartRecord *>(raw));
    const IOThreadFunc function = start->function;
    void *const argument = start->argument;
    start->started.set_value(current_thread());
    start.reset();
    function(argument);
    return nullptr;
}

} // namespace

extern "C" {

thread_t current_thread(void)
{
    return &tSelf;
}

IOThread IOCreateThread(IOThreadFunc function, void *argument)
{
    auto start = std::make_unique<StartRecord>(StartRecord{function, argument, {}});
    std::future<thread_t> started = start->started.get_future();

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t handle;
    const int error = pthread_create(&handle, &attributes, threadMain, start.get());
    pthread_attr_destroy(&attributes);
    if (error != 0) {
        return nullptr;
    }
    start.release(); // threadMain owns it now
    return started.get();
}

void IOExitThread(void)
{
    pthread_exit(nullptr);
}

} // extern "C"
