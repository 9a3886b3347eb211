#include "ToolsTestSupport.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace toolstest {

namespace fs = std::filesystem;

TempDir::TempDir()
{
    std::string pattern = (fs::temp_directory_path() / "oiok-tools-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    }
    path_ = pattern;
    // The unprivileged child (uid 65534) must be able to reach the socket.
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(path_, ec);
}

namespace {

bool connectable(const std::string& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

std::string readAll(int fd)
{
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
        out.append(buffer, static_cast<size_t>(n));
    }
    return out;
}

}  // namespace

Daemon::Daemon(const std::vector<std::string>& loads)
{
    socket_ = dir_.path() + "/iokitd.sock";
    logPath_ = dir_.path() + "/iokitd.log";
    ::setenv("OPENIOKIT_SOCKET", socket_.c_str(), 1);
    std::vector<std::string> args = {OPENIOKIT_IOKITD, "--foreground", "--state-dir", dir_.path(),
                                     "--extensions", OPENIOKIT_KEXT_DIR, "--extensions", OPENIOKIT_TEST_KEXT_DIR,
                                     // No autounload while a test runs (xnu waits 60 s).
                                     "--autounload-delay", "3600"};
    for (const std::string& k : loads) {
        args.push_back("--load");
        args.push_back(k);
    }
    pid_ = ::fork();
    if (pid_ == 0) {
        const int log = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(log, STDERR_FILENO);
        ::dup2(log, STDOUT_FILENO);
        std::vector<char*> argv;
        for (std::string& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    const bool up = eventually([&] {
        int status;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;
        }
        return connectable(socket_);
    });
    if (!up || pid_ < 0) {
        ADD_FAILURE() << "iokitd did not start; its log:\n" << log();
    }
}

Daemon::~Daemon()
{
    if (::testing::Test::HasFailure()) {
        std::fprintf(stderr, "--- iokitd log\n%s--- end of iokitd log\n", log().c_str());
    }
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

std::string Daemon::log() const
{
    std::ifstream in(logPath_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Result runTool(const std::string& tool, const std::vector<std::string>& args, const RunOptions& options)
{
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe: " << std::strerror(errno);
        return {};
    }
    std::vector<std::string> argvStrings = {std::string(OPENIOKIT_TOOLS_DIR) + "/" + tool};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        if (!options.socket.empty()) {
            ::setenv("OPENIOKIT_SOCKET", options.socket.c_str(), 1);
        }
        if (options.uid != 0 && (::setgid(options.uid) != 0 || ::setuid(options.uid) != 0)) {
            ::_exit(126);
        }
        std::vector<char*> argv;
        for (std::string& a : argvStrings) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    // Read both pipes concurrently so neither child stream can fill and block it.
    Result result;
    std::thread errReader([&] { result.err = readAll(err[0]); });
    result.out = readAll(out[0]);
    errReader.join();
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string testKext(const std::string& name)
{
    return std::string(OPENIOKIT_TEST_KEXT_DIR) + "/" + name + ".kext";
}

std::string kext(const std::string& name)
{
    return std::string(OPENIOKIT_KEXT_DIR) + "/" + name + ".kext";
}

std::string normalise(const std::string& text)
{
    static const std::vector<std::pair<std::regex, std::string>> rules = {
        {std::regex("id 0x[0-9a-f]+"), "id <id>"},
        {std::regex("retain [0-9]+"), "retain <n>"},
        // The busy count may still be settling while a test reads it; the time is a duration.
        {std::regex("busy [0-9]+( \\([0-9]+ ms\\))?"), "busy <n>$1"},
        {std::regex(" \\([0-9]+ ms\\)"), " (<t> ms)"},
        {std::regex("registry ID 0x[0-9a-f]+"), "registry ID <id>"},
        {std::regex("\\b0x1[0-9a-f]{8}\\b"), "<id>"},  // registry IDs in simbusctl list
        {std::regex("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"), "<uuid>"},
        {std::regex("/[^ \n]*/oiok-tools-[A-Za-z0-9]{6}"), "<tmp>"},
        {std::regex(OPENIOKIT_TEST_KEXT_DIR), "<test-kexts>"},
        {std::regex(OPENIOKIT_KEXT_DIR), "<kexts>"},
    };
    std::string out = text;
    for (const auto& [pattern, replacement] : rules) {
        out = std::regex_replace(out, pattern, replacement);
    }
    return out;
}

void expectGolden(const std::string& name, const std::string& actual)
{
    const fs::path path = fs::path(OPENIOKIT_GOLDEN_DIR) / name;
    const char* update = std::getenv("OPENIOKIT_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream(path) << actual;
        return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << "missing golden file " << path << "; actual output:\n" << actual;
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(expected.str(), actual) << "golden file " << path;
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace toolstest
