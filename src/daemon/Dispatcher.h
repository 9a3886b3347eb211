// Dispatcher.h: decoding one request and running the kernel entry point it names. Each
// Dispatch*.cpp file registers the handlers of one area (objects and registry, services and
// connections, notifications, kexts and catalogue, diagnostics).
//
// A handler reads every field first (the Reader checks each length), checks decoded(), then
// acts; it writes its reply fields after the IOReturn. On an error the reply carries only the
// IOReturn unless the handler set fieldsOnError (kext requests always return their message).
#pragma once

#include "ClientTask.h"
#include "Codec.h"
#include "Socket.h"

#include <IOKit/IOReturn.h>
#include <IOKit/IOUserClient.h>

#include <array>
#include <vector>

namespace openiokit::daemon {

class Daemon;

struct Request {
    Daemon& daemon;
    ClientTask& task;
    uint16_t op;
    ipc::Reader in;
    std::vector<ipc::Fd>& fds;  // rights received with the request
    ipc::Writer out;
    std::vector<ipc::Fd> outFds;  // rights to attach to the reply
    bool fieldsOnError = false;

    // True if the request decoded completely; otherwise logs one sentence naming the request.
    bool decoded();
};

using Handler = IOReturn (*)(Request&);
using HandlerTable = std::array<Handler, 256>;

// The handler for `op`, or NULL.
Handler handlerFor(uint16_t op);
const char* opName(uint16_t op);

void registerObjectHandlers(HandlerTable& table);
void registerServiceHandlers(HandlerTable& table);
void registerNotificationHandlers(HandlerTable& table);
void registerKextHandlers(HandlerTable& table);
void registerDiagnosticHandlers(HandlerTable& table);
void registerPowerHandlers(HandlerTable& table);

// Lookups shared by the handlers, failing as HandleTable::lookup documents; the entry types are
// checked after the kind (a name of the right kind for the wrong class is kIOReturnBadArgument).
std::expected<OSSharedPtr<IORegistryEntry>, IOReturn> lookupEntry(Request& r, mach_port_name_t name);
std::expected<OSSharedPtr<IOService>, IOReturn> lookupService(Request& r, mach_port_name_t name);
std::expected<OSSharedPtr<IOUserClient>, IOReturn> lookupConnect(Request& r, mach_port_name_t name);
// The plane named `name` ("" = IOService plane), or NULL.
const IORegistryPlane* planeNamed(std::string_view name);
// An object handed out to the process as an io_object_t (0 for NULL).
mach_port_name_t nameForObject(Request& r, OSObject* object);

}  // namespace openiokit::daemon
