#include "SystemSupport.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace systemtest {

namespace {

std::string readFile(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "openiokit-system.XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

// --- Process ----------------------------------------------------------------------------------

Process::Process(const std::vector<std::string>& argv, const std::string& logPath, const std::vector<std::string>& env,
                 uid_t uid)
    : logPath_(logPath)
{
    // Everything the child needs is built before fork: after it only async-signal-safe calls.
    std::vector<char*> args;
    for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    std::vector<std::string> environment;
    for (char** e = environ; *e; e++) {
        const std::string entry = *e;
        const bool overridden = std::any_of(env.begin(), env.end(), [&](const std::string& mine) {
            return entry.compare(0, mine.find('=') + 1, mine, 0, mine.find('=') + 1) == 0;
        });
        if (!overridden) {
            environment.push_back(entry);
        }
    }
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (const std::string& e : environment) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        if (uid != 0 && (::setgid(uid) != 0 || ::setuid(uid) != 0)) {
            ::_exit(126);
        }
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ::close(fd);
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_), status_(other.status_), reaped_(other.reaped_), logPath_(std::move(other.logPath_))
{
    other.pid_ = -1;
}

Process::~Process()
{
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
    }
}

void Process::signal(int signo) const
{
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, signo);
    }
}

bool Process::exited()
{
    if (reaped_) {
        return true;
    }
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
        reaped_ = true;
    }
    return reaped_;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
    if (!eventually([&] { return exited(); }, timeout)) {
        return std::nullopt;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

std::string Process::output() const
{
    return readFile(logPath_);
}

size_t Process::count(const std::string& needle) const
{
    return countContaining(splitLines(output()), needle);
}

// --- Daemon -----------------------------------------------------------------------------------

Daemon::Daemon(double autounloadDelaySeconds) : socket_(dir_.path() + "/iokitd.sock")
{
    // mkdtemp makes the directory 0700; unprivileged clients (uid 65534) must reach the socket.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                  std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                                  std::filesystem::perms::others_exec);
    char delay[32];
    std::snprintf(delay, sizeof delay, "%g", autounloadDelaySeconds);
    daemon_.emplace(std::vector<std::string>{OPENIOKIT_IOKITD, "--foreground", "--state-dir", dir_.path(),
                                             "--autounload-delay", delay, "--extensions", OPENIOKIT_KEXT_DIR,
                                             "--extensions", OPENIOKIT_TEST_KEXT_DIR},
                    dir_.path() + "/iokitd.log", environment());
    const bool up = eventually([&] {
        return daemon_->exited() || tool("kextstat", {"-l", "-b", "none"}).exitCode == 0;
    });
    if (!up || daemon_->exited()) {
        ADD_FAILURE() << "iokitd did not start: " << daemon_->output();
    }
}

Daemon::~Daemon()
{
    daemon_->signal(SIGTERM);
    if (!daemon_->wait(45s)) {
        ADD_FAILURE() << "iokitd did not stop within 45 s of SIGTERM";
    }
}

Result Daemon::tool(const std::string& name, const std::vector<std::string>& args, uid_t uid) const
{
    std::vector<std::string> argv{std::string(OPENIOKIT_TOOLS_DIR) + "/" + name};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = dir_.path() + "/tool-" + std::to_string(serial_++) + ".log";
    Process process(argv, log, environment(), uid);
    Result result;
    if (auto status = process.wait(60s)) {
        result.exitCode = *status;
    }
    result.output = process.output();
    std::filesystem::remove(log);
    return result;
}

Process Daemon::clientd(const std::string& name, const std::vector<std::string>& args) const
{
    std::vector<std::string> argv{OPENIOKIT_CLIENTD, "--name", name};
    argv.insert(argv.end(), args.begin(), args.end());
    return Process(argv, dir_.path() + "/" + name + "-" + std::to_string(serial_++) + ".log", environment());
}

Process Daemon::fixtureClient(const std::string& name, const std::vector<std::string>& args, uid_t uid) const
{
    std::vector<std::string> argv{OPENIOKIT_FIXTURE_CLIENT};
    argv.insert(argv.end(), args.begin(), args.end());
    return Process(argv, dir_.path() + "/" + name + "-" + std::to_string(serial_++) + ".log", environment(), uid);
}

long Daemon::classCount(const std::string& className) const
{
    const Result r = tool("ioclasscount", {className});
    const auto at = r.output.find(" = ");
    return r.exitCode == 0 && at != std::string::npos ? std::strtol(r.output.c_str() + at + 3, nullptr, 10) : 0;
}

bool Daemon::kextLoaded(const std::string& bundleID) const
{
    return tool("kextstat", {"-l", "-b", bundleID}).output.find(bundleID) != std::string::npos;
}

uint64_t Daemon::lastLogSequence() const
{
    const auto lines = splitLines(tool("kernlog", {"--raw", "--sequence"}).output);
    return lines.empty() ? 0 : std::strtoull(lines.back().c_str(), nullptr, 10);
}

std::vector<std::string> Daemon::kernelLog(uint64_t since) const
{
    return splitLines(tool("kernlog", {"--raw", "--since", std::to_string(since)}).output);
}

long Daemon::residentKiB() const
{
    std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

void Daemon::loadSimBusAndPlug(const std::string& device, const std::string& property) const
{
    const Result load = tool("kextload", {simBusKext()});
    ASSERT_EQ(load.exitCode, 0) << load.output;
    const Result plug = tool("simbusctl", {"plug", device, property + "=true"});
    ASSERT_EQ(plug.exitCode, 0) << plug.output;
}

// --- helpers ----------------------------------------------------------------------------------

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

size_t countContaining(const std::vector<std::string>& lines, const std::string& needle)
{
    return static_cast<size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

int raceIterations()
{
    if (const char* text = std::getenv("OPENIOKIT_RACE_ITERATIONS"); text && *text) {
        return std::max(1, std::atoi(text));
    }
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    return 20;
#else
    return 200;
#endif
}

std::string driverKext() { return std::string(OPENIOKIT_KEXT_DIR) + "/com_osxkernel_driver.kext"; }
std::string simBusKext() { return std::string(OPENIOKIT_KEXT_DIR) + "/SimBus.kext"; }
std::string testKext(const std::string& name) { return std::string(OPENIOKIT_TEST_KEXT_DIR) + "/" + name + ".kext"; }

}  // namespace systemtest
