// SystemPower.cpp: OpenIOKitSystemSleep / OpenIOKitSystemWake (<IOKit/OpenIOKit.h>), what
// `pmset sleepnow` / `pmset wake` send: iokitd runs the kernel's simulated system sleep or wake.
#include "ClientSupport.h"

#include <IOKit/OpenIOKit.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

namespace {

// The SystemPower request's action field (src/ipc/Wire.h).
enum : uint32_t {
    kActionSleep = 0,
    kActionWake = 1,
};

IOReturn requestSystemPower(uint32_t action)
{
    Call call(Op::SystemPower);
    call.w().u32(action);
    return call.run().result;
}

}  // namespace

extern "C" {

IOReturn OpenIOKitSystemSleep(void)
{
    return requestSystemPower(kActionSleep);
}

IOReturn OpenIOKitSystemWake(void)
{
    return requestSystemPower(kActionWake);
}

}  // extern "C"
