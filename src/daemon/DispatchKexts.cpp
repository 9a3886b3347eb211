// DispatchKexts.cpp: kext requests and IOCatalogueTerminate. All need administrator privilege
// (uid 0), decided from the caller's peer credentials: xnu's kext_request requires host-priv,
// is_io_catalog_terminate clientHasPrivilege(kIOClientPrivilegeAdministrator) (§1.2, §1.3).
// Kext replies always carry the loader's sentence, so tools print what the kernel said.
#include "DaemonLog.h"
#include "Dispatcher.h"
#include "XMLBridge.h"

#include <IOKit/IOUserClient.h>
#include <libkern/OSKextLib.h>
#include <libkern/c++/OSContainers.h>
#include <openiokit/Kexts.h>

namespace openiokit::daemon {

namespace {

using ipc::Op;

bool isAdministrator(Request& r)
{
    return IOUserClient::clientHasPrivilege(&r.task, kIOClientPrivilegeAdministrator) == kIOReturnSuccess;
}

IOReturn catalogueTerminate(Request& r)
{
    const uint32_t flag = r.in.u32();
    const std::string name = r.in.cstr(128);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (!isAdministrator(r)) {
        return kIOReturnNotPrivileged;
    }
    return kexts::catalogueTerminate(flag, name.c_str());
}

// The reply of a kext request: the code, then the loader's sentence (empty on success).
template <typename T>
IOReturn kextReply(Request& r, const std::expected<T, kexts::Error>& result)
{
    r.fieldsOnError = true;
    r.out.str(result ? std::string() : result.error().message);
    return result ? kOSReturnSuccess : result.error().code;
}

IOReturn notPrivileged(Request& r, const char* what)
{
    r.fieldsOnError = true;
    r.out.str(std::string("Access Failure - must be root user to ") + what + ".");
    return kOSKextReturnNotPrivileged;
}

IOReturn kextLoadWithPath(Request& r)
{
    const std::string path = r.in.cstr(4096);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (!isAdministrator(r)) {
        return notPrivileged(r, "load kexts");
    }
    return kextReply(r, kexts::loadKextWithPath(path));
}

IOReturn kextLoadWithIdentifier(Request& r)
{
    const std::string bundleID = r.in.cstr(1024);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (!isAdministrator(r)) {
        return notPrivileged(r, "load kexts");
    }
    return kextReply(r, kexts::loadKextWithIdentifier(bundleID));
}

IOReturn kextUnload(Request& r)
{
    const std::string bundleID = r.in.cstr(1024);
    const bool terminate = r.in.u32() != 0;
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    if (!isAdministrator(r)) {
        return notPrivileged(r, "unload kexts");
    }
    return kextReply(r, kexts::unloadKextWithIdentifier(bundleID, terminate));
}

// KextManagerCopyLoadedKextInfo's dictionary for one kext (OSKextLib.h key names).
OSSharedPtr<OSDictionary> infoDictionary(const kexts::LoadedKextInfo& info)
{
    OSSharedPtr<OSDictionary> d(OSDictionary::withCapacity(12), OSNoRetain);
    auto setString = [&](const char* key, const std::string& value) {
        OSSharedPtr<OSString> s(OSString::withCString(value.c_str()), OSNoRetain);
        d->setObject(key, s.get());
    };
    auto setNumber = [&](const char* key, uint64_t value, unsigned bits) {
        OSSharedPtr<OSNumber> n(OSNumber::withNumber(value, bits), OSNoRetain);
        d->setObject(key, n.get());
    };
    setString(kCFBundleIdentifierKey, info.bundleID);
    setString(kCFBundleVersionKey, info.version);
    setNumber("OSBundleLoadTag", info.loadTag, 32);
    setNumber("OSBundleLoadAddress", info.address, 64);
    setNumber("OSBundleLoadSize", info.size, 64);
    setNumber("OSBundleWiredSize", info.wiredSize, 64);
    setNumber("OSBundleRetainCount", static_cast<uint32_t>(info.retainCount), 32);
    if (!info.uuid.empty()) {
        setString("OSBundleUUID", info.uuid);
    }
    if (!info.path.empty()) {
        setString("OSBundlePath", info.path);
    }
    d->setObject("OSKernelResource", info.isKernelComponent ? kOSBooleanTrue : kOSBooleanFalse);
    OSSharedPtr<OSArray> dependencies(OSArray::withCapacity(static_cast<unsigned>(info.linkedAgainst.size())),
                                      OSNoRetain);
    for (uint32_t tag : info.linkedAgainst) {
        OSSharedPtr<OSNumber> n(OSNumber::withNumber(tag, 32), OSNoRetain);
        dependencies->setObject(n.get());
    }
    d->setObject("OSBundleDependencies", dependencies.get());
    return d;
}

IOReturn kextCopyLoadedInfo(Request& r)
{
    const std::string_view filterXML = r.in.str(ipc::kMaxOutOfLinePayload);
    if (!r.decoded()) {
        return kIOReturnBadArgument;
    }
    OSSharedPtr<OSArray> filter;
    if (!filterXML.empty()) {
        auto parsed = parseXML(filterXML);
        if (!parsed || !OSDynamicCast(OSArray, parsed->get())) {
            return kIOReturnBadArgument;
        }
        filter.reset(OSDynamicCast(OSArray, parsed->get()), OSRetain);
    }
    OSSharedPtr<OSDictionary> all(OSDictionary::withCapacity(16), OSNoRetain);
    for (const kexts::LoadedKextInfo& info : kexts::loadedKexts()) {
        if (filter) {
            bool wanted = false;
            for (unsigned i = 0; i < filter->getCount() && !wanted; i++) {
                auto* id = OSDynamicCast(OSString, filter->getObject(i));
                wanted = id && info.bundleID == id->getCStringNoCopy();
            }
            if (!wanted) {
                continue;
            }
        }
        all->setObject(info.bundleID.c_str(), infoDictionary(info).get());
    }
    r.out.str(serializeXML(all.get()));
    return kIOReturnSuccess;
}

}  // namespace

void registerKextHandlers(HandlerTable& t)
{
    auto set = [&](Op op, Handler h) { t[static_cast<uint16_t>(op)] = h; };
    set(Op::CatalogueTerminate, catalogueTerminate);
    set(Op::KextLoadWithPath, kextLoadWithPath);
    set(Op::KextLoadWithIdentifier, kextLoadWithIdentifier);
    set(Op::KextUnload, kextUnload);
    set(Op::KextCopyLoadedInfo, kextCopyLoadedInfo);
}

}  // namespace openiokit::daemon
