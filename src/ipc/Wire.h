// Wire.h: the OpenIOKit wire protocol between IOKitLib and iokitd (docs/wire-protocol.md).
//
// Transport: AF_UNIX SOCK_SEQPACKET. Each message is one record: a 20-byte little-endian header
// then the payload. Replies echo the request id with kReplyBit set in the operation; each reply
// payload begins with the IOReturn. Payloads above kMaxInlinePayload travel in a sealed memfd
// attached with SCM_RIGHTS (kFlagOutOfLine), up to kMaxOutOfLinePayload.
#pragma once

#include <cstddef>
#include <cstdint>

namespace openiokit::ipc {

inline constexpr uint32_t kMagic = 0x4B4F494F;   // "OIOK" in little-endian byte order
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 20;

inline constexpr uint16_t kReplyBit = 0x8000;
inline constexpr uint32_t kFlagOutOfLine = 0x1;   // payload is in the first attached fd
inline constexpr uint32_t kKnownFlags = kFlagOutOfLine;

// Limits, as xnu's MIG interface has them where one exists.
inline constexpr uint32_t kMaxScalars = 16;               // each way (kIOExternalMethodScalar*CountMax)
inline constexpr uint32_t kMaxInlineStruct = 4096;        // io_struct_inband_t
inline constexpr uint32_t kMaxStruct = 16u << 20;         // out-of-line structure cap (16 MiB):
                                                          // carried in the record's payload (a
                                                          // sealed memfd above kMaxInlinePayload)
inline constexpr size_t kMaxInlinePayload = 60 * 1024;    // larger payloads go out of line
inline constexpr size_t kMaxOutOfLinePayload = 64u << 20; // 64 MiB: properties, kext lists
inline constexpr size_t kMaxRecord = kHeaderSize + kMaxInlinePayload;
inline constexpr size_t kMaxFds = 4;                      // rights attached to one message
inline constexpr uint32_t kMaxString = 64 * 1024;         // names, paths, keys, messages
inline constexpr uint32_t kAsyncReferenceCount = 8;       // OSAsyncReference64

// The name mach_task_self() returns in every client: the only owningTask IOServiceOpen accepts
// (xnu requires the caller's own task). Its low byte is one no handle name uses.
inline constexpr uint32_t kTaskSelfName = 0x107;

// Operation codes. Request field order for each is listed in docs/wire-protocol.md; the
// reply is always IOReturn first, then the fields named after "->".
enum class Op : uint16_t {
    // Session
    Hello = 1,              // u32 version -> (nothing)
    AttachChannel = 2,      // [fd: socket] -> (nothing)
    // Objects and iterators
    ObjectRelease = 10,     // u32 object
    ObjectRetain = 11,      // u32 object
    ObjectGetClass = 12,    // u32 object -> str className
    ObjectConformsTo = 13,  // u32 object, str className -> u32 conforms
    ObjectGetRetainCount = 14,  // u32 object -> u32 count
    ObjectGetSuperclass = 15,   // str className -> str superclass
    ObjectGetUserRetainCount = 16, // u32 object -> u32 userReferences (the name's urefs)
    IteratorNext = 20,      // u32 iterator -> u32 object
    IteratorReset = 21,     // u32 iterator
    IteratorIsValid = 22,   // u32 iterator -> u32 valid
    // Matching
    GetMatchingServices = 30,   // str xmlMatching -> u32 iterator
    GetMatchingService = 31,    // str xmlMatching -> u32 service
    // Registry
    RegistryGetRoot = 40,       // -> u32 entry
    RegistryEntryFromPath = 41, // str path -> u32 entry
    RegistryEntryGetName = 42,  // u32 entry, str plane -> str name
    RegistryEntryGetLocation = 43, // u32 entry, str plane -> str location
    RegistryEntryGetPath = 44,  // u32 entry, str plane -> str path
    RegistryEntryGetID = 45,    // u32 entry -> u64 id
    RegistryEntryGetChildIterator = 46,  // u32 entry, str plane -> u32 iterator
    RegistryEntryGetParentIterator = 47, // u32 entry, str plane -> u32 iterator
    RegistryEntryGetParentEntry = 48,    // u32 entry, str plane -> u32 parent
    RegistryEntryGetChildEntry = 49,     // u32 entry, str plane -> u32 child
    RegistryEntryCreateIterator = 50,    // u32 entry, str plane, u32 options -> u32 iterator
    RegistryEntryInPlane = 51,           // u32 entry, str plane -> u32 inPlane
    RegistryEntryCopyProperty = 52,      // u32 entry, str key -> str xml
    RegistryEntryCopyProperties = 53,    // u32 entry -> str xml
    RegistryEntrySearchProperty = 54,    // u32 entry, str plane, str key, u32 options -> str xml
    RegistryEntrySetProperties = 55,     // u32 entry, str xml
    RegistryCreateIterator = 56,         // str plane, u32 options -> u32 iterator
    IteratorEnterEntry = 57,             // u32 iterator
    IteratorExitEntry = 58,              // u32 iterator
    // Services
    ServiceGetBusyState = 60,   // u32 service (0 = service root) -> u32 busy
    ServiceWaitQuiet = 61,      // u32 service (0 = service root), u64 timeoutNs (max = forever)
    ServiceOpen = 62,           // u32 service, u32 type -> u32 connect
    ServiceClose = 63,          // u32 connect
    ServiceRequestProbe = 64,   // u32 service, u32 options
    ServiceMatchPropertyTable = 65, // u32 service, str xmlMatching -> u32 matches (passiveMatch)
    ServiceGetState = 66,       // u32 service -> u64 state, u32 busy, u64 accumulatedBusyNs
                                // (is_io_service_get_state; serves IOServiceGetState and
                                // IOServiceGetBusyStateAndTime)
    // Connections
    ConnectCallMethod = 70,     // see docs: u32 connect, u32 selector, u32 wakePort, u32 refCount,
                                // u64 ref[refCount], u32 nScalarIn, u64 scalarIn[n], u32 structInLen,
                                // bytes, u32 scalarOutMax, u64 structOutMax
                                // -> u32 nScalarOut, u64 scalarOut[n], u32 structOutLen, bytes.
                                // Structures up to kMaxStruct; above kMaxInlineStruct the driver
                                // gets descriptors (docs/wire-protocol.md)
    ConnectSetNotificationPort = 71, // u32 connect, u32 type, u32 port, u64 reference
    ConnectGetService = 72,     // u32 connect -> u32 service
    ConnectMapMemory = 73,      // u32 connect, u32 type, u32 options
                                // -> [fd] u64 offset, u64 length, u32 options, u64 token
    ConnectUnmapMemory = 74,    // u32 connect, u32 type, u64 token
    ConnectAddClient = 75,      // u32 connect, u32 otherConnect
    // Notification ports and notifications
    PortCreate = 80,            // [fd: socket the daemon writes messages to] -> u32 port
    PortDestroy = 81,           // u32 port
    AddInterestNotification = 82,  // u32 port, u32 service, str type, u64 ref[8] -> u32 notification
    AddMatchingNotification = 83,  // u32 port, str type, str xmlMatching, u64 ref[8] -> u32 iterator
    // Catalogue and kexts (privileged: uid 0)
    CatalogueTerminate = 90,    // u32 flag, str name
    KextLoadWithPath = 91,      // str path -> str message
    KextLoadWithIdentifier = 92,// str bundleID -> str message
    KextUnload = 93,            // str bundleID, u32 terminateAndRemovePersonalities -> str message
    KextCopyLoadedInfo = 94,    // str xmlArrayOfIDs ("" = all) -> str xml, str message
    // Diagnostics
    LogRead = 100,              // u64 fromSequence, u32 maxEntries, u32 waitMs
                                // -> u64 nextSequence, u32 n, n × {u64 seq, i64 timeUs, u8 type, str module, str text}
    ClassCounts = 101,          // -> str xml (dictionary: class name -> instance count, every
                                // registered class, 0 included)
    // Power (privileged: uid 0)
    SystemPower = 110,          // u32 action (0 sleep, 1 wake) -> (nothing)
};

// What the daemon writes to a notification port's socket: a record with this op, the port's
// name as request id, and the payload u32 msgID (the Mach message id) followed by xnu's bytes
// after the mach_msg_header_t (e.g. OSNotificationHeader64 + content).
inline constexpr uint16_t kPortMessageOp = 0x7F00;

}  // namespace openiokit::ipc
