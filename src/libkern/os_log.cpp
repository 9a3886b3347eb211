// os_log for kexts: handles, the privacy-qualifier stripping, and the hand-off to the kernel
// log. Attribution uses the caller's __dso_handle, which os_log's macros pass in.
#include "KernelLog.h"

#include "common/NoDestructor.h"

#include <os/log.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

struct os_log_s {
    std::string subsystem;
    std::string category;
    bool enabled = true;
};

extern "C" {
struct os_log_s _os_log_default {};
struct os_log_s _os_log_disabled { {}, {}, false };
}

namespace {

class LogHandles {
public:
    os_log_t handleFor(const char *subsystem, const char *category)
    {
        auto key = std::make_pair(std::string(subsystem ? subsystem : ""), std::string(category ? category : ""));
        std::lock_guard guard(mutex_);
        auto &handle = handles_[key];
        if (!handle) {
            handle = std::make_unique<os_log_s>(os_log_s{std::move(key.first), std::move(key.second), true});
        }
        return handle.get();
    }

private:
    std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::unique_ptr<os_log_s>> handles_;
};

LogHandles &logHandles()
{
    // Handles are never released in the kernel: kexts keep them in globals past unload.
    static openiokit::NoDestructor<LogHandles> handles;
    return *handles;
}

// "%{public}s" -> "%s", "%{private, mask.hash}d" -> "%d"; "%%{" is a literal and stays.
std::string stripQualifiers(const char *format)
{
    std::string plain;
    for (const char *cursor = format; *cursor != '\0'; ++cursor) {
        plain += *cursor;
        if (*cursor != '%') {
            continue;
        }
        if (cursor[1] == '%') {
            plain += *++cursor;
        } else if (cursor[1] == '{') {
            const char *close = cursor + 2;
            while (*close != '\0' && *close != '}') {
                ++close;
            }
            if (*close == '\0') {
                break; // unterminated qualifier: drop it rather than hand vsnprintf garbage
            }
            cursor = close;
        }
    }
    return plain;
}

} // namespace

extern "C" {

os_log_t os_log_create(const char *subsystem, const char *category)
{
    return logHandles().handleFor(subsystem, category);
}

bool os_log_type_enabled(os_log_t oslog, os_log_type_t type)
{
    return oslog != nullptr && oslog->enabled;
}

void _os_log_internal(void *dso, os_log_t log, os_log_type_t type, const char *format, ...)
{
    if (!os_log_type_enabled(log, type) || format == nullptr) {
        return;
    }
    const std::string plainFormat = stripQualifiers(format);
    std::va_list args;
    va_start(args, format);
    std::string text = openiokit::formatMessage(plainFormat.c_str(), args);
    va_end(args);
    openiokit::KernelLog::append(openiokit::KernelLog::moduleForAddress(dso), type, text);
}

} // extern "C"
