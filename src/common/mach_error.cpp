// mach_error_string / mach_error_type: the texts macOS prints for kern_return_t, IOReturn and
// OSReturn values (libsyscall's tables; iokit-semantics.md §5). A code is looked up as
// system -> subsystem -> code. Unknown parts give the same fallbacks as libsyscall:
// "(<system>/?) unknown subsystem error" and "unknown error code"; an unknown system gives
// "(?/?) unknown error system" (libsyscall would return NULL there).
// Compiled once into an object library that the kernel and the client library both link.
#include <mach/mach_error.h>

#include <IOKit/IOReturn.h>
#include <libkern/OSKextLib.h>
#include <libkern/OSReturn.h>

#include <cstdio>
#include <span>

namespace {

struct CodeText {
    int code; // err_get_code() of the value
    const char *text;
};

struct Subsystem {
    int sub; // err_get_sub() of the value
    const char *name;
    std::span<const CodeText> codes;
};

struct System {
    int system; // err_get_system() of the value
    const char *unknownSubsystem;
    std::span<const Subsystem> subsystems;
};

constexpr const char *kUnknownCode = "unknown error code";

constexpr CodeText kKernCodes[] = {
    {KERN_SUCCESS, "(os/kern) successful"},
    {KERN_INVALID_ADDRESS, "(os/kern) invalid address"},
    {KERN_PROTECTION_FAILURE, "(os/kern) protection failure"},
    {KERN_NO_SPACE, "(os/kern) no space available"},
    {KERN_INVALID_ARGUMENT, "(os/kern) invalid argument"},
    {KERN_FAILURE, "(os/kern) failure"},
    {KERN_RESOURCE_SHORTAGE, "(os/kern) resource shortage"},
    {KERN_NOT_RECEIVER, "(os/kern) not receiver"},
    {KERN_NO_ACCESS, "(os/kern) no access"},
    {KERN_MEMORY_FAILURE, "(os/kern) memory failure"},
    {KERN_MEMORY_ERROR, "(os/kern) memory error"},
    {KERN_ALREADY_IN_SET, "(os/kern) already in set"},
    {KERN_NOT_IN_SET, "(os/kern) not in set"},
    {KERN_NAME_EXISTS, "(os/kern) name exists"},
    {KERN_ABORTED, "(os/kern) aborted"},
    {KERN_INVALID_NAME, "(os/kern) invalid name"},
    {KERN_INVALID_TASK, "(os/kern) invalid task"},
    {KERN_INVALID_RIGHT, "(os/kern) invalid right"},
    {KERN_INVALID_VALUE, "(os/kern) invalid value"},
    {KERN_UREFS_OVERFLOW, "(os/kern) urefs overflow"},
    {KERN_INVALID_CAPABILITY, "(os/kern) invalid capability"},
    {KERN_RIGHT_EXISTS, "(os/kern) right exists"},
    {KERN_INVALID_HOST, "(os/kern) invalid host"},
    {KERN_MEMORY_PRESENT, "(os/kern) memory present"},
    {KERN_MEMORY_DATA_MOVED, "(os/kern) memory data moved"},
    {KERN_MEMORY_RESTART_COPY, "(os/kern) memory restart copy"},
    {KERN_INVALID_PROCESSOR_SET, "(os/kern) invalid processor set"},
    {KERN_POLICY_LIMIT, "(os/kern) policy limit"},
    {KERN_INVALID_POLICY, "(os/kern) invalid policy"},
    {KERN_INVALID_OBJECT, "(os/kern) invalid object"},
    {KERN_ALREADY_WAITING, "(os/kern) already waiting"},
    {KERN_DEFAULT_SET, "(os/kern) default set"},
    {KERN_EXCEPTION_PROTECTED, "(os/kern) exception protected"},
    {KERN_INVALID_LEDGER, "(os/kern) invalid ledger"},
    {KERN_INVALID_MEMORY_CONTROL, "(os/kern) invalid memory control"},
    {KERN_INVALID_SECURITY, "(os/kern) invalid security"},
    {KERN_NOT_DEPRESSED, "(os/kern) not depressed"},
    {KERN_TERMINATED, "(os/kern) object terminated"},
    {KERN_LOCK_SET_DESTROYED, "(os/kern) lock set destroyed"},
    {KERN_LOCK_UNSTABLE, "(os/kern) lock unstable"},
    {KERN_LOCK_OWNED, "(os/kern) lock owned by another"},
    {KERN_LOCK_OWNED_SELF, "(os/kern) lock owned by self"},
    {KERN_SEMAPHORE_DESTROYED, "(os/kern) semaphore destroyed"},
    {KERN_RPC_SERVER_TERMINATED, "(os/kern) RPC terminated"},
    {KERN_RPC_TERMINATE_ORPHAN, "(os/kern) terminate orphan"},
    {KERN_RPC_CONTINUE_ORPHAN, "(os/kern) let orphan continue"},
    {KERN_NOT_SUPPORTED, "(os/kern) service not supported"},
    {KERN_NODE_DOWN, "(os/kern) remote node down"},
    {KERN_NOT_WAITING, "(os/kern) thread not waiting"},
    {KERN_OPERATION_TIMED_OUT, "(os/kern) operation timed out"},
    {KERN_CODESIGN_ERROR, "(os/kern) code signing error"},
    {KERN_POLICY_STATIC, "(os/kern) policy is static"},
    {KERN_INSUFFICIENT_BUFFER_SIZE, "(os/kern) insufficient input buffer size"},
    {KERN_DENIED, "(os/kern) denied by security policy"},
    {KERN_MISSING_KC, "(os/kern) missing kernel collection"},
    {KERN_INVALID_KC, "(os/kern) invalid kernel collection"},
    {KERN_NOT_FOUND, "(os/kern) result not found"},
};

// Mach IPC (err_mach_ipc): MACH_SEND_*, MACH_RCV_*, MIG_*.
constexpr CodeText kMachSendCodes[] = {
    {0, "(ipc/send) no error"},
    {1, "(ipc/send) send in progress"},
    {2, "(ipc/send) invalid data"},
    {3, "(ipc/send) invalid destination port"},
    {4, "(ipc/send) timed out"},
    {5, "(ipc/send) invalid voucher"},
    {6, "(ipc/send) unused error"},
    {7, "(ipc/send) interrupted"},
    {8, "(ipc/send) msg too small"},
    {9, "(ipc/send) invalid reply port"},
    {10, "(ipc/send) invalid port right"},
    {11, "(ipc/send) invalid notify port"},
    {12, "(ipc/send) invalid memory"},
    {13, "(ipc/send) no msg buffer"},
    {14, "(ipc/send) msg too large"},
    {15, "(ipc/send) invalid msg-type"},
    {16, "(ipc/send) invalid msg-header"},
    {17, "(ipc/send) invalid msg-trailer"},
    {18, "(ipc/send) invalid context for reply"},
    {19, "(ipc/send) unused error"},
    {20, "(ipc/send) unused error"},
    {21, "(ipc/send) out-of-line buffer too large"},
    {22, "(ipc/send) destination does not accept OOL ports"},
};

constexpr CodeText kMachReceiveCodes[] = {
    {0, "(ipc/rcv) no error"},
    {1, "(ipc/rcv) receive in progress"},
    {2, "(ipc/rcv) invalid name"},
    {3, "(ipc/rcv) timed out"},
    {4, "(ipc/rcv) msg too large"},
    {5, "(ipc/rcv) interrupted"},
    {6, "(ipc/rcv) port changed"},
    {7, "(ipc/rcv) invalid notify port"},
    {8, "(ipc/rcv) invalid data"},
    {9, "(ipc/rcv) port died"},
    {10, "(ipc/rcv) port in set"},
    {11, "(ipc/rcv) header error"},
    {12, "(ipc/rcv) body error"},
    {13, "(ipc/rcv) invalid scatter list entry"},
    {14, "(ipc/rcv) overwrite region too small"},
    {15, "(ipc/rcv) invalid msg-trailer"},
    {16, "(ipc/rcv) DIPC transport error"},
};

constexpr CodeText kMigCodes[] = {
    {0, "(ipc/mig) client type check failure"},
    {1, "(ipc/mig) wrong reply message ID"},
    {2, "(ipc/mig) server detected error"},
    {3, "(ipc/mig) bad request message ID"},
    {4, "(ipc/mig) server type check failure"},
    {5, "(ipc/mig) no reply should be sent"},
    {6, "(ipc/mig) server raised exception"},
    {7, "(ipc/mig) array not large enough"},
    {8, "(ipc/mig) server died"},
    {9, "(ipc/mig) unknown trailer format"},
};

constexpr CodeText kLibkernCommonCodes[] = {
    {err_get_code(kOSReturnError), "(libkern/common) general/unspecified error"},
};

constexpr CodeText kLibkernMetaClassCodes[] = {
    {err_get_code(kOSMetaClassInternal), "(libkern/metaclass) runtime internal error"},
    {err_get_code(kOSMetaClassHasInstances), "(libkern/metaclass) class has instances"},
    {err_get_code(kOSMetaClassNoInit), "(libkern/metaclass) OSMetaClass::preModLoad() not called, runtime internal error"},
    {err_get_code(kOSMetaClassNoTempData), "(libkern/metaclass) allocation failure, internal data"},
    {err_get_code(kOSMetaClassNoDicts), "(libkern/metaclass) allocation failure, class tracking dictionaries"},
    {err_get_code(kOSMetaClassNoKModSet), "(libkern/metaclass) allocation failure, no kext/class set"},
    {err_get_code(kOSMetaClassNoInsKModSet), "(libkern/metaclass) failed to insert class into class dictionary"},
    {err_get_code(kOSMetaClassNoSuper), "(libkern/metaclass) can't associate class with its superclass"},
    {err_get_code(kOSMetaClassInstNoSuper), "(libkern/metaclass) can't find superclass during instance creation"},
    {err_get_code(kOSMetaClassDuplicateClass), "(libkern/metaclass) duplicate class name encountered"},
    {err_get_code(kOSMetaClassNoKext), "(libkern/metaclass) no kext for metaclass"},
};

constexpr CodeText kLibkernKextCodes[] = {
    {err_get_code(kOSKextReturnInternalError), "(libkern/kext) internal error"},
    {err_get_code(kOSKextReturnNoMemory), "(libkern/kext) allocation failure"},
    {err_get_code(kOSKextReturnNoResources), "(libkern/kext) resource shortage"},
    {err_get_code(kOSKextReturnNotPrivileged), "(libkern/kext) not privileged"},
    {err_get_code(kOSKextReturnInvalidArgument), "(libkern/kext) invalid argument"},
    {err_get_code(kOSKextReturnNotFound), "(libkern/kext) not found"},
    {err_get_code(kOSKextReturnBadData), "(libkern/kext) bad data (mkext/other)"},
    {err_get_code(kOSKextReturnSerialization), "(libkern/kext) XML (un)serialization error"},
    {err_get_code(kOSKextReturnUnsupported), "(libkern/kext) function/version unsupported"},
    {err_get_code(kOSKextReturnDisabled), "(libkern/kext) function disabled"},
    {err_get_code(kOSKextReturnNotAKext), "(libkern/kext) malformed kext (bundle layout/missing plist)"},
    {err_get_code(kOSKextReturnValidation), "(libkern/kext) validation failure (plist/executable)"},
    {err_get_code(kOSKextReturnAuthentication), "(libkern/kext) authentication failure (file ownership/permissions)"},
    {err_get_code(kOSKextReturnDependencies), "(libkern/kext) dependency resolution failure"},
    {err_get_code(kOSKextReturnArchNotFound), "(libkern/kext) requested architecture/executable not found"},
    {err_get_code(kOSKextReturnCache), "(libkern/kext) cache error"},
    {err_get_code(kOSKextReturnDeferred), "(libkern/kext) operation deferred (queued to user space)"},
    {err_get_code(kOSKextReturnBootLevel), "(libkern/kext) operation/kext not allowed at current boot level"},
    {err_get_code(kOSKextReturnNotLoadable), "(libkern/kext) not loadable (reason unspecified)"},
    {err_get_code(kOSKextReturnLoadedVersionDiffers), "(libkern/kext) different version/uuid already loaded"},
    {err_get_code(kOSKextReturnDependencyLoadError), "(libkern/kext) dependency load failed"},
    {err_get_code(kOSKextReturnLinkError), "(libkern/kext) link error"},
    {err_get_code(kOSKextReturnStartStopError), "(libkern/kext) kext (kmod) start/stop routine failed"},
    {err_get_code(kOSKextReturnInUse), "(libkern/kext) kext is in use or retained (cannot unload)"},
    {err_get_code(kOSKextReturnTimeout), "(libkern/kext) kext request timed out"},
    {err_get_code(kOSKextReturnStopping), "(libkern/kext) kext is stopping and cannot issue requests"},
    {err_get_code(kOSKextReturnSystemPolicy), "(libkern/kext) system policy prevents loading"},
    {err_get_code(kOSKextReturnKCLoadFailure), "(libkern/kext) loading/mapping of a kext collection failed"},
    {err_get_code(kOSKextReturnKCLoadFailureSystemKC), "(libkern/kext) mapping of the SystemKC failed"},
    {err_get_code(kOSKextReturnKCLoadFailureAuxKC), "(libkern/kext) loading/mapping of the AuxiliaryKC failed"},
    {0x1f, "(libkern/kext) loading of both Auxiliary and System KCs failed"},
};

constexpr CodeText kIOKitCommonCodes[] = {
    {err_get_code(kIOReturnInvalid), "(iokit/common) invalid - should never be seen"},
    {err_get_code(kIOReturnError), "(iokit/common) general error"},
    {err_get_code(kIOReturnNoMemory), "(iokit/common) can't allocate memory"},
    {err_get_code(kIOReturnNoResources), "(iokit/common) resource shortage"},
    {err_get_code(kIOReturnIPCError), "(iokit/common) error during IPC"},
    {err_get_code(kIOReturnNoDevice), "(iokit/common) no such device"},
    {err_get_code(kIOReturnNotPrivileged), "(iokit/common) privilege violation"},
    {err_get_code(kIOReturnBadArgument), "(iokit/common) invalid argument"},
    {err_get_code(kIOReturnLockedRead), "(iokit/common) device read locked"},
    {err_get_code(kIOReturnLockedWrite), "(iokit/common) device write locked"},
    {err_get_code(kIOReturnExclusiveAccess), "(iokit/common) exclusive access and device already open"},
    {err_get_code(kIOReturnBadMessageID), "(iokit/common) sent/received messages had different msg_id"},
    {err_get_code(kIOReturnUnsupported), "(iokit/common) unsupported function"},
    {err_get_code(kIOReturnVMError), "(iokit/common) misc. VM failure"},
    {err_get_code(kIOReturnInternalError), "(iokit/common) internal error"},
    {err_get_code(kIOReturnIOError), "(iokit/common) General I/O error"},
    {0x2cb, "(iokit/common) ???"},
    {err_get_code(kIOReturnCannotLock), "(iokit/common) can't acquire lock"},
    {err_get_code(kIOReturnNotOpen), "(iokit/common) device not open"},
    {err_get_code(kIOReturnNotReadable), "(iokit/common) read not supported"},
    {err_get_code(kIOReturnNotWritable), "(iokit/common) write not supported"},
    {err_get_code(kIOReturnNotAligned), "(iokit/common) alignment error"},
    {err_get_code(kIOReturnBadMedia), "(iokit/common) Media Error"},
    {err_get_code(kIOReturnStillOpen), "(iokit/common) device(s) still open"},
    {err_get_code(kIOReturnRLDError), "(iokit/common) rld failure"},
    {err_get_code(kIOReturnDMAError), "(iokit/common) DMA failure"},
    {err_get_code(kIOReturnBusy), "(iokit/common) Device Busy"},
    {err_get_code(kIOReturnTimeout), "(iokit/common) I/O Timeout"},
    {err_get_code(kIOReturnOffline), "(iokit/common) device offline"},
    {err_get_code(kIOReturnNotReady), "(iokit/common) not ready"},
    {err_get_code(kIOReturnNotAttached), "(iokit/common) device not attached"},
    {err_get_code(kIOReturnNoChannels), "(iokit/common) no DMA channels left"},
    {err_get_code(kIOReturnNoSpace), "(iokit/common) no space for data"},
    {0x2dc, "(iokit/common) ???"},
    {err_get_code(kIOReturnPortExists), "(iokit/common) port already exists"},
    {err_get_code(kIOReturnCannotWire), "(iokit/common) can't wire down physical memory"},
    {err_get_code(kIOReturnNoInterrupt), "(iokit/common) no interrupt attached"},
    {err_get_code(kIOReturnNoFrames), "(iokit/common) no DMA frames enqueued"},
    {err_get_code(kIOReturnMessageTooLarge), "(iokit/common) oversized msg received on interrupt port"},
    {err_get_code(kIOReturnNotPermitted), "(iokit/common) not permitted"},
    {err_get_code(kIOReturnNoPower), "(iokit/common) no power to device"},
    {err_get_code(kIOReturnNoMedia), "(iokit/common) media not present"},
    {err_get_code(kIOReturnUnformattedMedia), "(iokit/common) media not formatted"},
    {err_get_code(kIOReturnUnsupportedMode), "(iokit/common) no such mode"},
    {err_get_code(kIOReturnUnderrun), "(iokit/common) data underrun"},
    {err_get_code(kIOReturnOverrun), "(iokit/common) data overrun"},
    {err_get_code(kIOReturnDeviceError), "(iokit/common) the device is not working properly!"},
    {err_get_code(kIOReturnNoCompletion), "(iokit/common) a completion routine is required"},
    {err_get_code(kIOReturnAborted), "(iokit/common) operation aborted"},
    {err_get_code(kIOReturnNoBandwidth), "(iokit/common) bus bandwidth would be exceeded"},
    {err_get_code(kIOReturnNotResponding), "(iokit/common) device not responding"},
    {err_get_code(kIOReturnIsoTooOld), "(iokit/common) isochronous I/O request for distant past!"},
    {err_get_code(kIOReturnIsoTooNew), "(iokit/common) isochronous I/O request for distant future"},
    {err_get_code(kIOReturnNotFound), "(iokit/common) data was not found"},
};

constexpr CodeText kIOKitBluetoothCodes[] = {
    {0, "(iokit/bluetooth) unknown error"},
    {1, "(iokit/bluetooth) interrupted operation, hardware reset"},
    {2, "(iokit/bluetooth) connection to device already exists"},
    {3, "(iokit/bluetooth) no HCI controller"},
    {4, "(iokit/bluetooth) changing power states is unsupported"},
};

constexpr Subsystem kKernSubsystems[] = {
    {0, "(os/kern)", kKernCodes},
};

constexpr Subsystem kMachIPCSubsystems[] = {
    {0, "(ipc/send)", kMachSendCodes},
    {1, "(ipc/rcv)", kMachReceiveCodes},
    {2, "(ipc/mig)", kMigCodes},
};

constexpr Subsystem kLibkernSubsystems[] = {
    {err_get_sub(sub_libkern_common), "(libkern/common)", kLibkernCommonCodes},
    {err_get_sub(sub_libkern_metaclass), "(libkern/metaclass)", kLibkernMetaClassCodes},
    {err_get_sub(sub_libkern_kext), "(libkern/kext)", kLibkernKextCodes},
};

// Family subsystems without a table here (usb, firewire: their codes live in family headers)
// still get their names, so the text says whose code it is.
constexpr Subsystem kIOKitSubsystems[] = {
    {err_get_sub(sub_iokit_common), "(iokit/common)", kIOKitCommonCodes},
    {err_get_sub(sub_iokit_usb), "(iokit/usb)", {}},
    {err_get_sub(sub_iokit_firewire), "(iokit/firewire)", {}},
    {err_get_sub(sub_iokit_block_storage), "(iokit/blkstorage)", {}},
    {err_get_sub(sub_iokit_graphics), "(iokit/graphics)", {}},
    {err_get_sub(sub_iokit_bluetooth), "(iokit/bluetooth)", kIOKitBluetoothCodes},
    {err_get_sub(sub_iokit_pmu), "(iokit/pmu)", {}},
    {err_get_sub(sub_iokit_vendor_specific), "(iokit/vendor)", {}},
    {err_get_sub(sub_iokit_reserved), "(iokit/reserved)", {}},
};

constexpr System kSystems[] = {
    {err_get_system(err_kern), "(operating system/?) unknown subsystem error", kKernSubsystems},
    {err_get_system(err_us), "(user space/?) unknown subsystem error", {}},
    {err_get_system(err_server), "(server/?) unknown subsystem error", {}},
    {err_get_system(err_ipc), "(ipc/?) unknown subsystem error", {}},
    {err_get_system(err_mach_ipc), "(ipc/?) unknown subsystem error", kMachIPCSubsystems},
    {err_get_system(err_system(0x7)), "(vm/?) unknown subsystem error", {}},
    {err_get_system(sys_libkern), "(libkern/?) unknown subsystem error", kLibkernSubsystems},
    {err_get_system(sys_iokit), "(iokit/?) unknown subsystem error", kIOKitSubsystems},
};

// MIG's historical negative codes (MIG_TYPE_ERROR is -300 ...) map into err_mach_ipc, as
// libsyscall's do_compat does.
mach_error_t canonical(mach_error_t error)
{
    if (error > -400 && error <= -300) {
        return -(error + 300) | err_mach_ipc | err_sub(2);
    }
    return error;
}

const System *findSystem(mach_error_t error)
{
    for (const System &system : kSystems) {
        if (system.system == err_get_system(error)) {
            return &system;
        }
    }
    return nullptr;
}

const Subsystem *findSubsystem(const System &system, mach_error_t error)
{
    for (const Subsystem &subsystem : system.subsystems) {
        if (subsystem.sub == err_get_sub(error)) {
            return &subsystem;
        }
    }
    return nullptr;
}

// libsyscall's API hands out `char *` to static text; callers must not write through it.
char *mutableText(const char *text)
{
    return const_cast<char *>(text);
}

} // namespace

extern "C" {

char *mach_error_string(mach_error_t error_value)
{
    const mach_error_t error = canonical(error_value);
    const System *system = findSystem(error);
    if (system == nullptr) {
        return mutableText("(?/?) unknown error system");
    }
    const Subsystem *subsystem = findSubsystem(*system, error);
    if (subsystem == nullptr) {
        return mutableText(system->unknownSubsystem);
    }
    for (const CodeText &entry : subsystem->codes) {
        if (entry.code == err_get_code(error)) {
            return mutableText(entry.text);
        }
    }
    return mutableText(kUnknownCode);
}

char *mach_error_type(mach_error_t error_value)
{
    const mach_error_t error = canonical(error_value);
    const System *system = findSystem(error);
    const Subsystem *subsystem = system != nullptr ? findSubsystem(*system, error) : nullptr;
    return mutableText(subsystem != nullptr ? subsystem->name : "(?/?)");
}

void mach_error(const char *str, mach_error_t error_value)
{
    std::fprintf(stderr, "%s %s\n", str != nullptr ? str : "", mach_error_string(error_value));
}

} // extern "C"
