// Bad input: each case gets an IOReturn or a closed connection with the reason in the kernel
// log, and the daemon and every other client carry on.
#include "IntegrationSupport.h"

#include "Codec.h"
#include "Socket.h"
#include "Wire.h"

#include <IOKit/OpenIOKitLog.h>

#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace integration;
using namespace openiokit;

namespace {

ipc::Socket rawConnect(const Daemon& daemon)
{
    auto socket = ipc::Socket::connect(daemon.socketPath());
    EXPECT_TRUE(socket.has_value());
    return socket ? std::move(*socket) : ipc::Socket();
}

// True once the daemon closed `socket` (recv returns 0).
bool closedByDaemon(ipc::Socket& socket)
{
    std::vector<uint8_t> storage;
    auto message = socket.receive(storage);
    return !message && message.error().status == ipc::ReceiveStatus::Closed;
}

bool logContains(const std::string& text)
{
    struct Search {
        std::string text;
        bool found = false;
    } search{text};
    uint64_t from = 0;
    OpenIOKitLogRead(
        &from, 0, 0,
        [](void* context, const OpenIOKitLogEntry* entry) {
            auto* s = static_cast<Search*>(context);
            s->found = s->found || std::string(entry->text).find(s->text) != std::string::npos;
            return true;
        },
        &search);
    return search.found;
}

// The daemon still answers an ordinary client.
void expectServing()
{
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    uint64_t in = 1, out = 0;
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, &in, 1, &out, &count), kIOReturnSuccess);
    EXPECT_EQ(out, 2u);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

void sendRaw(ipc::Socket& socket, const std::vector<uint8_t>& bytes)
{
    ASSERT_EQ(::send(socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

std::vector<uint8_t> header(uint32_t magic, uint16_t version, uint16_t op, uint32_t payloadLength)
{
    std::vector<uint8_t> bytes;
    ipc::Writer(bytes).u32(magic).u16(version).u16(op).u32(1).u32(payloadLength).u32(0);
    return bytes;
}

// Sends one well-framed request on a raw connection and returns the reply's IOReturn.
IOReturn rawRequest(ipc::Socket& socket, ipc::Op op, const std::vector<uint8_t>& payload)
{
    EXPECT_EQ(socket.send(static_cast<uint16_t>(op), 7, payload), 0);
    std::vector<uint8_t> storage;
    auto reply = socket.receive(storage);
    if (!reply) {
        return kIOReturnIPCError;
    }
    ipc::Reader r(reply->payload);
    return r.i32();
}

}  // namespace

TEST(BadInput, TruncatedRecordClosesTheConnectionWithTheReasonLogged)
{
    Daemon daemon;
    ipc::Socket socket = rawConnect(daemon);
    sendRaw(socket, {1, 2, 3, 4, 5});
    EXPECT_TRUE(closedByDaemon(socket));
    EXPECT_TRUE(eventually([] { return logContains("truncated record of 5 bytes"); }));
    expectServing();
}

TEST(BadInput, OversizedRecordIsRefused)
{
    Daemon daemon;
    ipc::Socket socket = rawConnect(daemon);
    int size = 1 << 20;
    setsockopt(socket.fd(), SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    std::vector<uint8_t> bytes = header(ipc::kMagic, ipc::kVersion, 10, 200000);
    bytes.resize(ipc::kHeaderSize + 200000);
    sendRaw(socket, bytes);
    EXPECT_TRUE(closedByDaemon(socket));
    EXPECT_TRUE(eventually([] { return logContains("record longer than"); }));
    expectServing();
}

TEST(BadInput, GarbageAndWrongVersionAreRefused)
{
    Daemon daemon;
    {
        ipc::Socket socket = rawConnect(daemon);
        sendRaw(socket, std::vector<uint8_t>(64, 0xAB));
        EXPECT_TRUE(closedByDaemon(socket));
    }
    {
        ipc::Socket socket = rawConnect(daemon);
        sendRaw(socket, header(ipc::kMagic, 99, 10, 0));
        EXPECT_TRUE(closedByDaemon(socket));
    }
    {
        ipc::Socket socket = rawConnect(daemon);
        sendRaw(socket, header(ipc::kMagic, ipc::kVersion, 10, 12));  // claims 12 bytes, sends 0
        EXPECT_TRUE(closedByDaemon(socket));
    }
    EXPECT_TRUE(eventually([] { return logContains("bad magic number"); }));
    EXPECT_TRUE(logContains("protocol version 99 is not supported"));
    EXPECT_TRUE(logContains("does not match the 0 bytes received"));
    expectServing();
}

TEST(BadInput, MalformedFieldsAndUnknownRequestsGetAnIOReturn)
{
    Daemon daemon;
    ipc::Socket socket = rawConnect(daemon);
    EXPECT_EQ(rawRequest(socket, ipc::Op::ObjectRelease, {1, 2}), kIOReturnBadArgument);           // truncated u32
    EXPECT_EQ(rawRequest(socket, ipc::Op::ObjectRelease, {1, 2, 3, 4, 5}), kIOReturnBadArgument);  // left over
    std::vector<uint8_t> hugeString;
    ipc::Writer(hugeString).u32(0xFFFFFFF0);  // a string length far past the record
    EXPECT_EQ(rawRequest(socket, ipc::Op::GetMatchingServices, hugeString), kIOReturnBadArgument);
    EXPECT_EQ(rawRequest(socket, static_cast<ipc::Op>(200), {}), -303);  // MIG_BAD_ID
    std::vector<uint8_t> notXML;
    ipc::Writer(notXML).str("<dict><key>unterminated");
    EXPECT_EQ(rawRequest(socket, ipc::Op::GetMatchingServices, notXML), kIOReturnBadArgument);
    // The same raw connection still works.
    std::vector<uint8_t> hello;
    ipc::Writer(hello).u32(ipc::kVersion);
    EXPECT_EQ(rawRequest(socket, ipc::Op::Hello, hello), kIOReturnSuccess);
    expectServing();
}

TEST(BadInput, UnknownAndForeignHandlesAreInvalidNames)
{
    Daemon daemon;
    EXPECT_EQ(IOObjectRelease(0x7FFF0003), MACH_SEND_INVALID_DEST);
    uint64_t in = 1, out = 0;
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(0x7FFF0003, kIPCTestEcho, &in, 1, &out, &count), MACH_SEND_INVALID_DEST);

    // A child makes many names and reports its newest connection's number; here it names nothing.
    int pipeFds[2];   // child -> parent: the name
    int holdFds[2];   // parent -> child: done
    ASSERT_EQ(pipe(pipeFds), 0);
    ASSERT_EQ(pipe(holdFds), 0);
    const pid_t child = forkChild([&] {
        for (int i = 0; i < 40; i++) {
            io_iterator_t it;
            IOServiceGetMatchingServices(kIOMainPortDefault, IOServiceMatching("IOService"), &it);
        }
        io_connect_t connect = IO_OBJECT_NULL;
        if (openDriver(&connect) != kIOReturnSuccess) {
            return 1;
        }
        (void)write(pipeFds[1], &connect, sizeof(connect));
        char done;
        (void)read(holdFds[0], &done, 1);  // hold it until the parent tried
        return 0;
    });
    io_connect_t foreign = IO_OBJECT_NULL;
    ASSERT_EQ(read(pipeFds[0], &foreign, sizeof(foreign)), static_cast<ssize_t>(sizeof(foreign)));
    EXPECT_EQ(IOConnectCallScalarMethod(foreign, kIPCTestEcho, &in, 1, &out, &count), MACH_SEND_INVALID_DEST);
    EXPECT_EQ(IOServiceClose(foreign), MACH_SEND_INVALID_DEST);
    (void)write(holdFds[1], "x", 1);
    EXPECT_EQ(waitChild(child), 0);

    // A name of the wrong kind: an iterator is not a connection.
    io_iterator_t iterator = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceGetMatchingServices(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass), &iterator),
              kIOReturnSuccess);
    EXPECT_EQ(IOConnectCallScalarMethod(iterator, kIPCTestEcho, &in, 1, &out, &count), kIOReturnBadArgument);
    IOObjectRelease(iterator);
}

TEST(BadInput, WrongSelectorAndWrongCountsAreBadArgument)
{
    Daemon daemon;
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&connect), kIOReturnSuccess);
    uint64_t in[2] = {1, 2}, out[2] = {};
    uint32_t count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, 999, in, 1, out, &count), kIOReturnBadArgument);
    count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, in, 2, out, &count), kIOReturnBadArgument);
    count = 2;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, in, 1, out, &count), kIOReturnBadArgument);
    char structure[8] = {};
    count = 1;
    EXPECT_EQ(IOConnectCallMethod(connect, kIPCTestEcho, in, 1, structure, sizeof(structure), out, &count, nullptr,
                                  nullptr),
              kIOReturnBadArgument);
    // Over the xnu limits: refused before anything is sent.
    uint64_t many[17] = {};
    count = 1;
    EXPECT_EQ(IOConnectCallScalarMethod(connect, kIPCTestEcho, many, 17, out, &count), kIOReturnBadArgument);
    expectServing();
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
}

TEST(BadInput, DisconnectMidCallLosesNothing)
{
    Daemon daemon;
    io_connect_t control = IO_OBJECT_NULL;
    ASSERT_EQ(openDriver(&control), kIOReturnSuccess);
    const Stats before = stats(control);
    // A child's thread is inside a call when the child closes everything and exits.
    const pid_t child = forkChild([] {
        io_connect_t connect = IO_OBJECT_NULL;
        if (openDriver(&connect) != kIOReturnSuccess) {
            return 1;
        }
        uint64_t ms = 300;
        uint64_t out;
        uint32_t count = 1;
        std::thread([&] { IOConnectCallScalarMethod(connect, kIPCTestSleep, &ms, 1, &out, &count); }).detach();
        usleep(50 * 1000);
        _exit(0);
    });
    EXPECT_EQ(waitChild(child), 0);
    EXPECT_TRUE(eventually([&] { return stats(control).died == before.died + 1; }));
    expectServing();
    EXPECT_EQ(IOServiceClose(control), kIOReturnSuccess);
}

TEST(BadInput, AClientThatNeverReadsNotificationsCostsTheDaemonBoundedMemory)
{
    Daemon daemon;
    io_service_t service = findDriver();
    io_connect_t connect = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceOpen(service, mach_task_self(), 0, &connect), kIOReturnSuccess);
    IONotificationPortRef port = IONotificationPortCreate(kIOMainPortDefault);
    io_object_t notification = IO_OBJECT_NULL;
    ASSERT_EQ(IOServiceAddInterestNotification(
                  port, service, kIOGeneralInterest, [](void*, io_service_t, uint32_t, void*) {}, nullptr,
                  &notification),
              kIOReturnSuccess);
    constexpr int kMessages = 5000;
    for (uint64_t i = 0; i < kMessages; i++) {
        ASSERT_EQ(IOConnectCallScalarMethod(connect, kIPCTestMessage, &i, 1, nullptr, nullptr), kIOReturnSuccess);
    }
    // Only what fits the port's queue was kept; the rest was dropped and logged once.
    EXPECT_TRUE(eventually([] { return logContains("does not read it"); }));
    const uint32_t queued = IONotificationPortDispatchPending(port);
    EXPECT_GT(queued, 0u);
    EXPECT_LT(queued, static_cast<uint32_t>(kMessages));
    expectServing();
    IOObjectRelease(notification);
    EXPECT_EQ(IOServiceClose(connect), kIOReturnSuccess);
    IONotificationPortDestroy(port);
    IOObjectRelease(service);
}
