// Dispatcher.cpp: the handler table and the lookups every handler shares (see Dispatcher.h).
#include "Dispatcher.h"

#include "DaemonLog.h"

#include <IOKit/IOService.h>
#include <IOKit/IOUserClient.h>

namespace openiokit::daemon {

namespace {

const HandlerTable& table()
{
    static const HandlerTable handlers = [] {
        HandlerTable t{};
        registerObjectHandlers(t);
        registerServiceHandlers(t);
        registerNotificationHandlers(t);
        registerKextHandlers(t);
        registerDiagnosticHandlers(t);
        registerPowerHandlers(t);
        return t;
    }();
    return handlers;
}

}  // namespace

Handler handlerFor(uint16_t op)
{
    return op < table().size() ? table()[op] : nullptr;
}

const char* opName(uint16_t op)
{
    using ipc::Op;
    switch (static_cast<Op>(op)) {
#define OPENIOKIT_OP_NAME(x) \
    case Op::x:              \
        return #x;
        OPENIOKIT_OP_NAME(Hello)
        OPENIOKIT_OP_NAME(AttachChannel)
        OPENIOKIT_OP_NAME(ObjectRelease)
        OPENIOKIT_OP_NAME(ObjectRetain)
        OPENIOKIT_OP_NAME(ObjectGetClass)
        OPENIOKIT_OP_NAME(ObjectConformsTo)
        OPENIOKIT_OP_NAME(ObjectGetRetainCount)
        OPENIOKIT_OP_NAME(ObjectGetSuperclass)
        OPENIOKIT_OP_NAME(ObjectGetUserRetainCount)
        OPENIOKIT_OP_NAME(IteratorNext)
        OPENIOKIT_OP_NAME(IteratorReset)
        OPENIOKIT_OP_NAME(IteratorIsValid)
        OPENIOKIT_OP_NAME(GetMatchingServices)
        OPENIOKIT_OP_NAME(GetMatchingService)
        OPENIOKIT_OP_NAME(RegistryGetRoot)
        OPENIOKIT_OP_NAME(RegistryEntryFromPath)
        OPENIOKIT_OP_NAME(RegistryEntryGetName)
        OPENIOKIT_OP_NAME(RegistryEntryGetLocation)
        OPENIOKIT_OP_NAME(RegistryEntryGetPath)
        OPENIOKIT_OP_NAME(RegistryEntryGetID)
        OPENIOKIT_OP_NAME(RegistryEntryGetChildIterator)
        OPENIOKIT_OP_NAME(RegistryEntryGetParentIterator)
        OPENIOKIT_OP_NAME(RegistryEntryGetParentEntry)
        OPENIOKIT_OP_NAME(RegistryEntryGetChildEntry)
        OPENIOKIT_OP_NAME(RegistryEntryCreateIterator)
        OPENIOKIT_OP_NAME(RegistryEntryInPlane)
        OPENIOKIT_OP_NAME(RegistryEntryCopyProperty)
        OPENIOKIT_OP_NAME(RegistryEntryCopyProperties)
        OPENIOKIT_OP_NAME(RegistryEntrySearchProperty)
        OPENIOKIT_OP_NAME(RegistryEntrySetProperties)
        OPENIOKIT_OP_NAME(RegistryCreateIterator)
        OPENIOKIT_OP_NAME(IteratorEnterEntry)
        OPENIOKIT_OP_NAME(IteratorExitEntry)
        OPENIOKIT_OP_NAME(ServiceGetBusyState)
        OPENIOKIT_OP_NAME(ServiceGetState)
        OPENIOKIT_OP_NAME(ServiceWaitQuiet)
        OPENIOKIT_OP_NAME(ServiceOpen)
        OPENIOKIT_OP_NAME(ServiceMatchPropertyTable)
        OPENIOKIT_OP_NAME(ServiceClose)
        OPENIOKIT_OP_NAME(ServiceRequestProbe)
        OPENIOKIT_OP_NAME(ConnectCallMethod)
        OPENIOKIT_OP_NAME(ConnectSetNotificationPort)
        OPENIOKIT_OP_NAME(ConnectGetService)
        OPENIOKIT_OP_NAME(ConnectMapMemory)
        OPENIOKIT_OP_NAME(ConnectUnmapMemory)
        OPENIOKIT_OP_NAME(ConnectAddClient)
        OPENIOKIT_OP_NAME(PortCreate)
        OPENIOKIT_OP_NAME(PortDestroy)
        OPENIOKIT_OP_NAME(AddInterestNotification)
        OPENIOKIT_OP_NAME(AddMatchingNotification)
        OPENIOKIT_OP_NAME(CatalogueTerminate)
        OPENIOKIT_OP_NAME(KextLoadWithPath)
        OPENIOKIT_OP_NAME(KextLoadWithIdentifier)
        OPENIOKIT_OP_NAME(KextUnload)
        OPENIOKIT_OP_NAME(KextCopyLoadedInfo)
        OPENIOKIT_OP_NAME(LogRead)
        OPENIOKIT_OP_NAME(ClassCounts)
        OPENIOKIT_OP_NAME(SystemPower)
#undef OPENIOKIT_OP_NAME
    }
    return "unknown";
}

bool Request::decoded()
{
    if (in.finished() && fds.empty()) {
        return true;
    }
    daemonLog("malformed %s request from pid %d (%s): %s", opName(op), task.pid(), task.name().c_str(),
              !in.ok()           ? "a field is truncated or too long"
              : in.remaining()   ? "bytes left over after the last field"
                                 : "unexpected descriptors attached");
    return false;
}

std::expected<OSSharedPtr<IORegistryEntry>, IOReturn> lookupEntry(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    if (entry->kind != HandleKind::Object && entry->kind != HandleKind::Connect) {
        return std::unexpected(kIOReturnBadArgument);
    }
    auto* registryEntry = OSDynamicCast(IORegistryEntry, entry->object.get());
    if (!registryEntry) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return OSSharedPtr<IORegistryEntry>(registryEntry, OSRetain);
}

std::expected<OSSharedPtr<IOService>, IOReturn> lookupService(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name, HandleKind::Object);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    auto* service = OSDynamicCast(IOService, entry->object.get());
    if (!service) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return OSSharedPtr<IOService>(service, OSRetain);
}

std::expected<OSSharedPtr<IOUserClient>, IOReturn> lookupConnect(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name, HandleKind::Connect);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    auto* client = OSDynamicCast(IOUserClient, entry->object.get());
    if (!client) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return OSSharedPtr<IOUserClient>(client, OSRetain);
}

const IORegistryPlane* planeNamed(std::string_view name)
{
    if (name.empty()) {
        return gIOServicePlane;
    }
    return IORegistryEntry::getPlane(std::string(name).c_str());
}

mach_port_name_t nameForObject(Request& r, OSObject* object)
{
    return object ? r.task.handles().insertObject(object, HandleKind::Object) : 0;
}

}  // namespace openiokit::daemon
