// <IOKit/IOUserClient.h>: the kernel end of a user-space connection (IOServiceOpen), with
// Apple's names and signatures (xnu iokit/IOKit/IOUserClient.h).
//
// Where each part lives (src/kernel): construction, close/death, locking and the user-reference
// hooks in IOUserClient.cpp; externalMethod and the pre-Leopard method tables in
// IOUserClientDispatch.cpp / IOUserClientLegacy.cpp; async results in IOUserClientAsync.cpp;
// clientHasPrivilege in IOUserClientPrivilege.cpp; the default IOService::newUserClient in
// IOServiceUserClient.cpp; the per-request entry points the daemon calls (open, close, method,
// no-senders) in UserClientConnection.cpp. Behaviour: iokit-semantics.md §3.
#pragma once

#include <IOKit/IOService.h>
#include <IOKit/IOTypes.h>
#include <IOKit/OSMessageNotification.h>
#include <libkern/c++/OSSharedPtr.h>

#include <memory>

// Legacy method-table entry types (IOExternalMethod.flags & kIOUCTypeMask).
enum {
    kIOUCTypeMask = 0x0000000f,
    kIOUCScalarIScalarO = 0,
    kIOUCScalarIStructO = 2,
    kIOUCStructIStructO = 3,
    kIOUCScalarIStructI = 4,

    kIOUCForegroundOnly = 0x00000010,
};

// A structure size (or scalar count) that is not checked.
enum {
    kIOUCVariableStructureSize = 0xffffffff,
};

typedef IOReturn (IOService::*IOMethod)(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6);
typedef IOReturn (IOService::*IOAsyncMethod)(OSAsyncReference asyncRef, void* p1, void* p2, void* p3, void* p4,
                                             void* p5, void* p6);
typedef IOReturn (IOService::*IOTrap)(void* p1, void* p2, void* p3, void* p4, void* p5, void* p6);

struct IOExternalMethod {
    IOService* object;
    IOMethod func;
    IOOptionBits flags;
    IOByteCount count0;
    IOByteCount count1;
};

struct IOExternalAsyncMethod {
    IOService* object;
    IOAsyncMethod func;
    IOOptionBits flags;
    IOByteCount count0;
    IOByteCount count1;
};

struct IOExternalTrap {
    IOService* object;
    IOTrap func;
};

enum {
    kIOUserNotifyMaxMessageSize = 64,
};

enum {
    kIOUserNotifyOptionCanDrop = 0x1,  // fail if the queue is full rather than queue forever
};

// Privilege names for clientHasPrivilege. The last three are private in xnu.
#define kIOClientPrivilegeAdministrator "root"
#define kIOClientPrivilegeLocalUser "local"
#define kIOClientPrivilegeForeground "foreground"
#define kIOClientPrivilegeConsoleUser "console"
#define kIOClientPrivilegeSecureConsoleProcess "secureprocess"
#define kIOClientPrivilegeConsoleSession "consolesession"

// The security token "secureprocess" expects instead of a task (xnu private).
struct IOUCProcessToken {
    void* token;  // the task_t
    UInt32 pid;
};

enum {
    kIOExternalMethodScalarInputCountMax = 16,
    kIOExternalMethodScalarOutputCountMax = 16,
};

class IOMemoryDescriptor;
class IOMemoryMap;

struct IOExternalMethodArguments {
    uint32_t version;

    uint32_t selector;

    mach_port_t asyncWakePort;
    io_user_reference_t* asyncReference;
    uint32_t asyncReferenceCount;

    const uint64_t* scalarInput;
    uint32_t scalarInputCount;

    const void* structureInput;
    uint32_t structureInputSize;

    IOMemoryDescriptor* structureInputDescriptor;

    uint64_t* scalarOutput;
    uint32_t scalarOutputCount;

    void* structureOutput;
    uint32_t structureOutputSize;

    IOMemoryDescriptor* structureOutputDescriptor;
    uint32_t structureOutputDescriptorSize;

    uint32_t __reservedA;

    OSObject** structureVariableOutputData;

    uint32_t __reserved[30];
};

typedef IOReturn (*IOExternalMethodAction)(OSObject* target, void* reference, IOExternalMethodArguments* arguments);

struct IOExternalMethodDispatch {
    IOExternalMethodAction function;
    uint32_t checkScalarInputCount;
    uint32_t checkStructureInputSize;
    uint32_t checkScalarOutputCount;
    uint32_t checkStructureOutputSize;
};

enum {
#define IO_EXTERNAL_METHOD_ARGUMENTS_CURRENT_VERSION 2
    kIOExternalMethodArgumentsCurrentVersion = IO_EXTERNAL_METHOD_ARGUMENTS_CURRENT_VERSION
};

struct IOUserClientPrivateState;

class IOUserClient : public IOService {
    OSDeclareAbstractStructors(IOUserClient);

public:
    // Checks `arguments` against `dispatch` and calls dispatch->function(target, reference,
    // arguments); without a dispatch entry, uses the legacy method tables (§3.2).
    virtual IOReturn externalMethod(uint32_t selector, IOExternalMethodArguments* arguments,
                                    IOExternalMethodDispatch* dispatch = NULL, OSObject* target = NULL,
                                    void* reference = NULL);

    // Default: forwards to the UInt32 overload (which returns kIOReturnUnsupported).
    virtual IOReturn registerNotificationPort(mach_port_t port, UInt32 type, io_user_reference_t refCon);

    // --- OpenIOKit internals (xnu: XNU_KERNEL_PRIVATE); not for drivers ------------------------
    // Termination phase 1 calls this for every newly inactive service: user handles to `obj`
    // become dead names and, for a user client, its connection is detached, so neither
    // clientClose nor clientDied is called any more. Always kIOReturnSuccess.
    static IOReturn destroyUserReferences(OSObject* obj);
    // Finalization asks this first: false while user IPC is still inside the client; the last
    // ipcExit then schedules the finalize (openiokit::scheduleFinalize).
    static bool finalizeUserReferences(OSObject* obj);
    // Records `task` as an owner, so that its death reaches clientDied.
    IOReturn registerOwner(task_t task);
    // The connection lost its last send right or was destroyed: forget the owners.
    void noMoreSenders(void);
    // externalMethod inside ipcEnter/ipcExit with the client's default locking.
    IOReturn callExternalMethod(uint32_t selector, IOExternalMethodArguments* arguments);
    enum { kIPCLockNone = 0, kIPCLockRead = 1, kIPCLockWrite = 2 };
    // Counts user IPC in flight and takes the client's reader/writer lock in `locking` mode.
    void ipcEnter(int locking);
    void ipcExit(int locking);
    IOUserClientPrivateState& userClientState() const { return *ucState_; }
    // Sets the terminate-defer bit: the client is being created (protected for kexts in xnu).
    bool reserve();

protected:
    static IOReturn sendAsyncResult(OSAsyncReference reference, IOReturn result, void* args[], UInt32 numArgs);
    // 32-bit references cannot hold a port on LP64: xnu panics, so do we.
    static void setAsyncReference(OSAsyncReference asyncRef, mach_port_t wakePort, void* callback, void* refcon);

    static IOReturn sendAsyncResult64(OSAsyncReference64 reference, IOReturn result, io_user_reference_t args[],
                                      UInt32 numArgs);
    static IOReturn sendAsyncResult64WithOptions(OSAsyncReference64 reference, IOReturn result,
                                                 io_user_reference_t args[], UInt32 numArgs, IOOptionBits options);
    static void setAsyncReference64(OSAsyncReference64 asyncRef, mach_port_t wakePort, mach_vm_address_t callback,
                                    io_user_reference_t refcon);
    static void setAsyncReference64(OSAsyncReference64 asyncRef, mach_port_t wakePort, mach_vm_address_t callback,
                                    io_user_reference_t refcon, task_t task);

public:
    static IOReturn clientHasPrivilege(void* securityToken, const char* privilegeName);
    // The task's entitlement value (+1 reference) or NULL.
    static OSObject* copyClientEntitlement(task_t task, const char* entitlement);

    // Drops the send right an async reference / registerNotificationPort call handed over.
    static IOReturn releaseAsyncReference64(OSAsyncReference64 reference);
    static IOReturn releaseNotificationPort(mach_port_t port);

    bool init() APPLE_KEXT_OVERRIDE;
    bool init(OSDictionary* dictionary) APPLE_KEXT_OVERRIDE;
    // = init(properties) + the 3-argument form, which subclasses usually override.
    virtual bool initWithTask(task_t owningTask, void* securityToken, UInt32 type, OSDictionary* properties);
    virtual bool initWithTask(task_t owningTask, void* securityToken, UInt32 type);

    void free() APPLE_KEXT_OVERRIDE;

    // Base: kIOReturnUnsupported and nothing else; subclasses close their provider and
    // terminate() here.
    virtual IOReturn clientClose(void);
    // Base: clientClose() unless already closed (kIOReturnNotReady).
    virtual IOReturn clientDied(void);

    virtual IOService* getService(void);

    virtual IOReturn registerNotificationPort(mach_port_t port, UInt32 type, UInt32 refCon);
    virtual IOReturn getNotificationSemaphore(UInt32 notification_type, semaphore_t* semaphore);
    virtual IOReturn connectClient(IOUserClient* client);

    // Base: kIOReturnUnsupported. A driver returns a retained descriptor (an
    // IOBufferMemoryDescriptor) that IOConnectMapMemory64 maps into the client (UserClientMemory.h).
    virtual IOReturn clientMemoryForType(UInt32 type, IOOptionBits* options, IOMemoryDescriptor** memory);

    // Old methods for accessing the method vector (backward compatibility only).
    virtual IOExternalMethod* getExternalMethodForIndex(UInt32 index);
    virtual IOExternalAsyncMethod* getExternalAsyncMethodForIndex(UInt32 index);

    virtual IOExternalMethod* getTargetAndMethodForIndex(IOService** targetP, UInt32 index);
    virtual IOExternalAsyncMethod* getAsyncTargetAndMethodForIndex(IOService** targetP, UInt32 index);
    IOExternalMethod* getTargetAndMethodForIndex(OSSharedPtr<IOService>& targetP, UInt32 index);
    IOExternalAsyncMethod* getAsyncTargetAndMethodForIndex(OSSharedPtr<IOService>& targetP, UInt32 index);

    virtual IOExternalTrap* getExternalTrapForIndex(UInt32 index);
    virtual IOExternalTrap* getTargetAndTrapForIndex(IOService** targetP, UInt32 index);

private:
    std::unique_ptr<IOUserClientPrivateState> ucState_;
};
