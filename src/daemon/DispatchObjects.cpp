// DispatchObjects.cpp: objects, iterators, matching and registry requests (is_io_object_*,
// is_io_iterator_*, is_io_service_get_matching_service(s), is_io_registry_entry_*).
#include "DaemonLog.h"
#include "Dispatcher.h"
#include "UserIterator.h"
#include "XMLBridge.h"

#include <IOKit/IOService.h>
#include <IOKit/IOKitKeys.h>
#include <libkern/c++/OSContainers.h>

namespace openiokit::daemon {

namespace {

using ipc::Op;
constexpr size_t kMaxName = 128;  // io_name_t
constexpr size_t kMaxPath = 512;  // io_string_t

// The matching dictionary in a request, or kIOReturnBadArgument with the parser's reason logged.
std::expected<OSSharedPtr<OSDictionary>, IOReturn> matchingFrom(Request& r, std::string_view xml)
{
    auto parsed = parseXML(xml);
    if (!parsed) {
        daemonLog("%s from pid %d: matching dictionary does not parse: %s", opName(r.op), r.task.pid(),
                  parsed.error().c_str());
        return std::unexpected(kIOReturnBadArgument);
    }
    auto* dict = OSDynamicCast(OSDictionary, parsed->get());
    if (!dict) {
        daemonLog("%s from pid %d: matching is not a dictionary", opName(r.op), r.task.pid());
        return std::unexpected(kIOReturnBadArgument);
    }
    return OSSharedPtr<OSDictionary>(dict, OSRetain);
}

mach_port_name_t nameForIterator(Request& r, OSIterator* iterator)
{
    return r.task.handles().insertIterator(
        std::make_shared<KernelIterator>(OSSharedPtr<OSIterator>(iterator, OSNoRetain)));
}

IOReturn objectRelease(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    return r.task.releaseName(name);
}

IOReturn objectRetain(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    return r.task.handles().retain(name);
}

// Any live name that holds an OSObject (registry entries, connections).
std::expected<OSSharedPtr<OSObject>, IOReturn> lookupAnyObject(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    if (entry->kind == HandleKind::Iterator || entry->kind == HandleKind::Notification) {
        // Apple's iterators and notifications are OSObjects too; report their kernel classes.
        return std::unexpected(kIOReturnBadArgument);
    }
    if (!entry->object) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return entry->object;
}

IOReturn objectGetClass(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = r.task.handles().lookup(name);
    if (!entry) {
        return entry.error();
    }
    if (entry->kind == HandleKind::Iterator) {
        r.out.str("IOUserIterator");
        return kIOReturnSuccess;
    }
    if (entry->kind == HandleKind::Notification) {
        r.out.str("IOServiceMessageUserNotification");
        return kIOReturnSuccess;
    }
    if (!entry->object) {
        return kIOReturnBadArgument;
    }
    r.out.str(entry->object->getMetaClass()->getClassName());
    return kIOReturnSuccess;
}

IOReturn objectConformsTo(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string className = r.in.cstr(kMaxName);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto object = lookupAnyObject(r, name);
    if (!object) {
        return object.error();
    }
    r.out.u32(OSMetaClass::checkMetaCastWithName(className.c_str(), object->get()) != nullptr);
    return kIOReturnSuccess;
}

IOReturn objectGetRetainCount(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto object = lookupAnyObject(r, name);
    if (!object) {
        return object.error();
    }
    // The count includes the reference this lookup holds, as xnu's includes the port's.
    r.out.u32(static_cast<uint32_t>((*object)->getRetainCount() - 1));
    return kIOReturnSuccess;
}

// A name's user references, as mach_port_get_refs reports a send right's (IOObjectRetain adds
// one, IOObjectRelease drops one).
IOReturn objectGetUserRetainCount(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = r.task.handles().lookup(name);
    if (!entry) {
        return entry.error();
    }
    r.out.u32(entry->userReferences);
    return kIOReturnSuccess;
}

IOReturn objectGetSuperclass(Request& r)
{
    const std::string className = r.in.cstr(kMaxName);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    const OSMetaClass* meta = OSMetaClass::getMetaClassWithName(className.c_str());
    if (!meta) {
        return kIOReturnNotFound;
    }
    const OSMetaClass* super = meta->getSuperClass();
    r.out.str(super ? super->getClassName() : "");
    return kIOReturnSuccess;
}

std::expected<std::shared_ptr<UserIterator>, IOReturn> lookupIterator(Request& r, mach_port_name_t name)
{
    auto entry = r.task.handles().lookup(name, HandleKind::Iterator);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    return entry->iterator;
}

IOReturn iteratorNext(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto iterator = lookupIterator(r, name);
    if (!iterator) {
        return iterator.error();
    }
    OSSharedPtr<OSObject> next = (*iterator)->next();
    r.out.u32(nameForObject(r, next.get()));
    return kIOReturnSuccess;
}

IOReturn iteratorReset(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto iterator = lookupIterator(r, name);
    if (!iterator) {
        return iterator.error();
    }
    (*iterator)->reset();
    return kIOReturnSuccess;
}

IOReturn iteratorIsValid(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto iterator = lookupIterator(r, name);
    if (!iterator) {
        return iterator.error();
    }
    r.out.u32((*iterator)->isValid());
    return kIOReturnSuccess;
}

IOReturn iteratorEnterExit(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto iterator = lookupIterator(r, name);
    if (!iterator) {
        return iterator.error();
    }
    return r.op == static_cast<uint16_t>(Op::IteratorEnterEntry) ? (*iterator)->enterEntry()
                                                                  : (*iterator)->exitEntry();
}

IOReturn getMatchingServices(Request& r)
{
    const std::string_view xml = r.in.str(ipc::kMaxOutOfLinePayload);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto matching = matchingFrom(r, xml);
    if (!matching) {
        return matching.error();
    }
    OSIterator* iterator = IOService::getMatchingServices(matching->get());
    if (!iterator) {
        return kIOReturnNoMemory;
    }
    r.out.u32(nameForIterator(r, iterator));
    return kIOReturnSuccess;
}

IOReturn getMatchingService(Request& r)
{
    const std::string_view xml = r.in.str(ipc::kMaxOutOfLinePayload);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto matching = matchingFrom(r, xml);
    if (!matching) {
        return matching.error();
    }
    OSSharedPtr<IOService> service(IOService::copyMatchingService(matching->get()), OSNoRetain);
    if (!service) {
        return kIOReturnNotFound;
    }
    r.out.u32(nameForObject(r, service.get()));
    return kIOReturnSuccess;
}

// is_io_service_match_property_table_bin: the kernel's passive match of one service.
IOReturn serviceMatchPropertyTable(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string_view xml = r.in.str(ipc::kMaxOutOfLinePayload);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto service = lookupService(r, name);
    if (!service) {
        return service.error();
    }
    auto matching = matchingFrom(r, xml);
    if (!matching) {
        return matching.error();
    }
    r.out.u32((*service)->passiveMatch(matching->get()) ? 1 : 0);
    return kIOReturnSuccess;
}

// --- Registry ----------------------------------------------------------------------------------

IOReturn registryGetRoot(Request& r)
{
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    r.out.u32(nameForObject(r, IORegistryEntry::getRegistryRoot()));
    return kIOReturnSuccess;
}

IOReturn registryEntryFromPath(Request& r)
{
    const std::string path = r.in.cstr(kMaxPath);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<IORegistryEntry> entry(IORegistryEntry::fromPath(path.c_str()), OSNoRetain);
    r.out.u32(nameForObject(r, entry.get()));
    return kIOReturnSuccess;
}

// The entry and plane most registry requests start with.
struct EntryAndPlane {
    OSSharedPtr<IORegistryEntry> entry;
    const IORegistryPlane* plane;
};

std::expected<EntryAndPlane, IOReturn> entryAndPlane(Request& r, bool planeRequired)
{
    const mach_port_name_t name = r.in.u32();
    const std::string planeName = r.in.cstr(kMaxName);
    if (!r.decoded()) {
        return std::unexpected(kIOReturnBadArgument);
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return std::unexpected(entry.error());
    }
    const IORegistryPlane* plane = planeName.empty() && !planeRequired ? nullptr : planeNamed(planeName);
    if ((planeRequired || !planeName.empty()) && !plane) {
        return std::unexpected(kIOReturnBadArgument);
    }
    return EntryAndPlane{std::move(*entry), plane};
}

IOReturn registryEntryGetName(Request& r)
{
    auto e = entryAndPlane(r, false);
    if (!e) {
        return e.error();
    }
    r.out.str(e->entry->getName(e->plane));
    return kIOReturnSuccess;
}

IOReturn registryEntryGetLocation(Request& r)
{
    auto e = entryAndPlane(r, false);
    if (!e) {
        return e.error();
    }
    const char* location = e->entry->getLocation(e->plane);
    if (!location) {
        return kIOReturnNotFound;
    }
    r.out.str(location);
    return kIOReturnSuccess;
}

IOReturn registryEntryGetPath(Request& r)
{
    auto e = entryAndPlane(r, true);
    if (!e) {
        return e.error();
    }
    char path[kMaxPath];
    int length = sizeof(path);
    if (!e->entry->getPath(path, &length, e->plane)) {
        return kIOReturnBadArgument;
    }
    r.out.str(path);
    return kIOReturnSuccess;
}

IOReturn registryEntryGetID(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    r.out.u64((*entry)->getRegistryEntryID());
    return kIOReturnSuccess;
}

IOReturn registryEntryIterator(Request& r)
{
    auto e = entryAndPlane(r, true);
    if (!e) {
        return e.error();
    }
    OSIterator* iterator = r.op == static_cast<uint16_t>(Op::RegistryEntryGetChildIterator)
                               ? e->entry->getChildIterator(e->plane)
                               : e->entry->getParentIterator(e->plane);
    if (!iterator) {
        return kIOReturnNoMemory;
    }
    r.out.u32(nameForIterator(r, iterator));
    return kIOReturnSuccess;
}

IOReturn registryEntryRelative(Request& r)
{
    auto e = entryAndPlane(r, true);
    if (!e) {
        return e.error();
    }
    OSSharedPtr<IORegistryEntry> other(r.op == static_cast<uint16_t>(Op::RegistryEntryGetParentEntry)
                                           ? e->entry->copyParentEntry(e->plane)
                                           : e->entry->copyChildEntry(e->plane),
                                       OSNoRetain);
    if (!other) {
        return kIOReturnNoDevice;
    }
    r.out.u32(nameForObject(r, other.get()));
    return kIOReturnSuccess;
}

IOReturn registryEntryCreateIterator(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string planeName = r.in.cstr(kMaxName);
    const uint32_t options = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    const IORegistryPlane* plane = planeNamed(planeName);
    if (!plane) {
        return kIOReturnBadArgument;
    }
    IORegistryIterator* iterator = IORegistryIterator::iterateOver(entry->get(), plane, options);
    if (!iterator) {
        return kIOReturnBadArgument;
    }
    r.out.u32(nameForIterator(r, iterator));
    return kIOReturnSuccess;
}

IOReturn registryCreateIterator(Request& r)
{
    const std::string planeName = r.in.cstr(kMaxName);
    const uint32_t options = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    const IORegistryPlane* plane = planeNamed(planeName);
    if (!plane) {
        return kIOReturnBadArgument;
    }
    IORegistryIterator* iterator = IORegistryIterator::iterateOver(plane, options);
    if (!iterator) {
        return kIOReturnBadArgument;
    }
    r.out.u32(nameForIterator(r, iterator));
    return kIOReturnSuccess;
}

IOReturn registryEntryInPlane(Request& r)
{
    auto e = entryAndPlane(r, false);
    if (!e) {
        return e.error();
    }
    r.out.u32(e->entry->inPlane(e->plane));
    return kIOReturnSuccess;
}

IOReturn registryEntryCopyProperty(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string key = r.in.cstr(ipc::kMaxString);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    OSSharedPtr<OSObject> value((*entry)->copyProperty(key.c_str()), OSNoRetain);
    if (!value) {
        return kIOReturnNotFound;
    }
    const std::string xml = serializeXML(value.get());
    if (xml.empty()) {
        return kIOReturnUnsupported;  // not serializable
    }
    r.out.str(xml);
    return kIOReturnSuccess;
}

IOReturn registryEntryCopyProperties(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    OSSharedPtr<OSSerialize> s(OSSerialize::withCapacity(4096), OSNoRetain);
    if (!s || !(*entry)->serializeProperties(s.get())) {
        return kIOReturnUnsupported;
    }
    r.out.str(s->text());
    return kIOReturnSuccess;
}

IOReturn registryEntrySearchProperty(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string planeName = r.in.cstr(kMaxName);
    const std::string key = r.in.cstr(ipc::kMaxString);
    const uint32_t options = r.in.u32();
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    const IORegistryPlane* plane = planeNamed(planeName);
    if (!plane) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<OSObject> value((*entry)->copyProperty(key.c_str(), plane, options), OSNoRetain);
    if (!value) {
        return kIOReturnNotFound;
    }
    const std::string xml = serializeXML(value.get());
    if (xml.empty()) {
        return kIOReturnUnsupported;
    }
    r.out.str(xml);
    return kIOReturnSuccess;
}

IOReturn registryEntrySetProperties(Request& r)
{
    const mach_port_name_t name = r.in.u32();
    const std::string_view xml = r.in.str(ipc::kMaxOutOfLinePayload);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    auto entry = lookupEntry(r, name);
    if (!entry) {
        return entry.error();
    }
    auto properties = parseXML(xml);
    if (!properties) {
        daemonLog("SetProperties from pid %d: properties do not parse: %s", r.task.pid(),
                  properties.error().c_str());
        return kIOReturnBadArgument;
    }
    return (*entry)->setProperties(properties->get());
}

}  // namespace

void registerObjectHandlers(HandlerTable& t)
{
    auto set = [&](Op op, Handler h) { t[static_cast<uint16_t>(op)] = h; };
    set(Op::ObjectRelease, objectRelease);
    set(Op::ObjectRetain, objectRetain);
    set(Op::ObjectGetClass, objectGetClass);
    set(Op::ObjectConformsTo, objectConformsTo);
    set(Op::ObjectGetRetainCount, objectGetRetainCount);
    set(Op::ObjectGetSuperclass, objectGetSuperclass);
    set(Op::ObjectGetUserRetainCount, objectGetUserRetainCount);
    set(Op::IteratorNext, iteratorNext);
    set(Op::IteratorReset, iteratorReset);
    set(Op::IteratorIsValid, iteratorIsValid);
    set(Op::IteratorEnterEntry, iteratorEnterExit);
    set(Op::IteratorExitEntry, iteratorEnterExit);
    set(Op::GetMatchingServices, getMatchingServices);
    set(Op::GetMatchingService, getMatchingService);
    set(Op::ServiceMatchPropertyTable, serviceMatchPropertyTable);
    set(Op::RegistryGetRoot, registryGetRoot);
    set(Op::RegistryEntryFromPath, registryEntryFromPath);
    set(Op::RegistryEntryGetName, registryEntryGetName);
    set(Op::RegistryEntryGetLocation, registryEntryGetLocation);
    set(Op::RegistryEntryGetPath, registryEntryGetPath);
    set(Op::RegistryEntryGetID, registryEntryGetID);
    set(Op::RegistryEntryGetChildIterator, registryEntryIterator);
    set(Op::RegistryEntryGetParentIterator, registryEntryIterator);
    set(Op::RegistryEntryGetParentEntry, registryEntryRelative);
    set(Op::RegistryEntryGetChildEntry, registryEntryRelative);
    set(Op::RegistryEntryCreateIterator, registryEntryCreateIterator);
    set(Op::RegistryCreateIterator, registryCreateIterator);
    set(Op::RegistryEntryInPlane, registryEntryInPlane);
    set(Op::RegistryEntryCopyProperty, registryEntryCopyProperty);
    set(Op::RegistryEntryCopyProperties, registryEntryCopyProperties);
    set(Op::RegistryEntrySearchProperty, registryEntrySearchProperty);
    set(Op::RegistryEntrySetProperties, registryEntrySetProperties);
}

}  // namespace openiokit::daemon
