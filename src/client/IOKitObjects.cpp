// IOKitObjects.cpp: objects, iterators, matching and the registry (IOKitLib.h).
#include "ClientSupport.h"

#include <IOKit/IOKitKeys.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

extern "C" {

const mach_port_t kIOMainPortDefault = MACH_PORT_NULL;
const mach_port_t kIOMasterPortDefault = MACH_PORT_NULL;

kern_return_t IOMainPort(mach_port_t, mach_port_t* mainPort)
{
    if (!mainPort) {
        return KERN_INVALID_ARGUMENT;
    }
    *mainPort = kIOMainPortDefault;
    return KERN_SUCCESS;
}

kern_return_t IOMasterPort(mach_port_t bootstrapPort, mach_port_t* masterPort)
{
    return IOMainPort(bootstrapPort, masterPort);
}

// --- Objects -----------------------------------------------------------------------------------

kern_return_t IOObjectRelease(io_object_t object)
{
    return simpleCall(Op::ObjectRelease, object);
}

kern_return_t IOObjectRetain(io_object_t object)
{
    return simpleCall(Op::ObjectRetain, object);
}

kern_return_t IOObjectGetClass(io_object_t object, io_name_t className)
{
    Call call(Op::ObjectGetClass);
    call.w().u32(object);
    Reply reply = call.run();
    if (reply.ok()) {
        const std::string_view name = reply.fields.str(ipc::kMaxString);
        if (reply.fields.ok() && className) {
            copyOut(className, sizeof(io_name_t), name);
        }
    }
    return decodeError(reply);
}

CFStringRef IOObjectCopyClass(io_object_t object)
{
    io_name_t name;
    if (IOObjectGetClass(object, name) != kIOReturnSuccess) {
        return nullptr;
    }
    return CFStringCreateWithCString(kCFAllocatorDefault, name, kCFStringEncodingUTF8);
}

CFStringRef IOObjectCopySuperclassForClass(CFStringRef classname)
{
    if (!classname) {
        return nullptr;
    }
    Call call(Op::ObjectGetSuperclass);
    call.w().str(stringFromCF(classname));
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const std::string super(reply.fields.str(ipc::kMaxString));
    if (!reply.fields.ok() || super.empty()) {
        return nullptr;
    }
    return CFStringCreateWithCString(kCFAllocatorDefault, super.c_str(), kCFStringEncodingUTF8);
}

boolean_t IOObjectConformsTo(io_object_t object, const io_name_t className)
{
    Call call(Op::ObjectConformsTo);
    call.w().u32(object).str(text(className));
    Reply reply = call.run();
    if (!reply.ok()) {
        return false;
    }
    const uint32_t conforms = reply.fields.u32();
    return reply.fields.ok() && conforms;
}

boolean_t IOObjectIsEqualTo(io_object_t object, io_object_t anObject)
{
    // Names are per process and one object has one name, as Mach port names are.
    return object == anObject;
}

uint32_t IOObjectGetKernelRetainCount(io_object_t object)
{
    uint32_t count = 0;
    return callForU32(Op::ObjectGetRetainCount, object, &count) == kIOReturnSuccess ? count : 0;
}

uint32_t IOObjectGetRetainCount(io_object_t object)
{
    return IOObjectGetKernelRetainCount(object);
}

uint32_t IOObjectGetUserRetainCount(io_object_t object)
{
    // The name's user references (IOObjectRetain adds one, IOObjectRelease drops one).
    uint32_t count = 0;
    return callForU32(Op::ObjectGetUserRetainCount, object, &count) == kIOReturnSuccess ? count : 0;
}

// --- Iterators ---------------------------------------------------------------------------------

io_object_t IOIteratorNext(io_iterator_t iterator)
{
    uint32_t object = 0;
    return callForU32(Op::IteratorNext, iterator, &object) == kIOReturnSuccess ? object : IO_OBJECT_NULL;
}

void IOIteratorReset(io_iterator_t iterator)
{
    simpleCall(Op::IteratorReset, iterator);
}

boolean_t IOIteratorIsValid(io_iterator_t iterator)
{
    uint32_t valid = 0;
    return callForU32(Op::IteratorIsValid, iterator, &valid) == kIOReturnSuccess && valid;
}

// --- Matching ----------------------------------------------------------------------------------

kern_return_t IOServiceGetMatchingServices(mach_port_t, CFDictionaryRef matching, io_iterator_t* existing)
{
    if (!matching) {
        return kIOReturnBadArgument;
    }
    const std::string xml = serialize(matching);
    CFRelease(matching);  // consumed, even on failure
    if (xml.empty() || !existing) {
        return kIOReturnBadArgument;
    }
    Call call(Op::GetMatchingServices);
    call.w().str(xml);
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t iterator = reply.fields.u32();
        if (reply.fields.ok()) {
            *existing = iterator;
        }
    }
    return decodeError(reply);
}

io_service_t IOServiceGetMatchingService(mach_port_t, CFDictionaryRef matching)
{
    if (!matching) {
        return IO_OBJECT_NULL;
    }
    const std::string xml = serialize(matching);
    CFRelease(matching);
    if (xml.empty()) {
        return IO_OBJECT_NULL;
    }
    Call call(Op::GetMatchingService);
    call.w().str(xml);
    Reply reply = call.run();
    if (!reply.ok()) {
        return IO_OBJECT_NULL;
    }
    const uint32_t service = reply.fields.u32();
    return reply.fields.ok() ? service : IO_OBJECT_NULL;
}

static CFMutableDictionaryRef matchingWithString(const char* key, const char* value)
{
    if (!value) {
        return nullptr;
    }
    CFMutableDictionaryRef dict =
        CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    CFStringRef k = CFStringCreateWithCString(kCFAllocatorDefault, key, kCFStringEncodingUTF8);
    CFStringRef v = CFStringCreateWithCString(kCFAllocatorDefault, value, kCFStringEncodingUTF8);
    if (dict && k && v) {
        CFDictionarySetValue(dict, k, v);
    }
    if (k) {
        CFRelease(k);
    }
    if (v) {
        CFRelease(v);
    }
    return dict;
}

CFMutableDictionaryRef IOServiceMatching(const char* name)
{
    return matchingWithString(kIOProviderClassKey, name);
}

CFMutableDictionaryRef IOServiceNameMatching(const char* name)
{
    return matchingWithString(kIONameMatchKey, name);
}

CFMutableDictionaryRef IOBSDNameMatching(mach_port_t, uint32_t, const char* bsdName)
{
    return matchingWithString("BSD Name", bsdName);
}

CFMutableDictionaryRef IORegistryEntryIDMatching(uint64_t entryID)
{
    CFMutableDictionaryRef dict =
        CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks);
    CFNumberRef number = CFNumberCreate(kCFAllocatorDefault, kCFNumberSInt64Type, &entryID);
    if (dict && number) {
        CFDictionarySetValue(dict, CFSTR(kIORegistryEntryIDKey), number);
    }
    if (number) {
        CFRelease(number);
    }
    return dict;
}

kern_return_t IOServiceMatchPropertyTable(io_service_t service, CFDictionaryRef matching, boolean_t* matches)
{
    // As IOKitUser: `matching` is not consumed; the kernel answers with the service's passiveMatch.
    if (!matching || !matches) {
        return kIOReturnBadArgument;
    }
    const std::string xml = serialize(matching);
    if (xml.empty()) {
        return kIOReturnBadArgument;
    }
    Call call(Op::ServiceMatchPropertyTable);
    call.w().u32(service).str(xml);
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t matched = reply.fields.u32();
        if (reply.fields.ok()) {
            *matches = matched != 0;
        }
    }
    return decodeError(reply);
}

// --- Busy state --------------------------------------------------------------------------------

kern_return_t IOServiceGetBusyState(io_service_t service, uint32_t* busyState)
{
    if (!service || !busyState) {
        return kIOReturnBadArgument;
    }
    return callForU32(Op::ServiceGetBusyState, service, busyState);
}

kern_return_t IOKitGetBusyState(mach_port_t, uint32_t* busyState)
{
    if (!busyState) {
        return kIOReturnBadArgument;
    }
    return callForU32(Op::ServiceGetBusyState, 0, busyState);
}

static kern_return_t waitQuiet(uint32_t service, mach_timespec_t* waitTime)
{
    uint64_t timeout = UINT64_MAX;
    if (waitTime) {
        timeout = static_cast<uint64_t>(waitTime->tv_sec) * 1'000'000'000ull + waitTime->tv_nsec;
    }
    Call call(Op::ServiceWaitQuiet);
    call.w().u32(service).u64(timeout);
    return call.run().result;
}

kern_return_t IOServiceWaitQuiet(io_service_t service, mach_timespec_t* waitTime)
{
    if (!service) {
        return kIOReturnBadArgument;
    }
    return waitQuiet(service, waitTime);
}

kern_return_t IOKitWaitQuiet(mach_port_t, mach_timespec_t* waitTime)
{
    return waitQuiet(0, waitTime);
}

// --- Registry ----------------------------------------------------------------------------------

io_registry_entry_t IORegistryGetRootEntry(mach_port_t)
{
    Call call(Op::RegistryGetRoot);
    Reply reply = call.run();
    if (!reply.ok()) {
        return IO_OBJECT_NULL;
    }
    const uint32_t root = reply.fields.u32();
    return reply.fields.ok() ? root : IO_OBJECT_NULL;
}

io_registry_entry_t IORegistryEntryFromPath(mach_port_t, const io_string_t path)
{
    Call call(Op::RegistryEntryFromPath);
    call.w().str(text(path));
    Reply reply = call.run();
    if (!reply.ok()) {
        return IO_OBJECT_NULL;
    }
    const uint32_t entry = reply.fields.u32();
    return reply.fields.ok() ? entry : IO_OBJECT_NULL;
}

io_registry_entry_t IORegistryEntryCopyFromPath(mach_port_t mainPort, CFStringRef path)
{
    const std::string p = stringFromCF(path);
    io_string_t buffer;
    copyOut(buffer, p);
    return IORegistryEntryFromPath(mainPort, buffer);
}

// Requests of the shape (u32 entry, str plane) -> str.
static kern_return_t entryString(Op op, io_registry_entry_t entry, const char* plane, char* out, size_t capacity)
{
    Call call(op);
    call.w().u32(entry).str(text(plane));
    Reply reply = call.run();
    if (reply.ok()) {
        const std::string_view value = reply.fields.str(ipc::kMaxString);
        if (reply.fields.ok() && out) {
            copyOut(out, capacity, value);
        }
    }
    return decodeError(reply);
}

kern_return_t IORegistryEntryGetName(io_registry_entry_t entry, io_name_t name)
{
    return entryString(Op::RegistryEntryGetName, entry, "", name, sizeof(io_name_t));
}

kern_return_t IORegistryEntryGetNameInPlane(io_registry_entry_t entry, const io_name_t plane, io_name_t name)
{
    return entryString(Op::RegistryEntryGetName, entry, plane, name, sizeof(io_name_t));
}

kern_return_t IORegistryEntryGetLocationInPlane(io_registry_entry_t entry, const io_name_t plane, io_name_t location)
{
    return entryString(Op::RegistryEntryGetLocation, entry, plane, location, sizeof(io_name_t));
}

kern_return_t IORegistryEntryGetPath(io_registry_entry_t entry, const io_name_t plane, io_string_t path)
{
    return entryString(Op::RegistryEntryGetPath, entry, plane ? plane : kIOServicePlane, path, sizeof(io_string_t));
}

CFStringRef IORegistryEntryCopyPath(io_registry_entry_t entry, const io_name_t plane)
{
    io_string_t path;
    if (IORegistryEntryGetPath(entry, plane, path) != kIOReturnSuccess) {
        return nullptr;
    }
    return CFStringCreateWithCString(kCFAllocatorDefault, path, kCFStringEncodingUTF8);
}

kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t entry, uint64_t* entryID)
{
    Call call(Op::RegistryEntryGetID);
    call.w().u32(entry);
    Reply reply = call.run();
    uint64_t id = 0;
    if (reply.ok()) {
        id = reply.fields.u64();
    }
    if (entryID) {
        *entryID = reply.ok() && reply.fields.ok() ? id : 0;
    }
    return decodeError(reply);
}

// Requests of the shape (u32 entry, str plane) -> u32 name.
static kern_return_t entryName(Op op, io_registry_entry_t entry, const char* plane, io_object_t* out)
{
    if (!out) {
        return kIOReturnBadArgument;
    }
    Call call(op);
    call.w().u32(entry).str(text(plane));
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *out = name;
        }
    }
    return decodeError(reply);
}

kern_return_t IORegistryEntryGetChildIterator(io_registry_entry_t entry, const io_name_t plane, io_iterator_t* iterator)
{
    return entryName(Op::RegistryEntryGetChildIterator, entry, plane, iterator);
}

kern_return_t IORegistryEntryGetParentIterator(io_registry_entry_t entry, const io_name_t plane, io_iterator_t* iterator)
{
    return entryName(Op::RegistryEntryGetParentIterator, entry, plane, iterator);
}

kern_return_t IORegistryEntryGetChildEntry(io_registry_entry_t entry, const io_name_t plane, io_registry_entry_t* child)
{
    return entryName(Op::RegistryEntryGetChildEntry, entry, plane, child);
}

kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t entry, const io_name_t plane,
                                            io_registry_entry_t* parent)
{
    return entryName(Op::RegistryEntryGetParentEntry, entry, plane, parent);
}

boolean_t IORegistryEntryInPlane(io_registry_entry_t entry, const io_name_t plane)
{
    io_object_t inPlane = 0;
    return entryName(Op::RegistryEntryInPlane, entry, plane, &inPlane) == kIOReturnSuccess && inPlane;
}

kern_return_t IORegistryEntryCreateIterator(io_registry_entry_t entry, const io_name_t plane, IOOptionBits options,
                                            io_iterator_t* iterator)
{
    if (!iterator) {
        return kIOReturnBadArgument;
    }
    Call call(Op::RegistryEntryCreateIterator);
    call.w().u32(entry).str(text(plane)).u32(options);
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *iterator = name;
        }
    }
    return decodeError(reply);
}

kern_return_t IORegistryCreateIterator(mach_port_t, const io_name_t plane, IOOptionBits options, io_iterator_t* iterator)
{
    if (!iterator) {
        return kIOReturnBadArgument;
    }
    Call call(Op::RegistryCreateIterator);
    call.w().str(text(plane)).u32(options);
    Reply reply = call.run();
    if (reply.ok()) {
        const uint32_t name = reply.fields.u32();
        if (reply.fields.ok()) {
            *iterator = name;
        }
    }
    return decodeError(reply);
}

kern_return_t IORegistryIteratorEnterEntry(io_iterator_t iterator)
{
    return simpleCall(Op::IteratorEnterEntry, iterator);
}

kern_return_t IORegistryIteratorExitEntry(io_iterator_t iterator)
{
    return simpleCall(Op::IteratorExitEntry, iterator);
}

// --- Properties --------------------------------------------------------------------------------

CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t entry, CFStringRef key, CFAllocatorRef allocator,
                                          IOOptionBits)
{
    if (!key) {
        return nullptr;
    }
    Call call(Op::RegistryEntryCopyProperty);
    call.w().u32(entry).str(stringFromCF(key));
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const std::string_view xml = reply.fields.str(ipc::kMaxOutOfLinePayload);
    return reply.fields.ok() ? unserialize(xml, allocator) : nullptr;
}

CFTypeRef IORegistryEntrySearchCFProperty(io_registry_entry_t entry, const io_name_t plane, CFStringRef key,
                                          CFAllocatorRef allocator, IOOptionBits options)
{
    if (!key) {
        return nullptr;
    }
    Call call(Op::RegistryEntrySearchProperty);
    call.w().u32(entry).str(text(plane)).str(stringFromCF(key)).u32(options);
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const std::string_view xml = reply.fields.str(ipc::kMaxOutOfLinePayload);
    return reply.fields.ok() ? unserialize(xml, allocator) : nullptr;
}

kern_return_t IORegistryEntryCreateCFProperties(io_registry_entry_t entry, CFMutableDictionaryRef* properties,
                                                CFAllocatorRef allocator, IOOptionBits)
{
    if (!properties) {
        return kIOReturnBadArgument;
    }
    *properties = nullptr;
    Call call(Op::RegistryEntryCopyProperties);
    call.w().u32(entry);
    Reply reply = call.run();
    if (!reply.ok()) {
        return reply.result;
    }
    const std::string_view xml = reply.fields.str(ipc::kMaxOutOfLinePayload);
    if (!reply.fields.ok()) {
        return kIOReturnIPCError;
    }
    CFTypeRef object = unserialize(xml, allocator);
    if (!object || CFGetTypeID(object) != CFDictionaryGetTypeID()) {
        if (object) {
            CFRelease(object);
        }
        return kIOReturnIPCError;
    }
    *properties = CFDictionaryCreateMutableCopy(allocator, 0, static_cast<CFDictionaryRef>(object));
    CFRelease(object);
    return *properties ? kIOReturnSuccess : kIOReturnNoMemory;
}

kern_return_t IORegistryEntrySetCFProperties(io_registry_entry_t entry, CFTypeRef properties)
{
    const std::string xml = serialize(properties);
    if (xml.empty()) {
        return kIOReturnBadArgument;
    }
    Call call(Op::RegistryEntrySetProperties);
    call.w().u32(entry).str(xml);
    return call.run().result;
}

kern_return_t IORegistryEntrySetCFProperty(io_registry_entry_t entry, CFStringRef propertyName, CFTypeRef property)
{
    if (!propertyName || !property) {
        return kIOReturnBadArgument;
    }
    const void* keys[] = {propertyName};
    const void* values[] = {property};
    CFDictionaryRef dict = CFDictionaryCreate(kCFAllocatorDefault, keys, values, 1, &kCFTypeDictionaryKeyCallBacks,
                                              &kCFTypeDictionaryValueCallBacks);
    const kern_return_t kr = IORegistryEntrySetCFProperties(entry, dict);
    CFRelease(dict);
    return kr;
}

// --- Catalogue ---------------------------------------------------------------------------------

kern_return_t IOCatalogueTerminate(mach_port_t, uint32_t flag, io_name_t description)
{
    Call call(Op::CatalogueTerminate);
    call.w().u32(flag).str(text(description));
    return call.run().result;
}

}  // extern "C"
