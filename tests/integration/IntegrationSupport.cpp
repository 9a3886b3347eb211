#include "IntegrationSupport.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace integration {

TempDir::TempDir()
{
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/openiokit-it-XXXXXX";
    if (!mkdtemp(pattern.data())) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
    // The unprivileged tests (uid 65534) must reach the socket inside.
    chmod(path_.c_str(), 0755);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

namespace {

bool connectable(const std::string& path)
{
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
}

pid_t spawnDaemon(const std::string& stateDir, const std::string& logPath, bool loadTestKext,
                  const std::vector<std::string>& extraArgs)
{
    std::vector<std::string> args = {OPENIOKIT_IOKITD, "--foreground", "--state-dir", stateDir};
    if (loadTestKext) {
        args.insert(args.end(), {"--load", OPENIOKIT_IPC_TEST_KEXT});
    }
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    const pid_t pid = fork();
    if (pid == 0) {
        const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(log, STDERR_FILENO);
        dup2(log, STDOUT_FILENO);
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Daemon::Daemon(bool loadTestKext)
{
    socket_ = dir_.path() + "/iokitd.sock";
    logPath_ = dir_.path() + "/iokitd.log";
    setenv(kOpenIOKitSocketEnvironment, socket_.c_str(), 1);
    pid_ = spawnDaemon(dir_.path(), logPath_, loadTestKext, {});
    const bool up = eventually([&] {
        int status;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;  // died: reported below
        }
        return connectable(socket_);
    });
    if (!up || pid_ < 0) {
        ADD_FAILURE() << "iokitd did not start; its log:\n" << log();
    }
}

Daemon::~Daemon()
{
    if (pid_ > 0) {
        const int status = stop();
        if (status != 0) {
            ADD_FAILURE() << "iokitd exited with " << status << "; its log:\n" << log();
        }
    }
}

int Daemon::stop()
{
    if (pid_ <= 0) {
        return -1;
    }
    kill(pid_, SIGTERM);
    const int status = waitChild(pid_);
    pid_ = -1;
    return status;
}

std::string Daemon::log() const
{
    return readFile(logPath_);
}

std::pair<int, std::string> Daemon::runSecond(const std::vector<std::string>& extraArgs) const
{
    const std::string logPath = dir_.path() + "/second.log";
    const pid_t pid = spawnDaemon(dir_.path(), logPath, false, extraArgs);
    const int status = waitChild(pid, std::chrono::seconds(30));
    return {status, readFile(logPath)};
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

pid_t forkChild(const std::function<int()>& body)
{
    const pid_t pid = fork();
    if (pid == 0) {
        _exit(body());
    }
    return pid;
}

int waitChild(pid_t pid, std::chrono::seconds timeout)
{
    int status = 0;
    const bool done = eventually(
        [&] {
            const pid_t r = waitpid(pid, &status, WNOHANG);
            return r == pid || (r < 0 && errno == ECHILD);
        },
        timeout);
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

io_service_t findDriver()
{
    io_service_t service = IO_OBJECT_NULL;
    eventually([&] {
        service = IOServiceGetMatchingService(kIOMainPortDefault, IOServiceMatching(kIPCTestDriverClass));
        return service != IO_OBJECT_NULL;
    });
    return service;
}

kern_return_t openDriver(io_connect_t* connect)
{
    io_service_t service = findDriver();
    if (!service) {
        return kIOReturnNotFound;
    }
    const kern_return_t kr = IOServiceOpen(service, mach_task_self(), 0, connect);
    IOObjectRelease(service);
    return kr;
}

Stats stats(io_connect_t connect)
{
    uint64_t out[4] = {};
    uint32_t count = 4;
    const kern_return_t kr = IOConnectCallScalarMethod(connect, kIPCTestStats, nullptr, 0, out, &count);
    EXPECT_EQ(kr, kIOReturnSuccess);
    return Stats{out[0], out[1], out[2], out[3]};
}

}  // namespace integration
