// bench_ipc: the cost of IOKitLib over iokitd's socket, against a raw Unix-socket ping-pong of
// the same size between two processes, measured in the same run (docs/wire-protocol.md).
//   BM_RawPingPong         a SOCK_SEQPACKET round trip of one request/reply-sized record
//   BM_ScalarCall          IOConnectCallScalarMethod, 1 scalar in, 1 out (threads = clients)
//   BM_OpenClose           IOServiceOpen + IOServiceClose
//   BM_DaemonMemoryPerConnection  iokitd's RSS growth per open connection (counter)
// Starts its own iokitd with the IPCTestDriver kext in a temp dir.
#include "IPCTestProtocol.h"
#include "Socket.h"

#include <IOKit/IOKitLib.h>
#include <IOKit/OpenIOKit.h>
#include <benchmark/benchmark.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

pid_t gDaemon = -1;
std::string gStateDir;
io_connect_t gConnect = IO_OBJECT_NULL;
io_service_t gService = IO_OBJECT_NULL;

// The sizes of an IOConnectCallScalarMethod request and reply on the wire.
constexpr size_t kRequestBytes = 20 + 4 * 5 + 8 + 4 + 4 + 8;
constexpr size_t kReplyBytes = 20 + 4 + 4 + 8 + 4;

void startDaemon()
{
    char dir[] = "/tmp/openiokit-bench-XXXXXX";
    gStateDir = mkdtemp(dir);
    const std::string socket = gStateDir + "/iokitd.sock";
    setenv(kOpenIOKitSocketEnvironment, socket.c_str(), 1);
    gDaemon = fork();
    if (gDaemon == 0) {
        execl(OPENIOKIT_IOKITD, OPENIOKIT_IOKITD, "--foreground", "--state-dir", gStateDir.c_str(), "--load",
              OPENIOKIT_IPC_TEST_KEXT, static_cast<char*>(nullptr));
        _exit(127);
    }
    for (int i = 0; i < 3000 && !gService; i++) {
        gService = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass));
        if (!gService) {
            usleep(10000);
        }
    }
    if (!gService || IOServiceOpen(gService, mach_task_self(), 0, &gConnect) != kIOReturnSuccess) {
        fprintf(stderr, "bench_ipc: cannot open the test driver\n");
        std::exit(1);
    }
}

void stopDaemon()
{
    IOServiceClose(gConnect);
    IOObjectRelease(gService);
    kill(gDaemon, SIGTERM);
    waitpid(gDaemon, nullptr, 0);
    std::filesystem::remove_all(gStateDir);
}

long daemonRSSKiB()
{
    std::ifstream status("/proc/" + std::to_string(gDaemon) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return 0;
}

void BM_RawPingPong(benchmark::State& state)
{
    int fds[2];
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds);
    const pid_t echo = fork();
    if (echo == 0) {
        close(fds[0]);
        char buffer[256];
        for (;;) {
            const ssize_t n = recv(fds[1], buffer, sizeof(buffer), 0);
            if (n <= 0 || send(fds[1], buffer, kReplyBytes, 0) < 0) {
                _exit(0);
            }
        }
    }
    close(fds[1]);
    char request[kRequestBytes] = {};
    char reply[256];
    for (auto _ : state) {
        send(fds[0], request, sizeof(request), 0);
        benchmark::DoNotOptimize(recv(fds[0], reply, sizeof(reply), 0));
    }
    close(fds[0]);
    waitpid(echo, nullptr, 0);
}
BENCHMARK(BM_RawPingPong)->UseRealTime();

void BM_ScalarCall(benchmark::State& state)
{
    uint64_t in = 1;
    uint64_t out = 0;
    for (auto _ : state) {
        uint32_t count = 1;
        if (IOConnectCallScalarMethod(gConnect, kIPCTestEcho, &in, 1, &out, &count) != kIOReturnSuccess) {
            state.SkipWithError("call failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScalarCall)->UseRealTime()->Threads(1)->Threads(2)->Threads(4)->Threads(16);

void BM_OpenClose(benchmark::State& state)
{
    for (auto _ : state) {
        io_connect_t connect = IO_OBJECT_NULL;
        if (IOServiceOpen(gService, mach_task_self(), 0, &connect) != kIOReturnSuccess) {
            state.SkipWithError("open failed");
            break;
        }
        IOServiceClose(connect);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenClose)->UseRealTime();

void BM_DaemonMemoryPerConnection(benchmark::State& state)
{
    constexpr int kConnections = 1000;
    for (auto _ : state) {
        const long before = daemonRSSKiB();
        std::vector<io_connect_t> connections(kConnections);
        for (auto& c : connections) {
            IOServiceOpen(gService, mach_task_self(), 0, &c);
        }
        const long after = daemonRSSKiB();
        state.counters["bytes_per_connection"] = double(after - before) * 1024.0 / kConnections;
        for (auto c : connections) {
            IOServiceClose(c);
        }
    }
}
BENCHMARK(BM_DaemonMemoryPerConnection)->Iterations(1)->UseRealTime();

}  // namespace

int main(int argc, char** argv)
{
    benchmark::Initialize(&argc, argv);
    startDaemon();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    stopDaemon();
    return 0;
}
