// EventLog: one line per event on stdout, flushed at once, so tests and the demo can follow a
// daemon while it runs. Every line is
//     osxkernel-clientd <name> <event> [key=value ...]
// with <name> from --name and <event> one word (docs/demo.md lists them).
#pragma once

#include <IOKit/IOReturn.h>

#include <string>
#include <string_view>

namespace clientd {

class EventLog {
public:
    explicit EventLog(std::string name) : name_(std::move(name)) {}

    // Writes "osxkernel-clientd <name> <event> <details>".
    void write(std::string_view event, std::string_view details = {}) const;

    // "result=0x... (text)" for an IOReturn / kern_return_t.
    static std::string result(IOReturn code);

private:
    std::string name_;
};

}  // namespace clientd
