// kernel_task: the task that owns kernel mappings (xnu's kernel_task). It never receives
// messages and never dies; it exists so that kexts can pass kernel_task to
// IOBufferMemoryDescriptor::inTaskWithOptions and IOMemoryDescriptor::createMappingInTask.
#include <IOKit/IOMemoryDescriptor.h>
#include <openiokit/Task.h>

#include <unistd.h>

namespace {

class KernelTask final : public task {
public:
    uid_t uid() const override { return 0; }
    pid_t pid() const override { return 0; }
    std::string name() const override { return "kernel_task"; }
    kern_return_t deliverMessage(ipc_port*, const openiokit::PortMessage&, IOOptionBits) override
    {
        return MACH_SEND_INVALID_DEST;  // nothing in the kernel receives on a port
    }
};

// Immortal: its creator's reference is never released, so ~task never runs at exit.
task* makeKernelTask()
{
    static KernelTask* const instance = new KernelTask;
    return instance;
}

}  // namespace

task_t kernel_task = makeKernelTask();
