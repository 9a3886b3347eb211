// DispatchServices.cpp: services and connections (is_io_service_get_busy_state,
// is_io_service_get_state, is_io_service_wait_quiet, is_io_service_open_extended, is_io_service_close,
// is_io_connect_method / async_method, is_io_connect_set_notification_port_64,
// is_io_connect_get_service, is_io_connect_add_client). iokit-semantics.md §3.1-§3.7.
#include "DaemonLog.h"
#include "Dispatcher.h"
#include "NotificationPort.h"
#include "UserClientConnection.h"
#include "UserClientMemory.h"

#include <IOKit/IOBufferMemoryDescriptor.h>
#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

#include <array>

namespace openiokit::daemon {

namespace {

using ipc::Op;

// Slot 0 of an async reference: the wake port | kIOUCAsync64Flag (every client is LP64).
constexpr io_user_reference_t kIOUCAsync64Flag = 1;

// A retained kernel port for a notification-port name (0 = MACH_PORT_NULL, allowed).
std::expected<RefPtr<ipc_port>, IOReturn> portNamed(Request& r, mach_port_name_t name)
{
    if (name == 0) {
        return RefPtr<ipc_port>{};
    }
    auto entry = r.task.handles().lookup(name, HandleKind::Port);
    if (!entry) {
        return std::unexpected(entry.error() == kIOReturnBadArgument ? kIOReturnBadArgument : MACH_SEND_INVALID_DEST);
    }
    return RefPtr<ipc_port>::retain(entry->port->port());
}

IOService* serviceOrRoot(Request& r, mach_port_name_t name, OSSharedPtr<IOService>& holder, IOReturn& error)
{
    if (name == 0) {
        return IOService::getServiceRoot();
    }
    auto service = lookupService(r, name);
    if (!service) {
        error = service.error();
        return nullptr;
    }
    holder = std::move(*service);
    return holder.get();
}

IOReturn serviceGetBusyState(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<IOService> holder;
    IOReturn error = kIOReturnSuccess;
    IOService* service = serviceOrRoot(r, name, holder, error);
    if (!service) {
        return error;
    }
    r.out.u32(service->getBusyState());
    return kIOReturnSuccess;
}

// is_io_service_get_state: the state bits, the busy count and the accumulated busy time (ns).
IOReturn serviceGetState(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto service = lookupService(r, name);
    if (!service) {
        return service.error();
    }
    r.out.u64((*service)->getState())
        .u32((*service)->getBusyState())
        .u64((*service)->getAccumulatedBusyTime());
    return kIOReturnSuccess;
}

IOReturn serviceWaitQuiet(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint64_t timeoutNs = r.in.u64();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<IOService> holder;
    IOReturn error = kIOReturnSuccess;
    IOService* service = serviceOrRoot(r, name, holder, error);
    if (!service) {
        return error;
    }
    return service->waitQuiet(timeoutNs);
}

IOReturn serviceOpen(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint32_t owningTask = r.in.u32();
    const uint32_t type = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto service = lookupService(r, name);
    if (!service) {
        return service.error();
    }
    if (owningTask != ipc::kTaskSelfName) {
        return kIOReturnBadArgument;  // xnu: the owning task must be the caller
    }
    IOUserClient* client = nullptr;
    const IOReturn result = openConnection(service->get(), &r.task, type, &client);
    if (result != kIOReturnSuccess) {
        return result;
    }
    // The connection reference from openConnection now belongs to the name; a shared instance
    // already named here keeps its one reference per name.
    OSSharedPtr<IOUserClient> connection(client, OSNoRetain);
    r.out.u32(r.task.handles().insertObject(client, HandleKind::Connect));
    return kIOReturnSuccess;
}

IOReturn serviceClose(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    return closeConnection(client->get());
}

// Per-thread output structure buffer: the hot path does not allocate.
thread_local std::array<uint8_t, ipc::kMaxInlineStruct> tStructOutput;

IOReturn connectCallMethod(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint32_t selector = r.in.u32();
    const mach_port_name_t wakePortName = r.in.u32();
    const uint32_t referenceCount = r.in.u32();
    io_user_reference_t reference[ipc::kAsyncReferenceCount] = {};
    if (referenceCount > ipc::kAsyncReferenceCount) {
        r.in.fail();
    }
    for (uint32_t i = 0; i < referenceCount && r.in.ok(); i++) {
        reference[i] = r.in.u64();
    }
    const uint32_t scalarInputCount = r.in.u32();
    uint64_t scalarInput[ipc::kMaxScalars];
    if (scalarInputCount > ipc::kMaxScalars) {
        r.in.fail();
    }
    for (uint32_t i = 0; i < scalarInputCount && r.in.ok(); i++) {
        scalarInput[i] = r.in.u64();
    }
    const std::span<const uint8_t> structureInput = r.in.bytes(ipc::kMaxStruct);
    const uint32_t scalarOutputMax = r.in.u32();
    const uint64_t structureOutputMax = r.in.u64();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (scalarOutputMax > ipc::kMaxScalars || structureOutputMax > ipc::kMaxStruct) {
        daemonLog("%s from pid %d: output limits above %u scalars or %u structure bytes", opName(r.op), r.task.pid(),
                  ipc::kMaxScalars, ipc::kMaxStruct);
        return kIOReturnMessageTooLarge;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    auto wakePort = portNamed(r, wakePortName);
    if (!wakePort) {
        return wakePort.error();
    }

    uint64_t scalarOutput[ipc::kMaxScalars] = {};
    IOExternalMethodArguments args = {};
    args.version = kIOExternalMethodArgumentsCurrentVersion;
    args.selector = selector;
    if (*wakePort) {
        reference[kIOAsyncReservedIndex] = reinterpret_cast<uintptr_t>(wakePort->get()) | kIOUCAsync64Flag;
        args.asyncWakePort = wakePort->get();
        args.asyncReference = reference;
        args.asyncReferenceCount = referenceCount;
    }
    args.scalarInput = scalarInput;
    args.scalarInputCount = scalarInputCount;
    args.scalarOutput = scalarOutput;
    args.scalarOutputCount = scalarOutputMax;

    // Structures above io_struct_inband_t travel out of line, as xnu's ool_input/ool_output: the
    // driver sees them as descriptors (§3.2). The input is a copy the driver may keep.
    OSSharedPtr<IOMemoryDescriptor> inputDescriptor;
    if (structureInput.size() > ipc::kMaxInlineStruct) {
        // withBytes returns a reference the holder adopts (OSPtr is the Create rule's pointer).
        inputDescriptor.reset(
            IOBufferMemoryDescriptor::withBytes(structureInput.data(), structureInput.size(), kIODirectionOut),
            OSNoRetain);
        if (!inputDescriptor) {
            return kIOReturnNoMemory;
        }
        args.structureInputDescriptor = inputDescriptor.get();
    } else {
        args.structureInput = structureInput.empty() ? nullptr : structureInput.data();
        args.structureInputSize = static_cast<uint32_t>(structureInput.size());
    }
    OSSharedPtr<IOBufferMemoryDescriptor> outputDescriptor;
    if (structureOutputMax > ipc::kMaxInlineStruct) {
        outputDescriptor.reset(IOBufferMemoryDescriptor::withCapacity(structureOutputMax, kIODirectionIn), OSNoRetain);
        if (!outputDescriptor) {
            return kIOReturnNoMemory;
        }
        args.structureOutputDescriptor = outputDescriptor.get();
        args.structureOutputDescriptorSize = static_cast<uint32_t>(structureOutputMax);
    } else {
        args.structureOutput = structureOutputMax ? tStructOutput.data() : nullptr;
        args.structureOutputSize = static_cast<uint32_t>(structureOutputMax);
    }

    const IOReturn result = callMethod(client->get(), selector, &args);
    if (*wakePort && result == kIOReturnSuccess) {
        wakePort->leak();  // the send right now belongs to the driver (releaseAsyncReference64)
    }
    // Apple's MIG reply carries the outputs whatever the result; IOKitLib copies them out.
    r.fieldsOnError = true;
    const uint32_t scalarOutputCount = std::min(args.scalarOutputCount, scalarOutputMax);
    r.out.u32(scalarOutputCount);
    for (uint32_t i = 0; i < scalarOutputCount; i++) {
        r.out.u64(scalarOutput[i]);
    }
    if (outputDescriptor) {
        // The bytes the driver reports in structureOutputDescriptorSize (xnu's *ool_output_size).
        const uint64_t size = std::min<uint64_t>(args.structureOutputDescriptorSize, structureOutputMax);
        std::vector<uint8_t>& buffer = r.out.buffer();
        const size_t lengthAt = buffer.size();
        r.out.u32(0);  // the length, patched once the bytes are copied
        buffer.resize(lengthAt + 4 + size);
        const IOByteCount copied = outputDescriptor->readBytes(0, buffer.data() + lengthAt + 4, size);
        buffer.resize(lengthAt + 4 + copied);
        for (int i = 0; i < 4; i++) {
            buffer[lengthAt + i] = static_cast<uint8_t>(static_cast<uint32_t>(copied) >> (8 * i));
        }
    } else {
        const uint32_t structureOutputSize = std::min<uint32_t>(args.structureOutputSize, structureOutputMax);
        r.out.bytes(tStructOutput.data(), structureOutputSize);
    }
    return result;
}

IOReturn connectSetNotificationPort(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint32_t type = r.in.u32();
    const mach_port_name_t portName = r.in.u32();
    const uint64_t reference = r.in.u64();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    auto port = portNamed(r, portName);
    if (!port) {
        return port.error();
    }
    const IOReturn result = setNotificationPort(client->get(), type, port->get(), reference);
    if (result == kIOReturnSuccess) {
        port->leak();  // released by the driver (releaseNotificationPort)
    }
    return result;
}

IOReturn connectGetService(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    IOService* service = nullptr;
    const IOReturn result = copyService(client->get(), &service);
    if (result != kIOReturnSuccess) {
        return result;
    }
    OSSharedPtr<IOService> held(service, OSNoRetain);
    r.out.u32(nameForObject(r, service));
    return kIOReturnSuccess;
}

IOReturn connectAddClient(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const mach_port_name_t otherName = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    auto other = lookupConnect(r, otherName);
    if (!other) {
        return other.error();
    }
    (*client)->ipcEnter(IOUserClient::kIPCLockWrite);
    const IOReturn result = (*client)->connectClient(other->get());
    (*client)->ipcExit(IOUserClient::kIPCLockWrite);
    return result;
}

// is_io_connect_map_memory_into_task: the kernel makes the mapping; the memory travels as a
// descriptor the client mmaps (MAP_SHARED), with the range and options to use.
IOReturn connectMapMemory(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint32_t memoryType = r.in.u32();
    const uint32_t options = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    auto mapping = mapClientMemory(client->get(), &r.task, memoryType, options);
    if (!mapping) {
        return mapping.error();
    }
    r.outFds.emplace_back(mapping->fd);
    r.out.u64(mapping->offset).u64(mapping->length).u32(mapping->options).u64(mapping->mapToken);
    return kIOReturnSuccess;
}

IOReturn connectUnmapMemory(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const uint32_t memoryType = r.in.u32();
    const uint64_t token = r.in.u64();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto client = lookupConnect(r, name);
    if (!client) {
        return client.error();
    }
    return unmapClientMemory(client->get(), &r.task, memoryType, token);
}

}  // namespace

void registerServiceHandlers(HandlerTable& t)
{
    auto set = [&](Op op, Handler h) { t[static_cast<uint16_t>(op)] = h; };
    set(Op::ServiceGetBusyState, serviceGetBusyState);
    set(Op::ServiceGetState, serviceGetState);
    set(Op::ServiceWaitQuiet, serviceWaitQuiet);
    set(Op::ServiceOpen, serviceOpen);
    set(Op::ServiceClose, serviceClose);
    set(Op::ConnectCallMethod, connectCallMethod);
    set(Op::ConnectSetNotificationPort, connectSetNotificationPort);
    set(Op::ConnectGetService, connectGetService);
    set(Op::ConnectAddClient, connectAddClient);
    set(Op::ConnectMapMemory, connectMapMemory);
    set(Op::ConnectUnmapMemory, connectUnmapMemory);
}

}  // namespace openiokit::daemon
