// OpenIOKitLog.cpp: reading iokitd's kernel log ring (<IOKit/OpenIOKitLog.h>).
#include "ClientSupport.h"

#include <IOKit/OpenIOKitLog.h>

using namespace openiokit;
using namespace openiokit::client;

extern "C" IOReturn OpenIOKitLogRead(uint64_t* fromSequence, uint32_t maxEntries, uint32_t waitMilliseconds,
                                     OpenIOKitLogCallback callback, void* context)
{
    if (!fromSequence || !callback) {
        return kIOReturnBadArgument;
    }
    Call call(ipc::Op::LogRead);
    call.w().u64(*fromSequence).u32(maxEntries ? maxEntries : UINT32_MAX).u32(waitMilliseconds);
    Reply reply = call.run();
    if (!reply.ok()) {
        return reply.result;
    }
    const uint64_t next = reply.fields.u64();
    const uint32_t count = reply.fields.u32();
    for (uint32_t i = 0; i < count && reply.fields.ok(); i++) {
        OpenIOKitLogEntry entry{};
        entry.sequence = reply.fields.u64();
        entry.timeMicros = reply.fields.i64();
        entry.type = reply.fields.u8();
        const std::string module(reply.fields.str(ipc::kMaxString));
        const std::string line(reply.fields.str(ipc::kMaxOutOfLinePayload));
        if (!reply.fields.ok()) {
            break;
        }
        entry.module = module.c_str();
        entry.text = line.c_str();
        *fromSequence = entry.sequence + 1;
        if (!callback(context, &entry)) {
            return kIOReturnSuccess;
        }
    }
    if (!reply.fields.ok()) {
        return kIOReturnIPCError;
    }
    *fromSequence = next;
    return kIOReturnSuccess;
}
