// IOUserClient::clientHasPrivilege (iokit-semantics.md §3.4), read against xnu.
//
// The security token is the owning task (what openConnection passes to newUserClient as
// securityID). "root" asks for uid 0. The console privileges consult the registry root's
// IOConsoleUsers array exactly as xnu does — one dictionary per login session with the keys
// below, written on macOS by the window server. OpenIOKit has no window server: whoever hosts
// the kernel (the daemon) publishes IOConsoleUsers for the local desktop session; without it,
// as on a Mac with nobody logged in, "local", "console" and friends are refused.
#include <IOKit/IOUserClient.h>

#include <openiokit/Task.h>

#include <cstring>

namespace {

// xnu IOKitKeys.h / IOKitKeysPrivate.h.
constexpr const char* kConsoleUsersKey = kIOConsoleUsersKey;
constexpr const char* kConsoleSessionUIDKey = "kCGSSessionUserIDKey";
constexpr const char* kConsoleSessionOnConsoleKey = "kCGSSessionOnConsoleKey";
constexpr const char* kConsoleSessionAuditIDKey = "kCGSSessionAuditIDKey";
constexpr const char* kConsoleSessionSecureInputPIDKey = "kCGSSessionSecureInputPID";

bool named(const char* privilegeName, const char* name)
{
    return std::strcmp(privilegeName, name) == 0;
}

uint32_t numberValue(const OSDictionary* user, const char* key, bool* present)
{
    const OSNumber* number = OSDynamicCast(OSNumber, user->getObject(key));
    *present = number != nullptr;
    return number ? number->unsigned32BitValue() : 0;
}

// The first console session matching `matches`, retained, or NULL.
template <typename Predicate>
OSSharedPtr<OSDictionary> copyConsoleUser(Predicate matches)
{
    OSSharedPtr<OSObject> property(IORegistryEntry::getRegistryRoot()->copyProperty(kConsoleUsersKey), OSNoRetain);
    const OSArray* users = OSDynamicCast(OSArray, property.get());
    if (!users) {
        return nullptr;
    }
    for (unsigned int i = 0; i < users->getCount(); i++) {
        OSDictionary* user = OSDynamicCast(OSDictionary, users->getObject(i));
        if (!user) {
            break;  // xnu stops at the first entry that is not a dictionary
        }
        if (matches(user)) {
            return OSSharedPtr<OSDictionary>(user, OSRetain);
        }
    }
    return nullptr;
}

OSSharedPtr<OSDictionary> copyConsoleUserWithUID(uid_t uid)
{
    return copyConsoleUser([&](const OSDictionary* user) {
        bool present = false;
        const uint32_t sessionUID = numberValue(user, kConsoleSessionUIDKey, &present);
        return present && sessionUID == (uint32_t)uid;
    });
}

OSSharedPtr<OSDictionary> copyUserOnConsole()
{
    return copyConsoleUser(
        [](const OSDictionary* user) { return user->getObject(kConsoleSessionOnConsoleKey) == kOSBooleanTrue; });
}

}  // namespace

IOReturn IOUserClient::clientHasPrivilege(void* securityToken, const char* privilegeName)
{
    if (!privilegeName) {
        return kIOReturnBadArgument;
    }
    // No task here is denied the GPU, so every task counts as foreground.
    if (named(privilegeName, kIOClientPrivilegeForeground)) {
        return kIOReturnSuccess;
    }
    if (named(privilegeName, kIOClientPrivilegeConsoleSession)) {
        // xnu falls back to current_task(); a kernel thread here belongs to no client.
        task_t owner = static_cast<task_t>(securityToken);
        if (!owner) {
            return kIOReturnNotPrivileged;
        }
        OSSharedPtr<OSDictionary> user = copyUserOnConsole();
        bool present = false;
        const uint32_t auditID = user ? numberValue(user.get(), kConsoleSessionAuditIDKey, &present) : 0;
        return present && auditID == owner->auditSessionID() ? kIOReturnSuccess : kIOReturnNotPrivileged;
    }

    const bool secureConsole = named(privilegeName, kIOClientPrivilegeSecureConsoleProcess);
    const IOUCProcessToken* processToken = secureConsole ? static_cast<const IOUCProcessToken*>(securityToken) : nullptr;
    task_t owner = secureConsole ? (processToken ? static_cast<task_t>(processToken->token) : nullptr)
                                 : static_cast<task_t>(securityToken);
    // xnu reads the task's security token with task_info, whose failure it returns as is.
    if (!owner) {
        return KERN_INVALID_ARGUMENT;
    }
    const uid_t uid = owner->uid();

    if (named(privilegeName, kIOClientPrivilegeAdministrator)) {
        return uid == 0 ? kIOReturnSuccess : kIOReturnNotPrivileged;
    }
    if (named(privilegeName, kIOClientPrivilegeLocalUser)) {
        return copyConsoleUserWithUID(uid) ? kIOReturnSuccess : kIOReturnNotPrivileged;
    }
    if (secureConsole || named(privilegeName, kIOClientPrivilegeConsoleUser)) {
        OSSharedPtr<OSDictionary> user = copyConsoleUserWithUID(uid);
        if (!user || user->getObject(kConsoleSessionOnConsoleKey) != kOSBooleanTrue) {
            return kIOReturnNotPrivileged;
        }
        if (secureConsole) {
            bool present = false;
            const uint32_t securePID = numberValue(user.get(), kConsoleSessionSecureInputPIDKey, &present);
            if (present && securePID != processToken->pid) {
                return kIOReturnNotPrivileged;
            }
        }
        return kIOReturnSuccess;
    }
    return kIOReturnUnsupported;
}
