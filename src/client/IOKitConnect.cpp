// IOKitConnect.cpp: IOServiceOpen/Close and the IOConnect* calls (IOKitLib.h, §3.1-§3.7).
#include "ClientSupport.h"

#include <map>
#include <mutex>
#include <sys/mman.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

namespace {

// Every IOConnectCall* variant ends here, as in IOKitUser (io_connect_method /
// io_connect_async_method). The daemon returns the outputs whatever the result.
kern_return_t connectMethod(mach_port_t connection, uint32_t selector, mach_port_t wakePort, const uint64_t* reference,
                            uint32_t referenceCnt, const uint64_t* input, uint32_t inputCnt, const void* inputStruct,
                            size_t inputStructCnt, uint64_t* output, uint32_t* outputCnt, void* outputStruct,
                            size_t* outputStructCnt)
{
    const uint32_t scalarOutputMax = outputCnt ? *outputCnt : 0;
    const uint64_t structOutputMax = outputStructCnt ? *outputStructCnt : 0;
    if (inputCnt > ipc::kMaxScalars || scalarOutputMax > ipc::kMaxScalars || referenceCnt > ipc::kAsyncReferenceCount ||
        (inputCnt && !input) || (inputStructCnt && !inputStruct) || (scalarOutputMax && !output) ||
        (structOutputMax && !outputStruct)) {
        return kIOReturnBadArgument;
    }
    // Above io_struct_inband_t the daemon hands the driver descriptors (xnu's ool_input /
    // ool_output); the bytes ride in the record, which goes out of line in a sealed memfd.
    if (inputStructCnt > ipc::kMaxStruct || structOutputMax > ipc::kMaxStruct) {
        return kIOReturnMessageTooLarge;
    }
    Call call(Op::ConnectCallMethod);
    ipc::Writer& w = call.w();
    w.u32(connection).u32(selector).u32(wakePort).u32(referenceCnt);
    for (uint32_t i = 0; i < referenceCnt; i++) {
        w.u64(reference[i]);
    }
    w.u32(inputCnt);
    for (uint32_t i = 0; i < inputCnt; i++) {
        w.u64(input[i]);
    }
    w.bytes(inputStruct, inputStructCnt).u32(scalarOutputMax).u64(structOutputMax);
    Reply reply = call.run();
    if (reply.fields.remaining() == 0) {
        return reply.result;  // no outputs: an error before the method ran
    }
    const uint32_t scalarCount = reply.fields.u32();
    if (scalarCount > scalarOutputMax) {
        return kIOReturnIPCError;
    }
    for (uint32_t i = 0; i < scalarCount; i++) {
        output[i] = reply.fields.u64();
    }
    const std::span<const uint8_t> structure = reply.fields.bytes(structOutputMax);
    if (!reply.fields.ok()) {
        return kIOReturnIPCError;
    }
    if (outputCnt) {
        *outputCnt = scalarCount;
    }
    if (outputStructCnt) {
        if (!structure.empty()) {
            std::memcpy(outputStruct, structure.data(), structure.size());
        }
        *outputStructCnt = structure.size();
    }
    return reply.result;
}

// The process's mappings: address -> the daemon's token and the length, for unmapping.
struct Mapping {
    uint64_t token;
    uint64_t length;
};
std::mutex gMappingsLock;
std::map<mach_vm_address_t, Mapping> gMappings;

}  // namespace

extern "C" {

kern_return_t IOServiceOpen(io_service_t service, task_port_t owningTask, uint32_t type, io_connect_t* connect)
{
    if (!connect) {
        return kIOReturnBadArgument;
    }
    *connect = IO_OBJECT_NULL;
    Call call(Op::ServiceOpen);
    call.w().u32(service).u32(owningTask).u32(type);
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *connect = name;
        }
    }
    return decodeError(reply);
}

kern_return_t IOServiceClose(io_connect_t connect)
{
    // As IOKitUser: the close request, then the name goes (whatever the close answered).
    const kern_return_t kr = simpleCall(Op::ServiceClose, connect);
    IOObjectRelease(connect);
    return kr;
}

kern_return_t IOConnectAddRef(io_connect_t connect)
{
    return IOObjectRetain(connect);
}

kern_return_t IOConnectRelease(io_connect_t connect)
{
    return IOObjectRelease(connect);
}

kern_return_t IOConnectGetService(io_connect_t connect, io_service_t* service)
{
    if (!service) {
        return kIOReturnBadArgument;
    }
    return callForU32(Op::ConnectGetService, connect, service);
}

kern_return_t IOConnectSetNotificationPort(io_connect_t connect, uint32_t type, mach_port_t port, uintptr_t reference)
{
    Call call(Op::ConnectSetNotificationPort);
    call.w().u32(connect).u32(type).u32(port).u64(reference);
    return call.run().result;
}

kern_return_t IOConnectAddClient(io_connect_t connect, io_connect_t client)
{
    Call call(Op::ConnectAddClient);
    call.w().u32(connect).u32(client);
    return call.run().result;
}

kern_return_t IOConnectCallMethod(mach_port_t connection, uint32_t selector, const uint64_t* input, uint32_t inputCnt,
                                  const void* inputStruct, size_t inputStructCnt, uint64_t* output, uint32_t* outputCnt,
                                  void* outputStruct, size_t* outputStructCnt)
{
    return connectMethod(connection, selector, MACH_PORT_NULL, nullptr, 0, input, inputCnt, inputStruct,
                         inputStructCnt, output, outputCnt, outputStruct, outputStructCnt);
}

kern_return_t IOConnectCallAsyncMethod(mach_port_t connection, uint32_t selector, mach_port_t wake_port,
                                       uint64_t* reference, uint32_t referenceCnt, const uint64_t* input,
                                       uint32_t inputCnt, const void* inputStruct, size_t inputStructCnt,
                                       uint64_t* output, uint32_t* outputCnt, void* outputStruct,
                                       size_t* outputStructCnt)
{
    if (!wake_port || !reference || referenceCnt < 1) {
        return kIOReturnBadArgument;
    }
    return connectMethod(connection, selector, wake_port, reference, referenceCnt, input, inputCnt, inputStruct,
                         inputStructCnt, output, outputCnt, outputStruct, outputStructCnt);
}

kern_return_t IOConnectCallStructMethod(mach_port_t connection, uint32_t selector, const void* inputStruct,
                                        size_t inputStructCnt, void* outputStruct, size_t* outputStructCnt)
{
    return IOConnectCallMethod(connection, selector, nullptr, 0, inputStruct, inputStructCnt, nullptr, nullptr,
                               outputStruct, outputStructCnt);
}

kern_return_t IOConnectCallAsyncStructMethod(mach_port_t connection, uint32_t selector, mach_port_t wake_port,
                                             uint64_t* reference, uint32_t referenceCnt, const void* inputStruct,
                                             size_t inputStructCnt, void* outputStruct, size_t* outputStructCnt)
{
    return IOConnectCallAsyncMethod(connection, selector, wake_port, reference, referenceCnt, nullptr, 0, inputStruct,
                                    inputStructCnt, nullptr, nullptr, outputStruct, outputStructCnt);
}

kern_return_t IOConnectCallScalarMethod(mach_port_t connection, uint32_t selector, const uint64_t* input,
                                        uint32_t inputCnt, uint64_t* output, uint32_t* outputCnt)
{
    return IOConnectCallMethod(connection, selector, input, inputCnt, nullptr, 0, output, outputCnt, nullptr, nullptr);
}

kern_return_t IOConnectCallAsyncScalarMethod(mach_port_t connection, uint32_t selector, mach_port_t wake_port,
                                             uint64_t* reference, uint32_t referenceCnt, const uint64_t* input,
                                             uint32_t inputCnt, uint64_t* output, uint32_t* outputCnt)
{
    return IOConnectCallAsyncMethod(connection, selector, wake_port, reference, referenceCnt, input, inputCnt, nullptr,
                                    0, output, outputCnt, nullptr, nullptr);
}

// --- Shared memory -----------------------------------------------------------------------------

kern_return_t IOConnectMapMemory64(io_connect_t connect, uint32_t memoryType, task_port_t intoTask,
                                   mach_vm_address_t* atAddress, mach_vm_size_t* ofSize, IOOptionBits options)
{
    if (!atAddress || !ofSize || intoTask != mach_task_self()) {
        return kIOReturnBadArgument;
    }
    Call call(Op::ConnectMapMemory);
    call.w().u32(connect).u32(memoryType).u32(options);
    Reply reply = call.run();
    if (!reply.ok()) {
        return reply.result;
    }
    const uint64_t offset = reply.fields.u64();
    const uint64_t length = reply.fields.u64();
    const uint32_t mapOptions = reply.fields.u32();
    const uint64_t token = reply.fields.u64();
    if (!reply.fields.ok() || reply.fds.size() != 1 || length == 0) {
        return kIOReturnIPCError;
    }
    constexpr uint32_t kIOMapReadOnly = 0x00001000;
    const int protection = (mapOptions & kIOMapReadOnly) ? PROT_READ : PROT_READ | PROT_WRITE;
    void* address = mmap(nullptr, length, protection, MAP_SHARED, reply.fds.front().get(), static_cast<off_t>(offset));
    if (address == MAP_FAILED) {
        return kIOReturnVMError;
    }
    *atAddress = reinterpret_cast<mach_vm_address_t>(address);
    *ofSize = length;
    std::lock_guard guard(gMappingsLock);
    gMappings[*atAddress] = Mapping{token, length};
    return kIOReturnSuccess;
}

kern_return_t IOConnectMapMemory(io_connect_t connect, uint32_t memoryType, task_port_t intoTask,
                                 mach_vm_address_t* atAddress, mach_vm_size_t* ofSize, IOOptionBits options)
{
    return IOConnectMapMemory64(connect, memoryType, intoTask, atAddress, ofSize, options);
}

kern_return_t IOConnectUnmapMemory64(io_connect_t connect, uint32_t memoryType, task_port_t fromTask,
                                     mach_vm_address_t atAddress)
{
    if (fromTask != mach_task_self() || !atAddress) {
        return kIOReturnBadArgument;
    }
    Mapping mapping;
    {
        std::lock_guard guard(gMappingsLock);
        auto found = gMappings.find(atAddress);
        if (found == gMappings.end()) {
            return kIOReturnBadArgument;
        }
        mapping = found->second;
    }
    Call call(Op::ConnectUnmapMemory);
    call.w().u32(connect).u32(memoryType).u64(mapping.token);
    const kern_return_t kr = call.run().result;
    if (kr == kIOReturnSuccess) {
        std::lock_guard guard(gMappingsLock);
        gMappings.erase(atAddress);
        munmap(reinterpret_cast<void*>(atAddress), mapping.length);
    }
    return kr;
}

kern_return_t IOConnectUnmapMemory(io_connect_t connect, uint32_t memoryType, task_port_t fromTask,
                                   mach_vm_address_t atAddress)
{
    return IOConnectUnmapMemory64(connect, memoryType, fromTask, atAddress);
}

}  // extern "C"
