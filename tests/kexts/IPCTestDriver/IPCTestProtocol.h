// IPCTestProtocol.h: the selectors and values IPCTestDriver's user client offers, shared by the
// kext and the integration tests (a plain C header, as a real driver's would be).
#pragma once

#define kIPCTestDriverClass "IPCTestDriver"
#define kIPCTestNubClass "IPCTestNub"
#define kIPCTestDriverBundleID "com.openiokit.test.IPCTestDriver"

enum {
    kIPCTestEcho = 0,            // 1 scalar in -> 1 out: in + 1
    kIPCTestSleep = 1,           // 1 in (milliseconds) -> 1 out: calls in flight at entry (incl. this one)
    kIPCTestStructEcho = 2,      // variable struct in -> the same bytes out
    kIPCTestAsync = 3,           // async; 1 in: completes with args {in + 100, 7} after a short delay
    kIPCTestStats = 4,           // -> 4 out: opens, closes, clientDied calls, calls in flight
    kIPCTestPrivileged = 5,      // kIOReturnNotPrivileged unless the owning task is root
    kIPCTestBlock = 6,           // blocks until kIPCTestRelease (or 60 s)
    kIPCTestRelease = 7,         // releases every blocked call
    kIPCTestMessage = 8,         // 1 in: messageClients(kIPCTestMessageType, in) on the driver
    kIPCTestPublishNub = 9,      // 1 in: attaches and registers an IPCTestNub with NubID = in
    kIPCTestTerminateNubs = 10,  // terminates every nub
    kIPCTestWriteShared = 11,    // 1 in: writes "shared <in>" at the start of memory type 0
    kIPCTestStructInvert = 12,   // variable struct in -> the same length out, every byte inverted;
                                 // reads and writes descriptors for structures above 4096 bytes;
                                 // 1 out: 1 if the input came as a descriptor, 2 if the output did
    kIPCTestFixedLarge = 13,     // struct in of exactly kIPCTestFixedLargeSize bytes (a descriptor)
    kIPCTestSelectorCount
};

#define kIPCTestMessageType 0xE0001234u
#define kIPCTestSharedSize 4096
#define kIPCTestFixedLargeSize 8192
