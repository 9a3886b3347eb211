// openiokit/KernelLog.h: the kernel log sink (OpenIOKit-internal API, not Apple's). IOLog,
// os_log and kprintf all end here. Each line becomes one Entry: wall-clock time, the module
// (bundle identifier of the kext whose code logged it, or "kernel"), the log type and the text.
// Entries are echoed to stderr as `kernel: (com.example.kext) text` and kept in a bounded ring
// that the daemon exposes; subscribers see every entry as it is appended (for tests and
// `--follow`). The kext loader registers each loaded image so that lines are attributed the way
// macOS attributes them. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace openiokit {

class KernelLog {
public:
    struct Entry {
        std::uint64_t sequence;                       // 1, 2, 3 ... in append order
        std::chrono::system_clock::time_point time;   // wall clock when logged
        std::string module;                           // bundle id, or kUnknownModule
        std::uint8_t type;                            // os_log_type_t; IOLog is OS_LOG_TYPE_DEFAULT
        std::string text;                             // one line, no trailing newline
    };
    using Subscriber = std::function<void(const Entry &)>;
    using SubscriptionID = std::uint64_t;

    static constexpr std::string_view kUnknownModule = "kernel";
    static constexpr std::size_t kDefaultCapacity = 4096;

    // Attribution: calls whose code lies in the image loaded at `imageBase` (dladdr's dli_fbase)
    // are logged as `bundleID`. Registering a base again replaces its bundle id.
    static void registerModule(const void *imageBase, std::string bundleID);
    static void unregisterModule(const void *imageBase);
    // The bundle id for code or data at `address`, or kUnknownModule.
    static std::string moduleForAddress(const void *address);

    // Appends `text` as module `module`: one entry per line; a trailing newline adds no empty
    // entry and empty text adds nothing.
    static void append(std::string_view module, std::uint8_t type, std::string_view text);

    // The ring, oldest first. Shrinking the capacity drops the oldest entries.
    static std::vector<Entry> snapshot();
    static void clear();
    static void setCapacity(std::size_t lines);
    static std::size_t capacity();

    // Echo settings. Defaults: echo on, no timestamp prefix.
    static void setEchoToStderr(bool enabled);
    static void setTimestampPrefix(bool enabled);
    // How an entry is echoed: "kernel: (module) text", optionally with a local-time prefix
    // "YYYY-MM-DD HH:MM:SS.uuuuuu ".
    static std::string formatLine(const Entry &entry, bool withTimestamp);

    // Subscribers run on the logging thread, after the entry is in the ring, one at a time per
    // subscriber. Lines a subscriber itself logs are not delivered back to subscribers (they
    // still reach the ring). After unsubscribe returns, the callback is not running and will not
    // run again; do not call unsubscribe from inside a callback.
    static SubscriptionID subscribe(Subscriber subscriber);
    static void unsubscribe(SubscriptionID id);
};

} // namespace openiokit
