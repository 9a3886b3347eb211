// kernel_thread_start & co (see <kern/thread.h>): kernel threads on top of IOCreateThread, whose
// thread_t is the identity current_thread() returns in the new thread.
#include <IOKit/IOLib.h>
#include <kern/thread.h>

#include <pthread.h>

#include <memory>

namespace {

struct Continuation {
    thread_continue_t function;
    void* parameter;
};

void runContinuation(void* raw)
{
    const Continuation start = *static_cast<Continuation*>(raw);
    delete static_cast<Continuation*>(raw);
    start.function(start.parameter, THREAD_AWAKENED);
}

}  // namespace

extern "C" {

kern_return_t kernel_thread_start(thread_continue_t continuation, void* parameter, thread_t* new_thread)
{
    if (!continuation || !new_thread) {
        IOLog("kernel_thread_start: %s is NULL\n", continuation ? "new_thread" : "continuation");
        return KERN_INVALID_ARGUMENT;
    }
    auto start = std::make_unique<Continuation>(Continuation{continuation, parameter});
    thread_t thread = IOCreateThread(&runContinuation, start.get());
    if (!thread) {
        IOLog("kernel_thread_start: the host could not create a thread\n");
        return KERN_RESOURCE_SHORTAGE;
    }
    start.release();  // runContinuation owns it now
    *new_thread = thread;
    return KERN_SUCCESS;
}

void thread_reference(thread_t thread)
{
    // A thread_t owns no storage here (see <kern/thread.h>): nothing to count.
}

void thread_deallocate(thread_t thread)
{
    // As thread_reference: the identity needs no release.
}

kern_return_t thread_terminate(thread_t thread)
{
    if (thread == THREAD_NULL) {
        return KERN_INVALID_ARGUMENT;
    }
    if (thread != current_thread()) {
        IOLog("thread_terminate: only the calling thread can be terminated (thread %p)\n", thread);
        return KERN_INVALID_ARGUMENT;
    }
    pthread_exit(nullptr);
}

}  // extern "C"
