// KextManager.cpp: Apple's KextManager calls (<IOKit/kext/KextManager.h>) and the OpenIOKit
// extensions that explain their failures and report class counts (<IOKit/OpenIOKit.h>).
#include "ClientSupport.h"

#include <IOKit/OpenIOKit.h>
#include <IOKit/kext/KextManager.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

namespace {

thread_local std::string tLastErrorMessage;

// A kext request: the OSReturn, and the daemon's sentence kept for OpenIOKitCopyLastErrorMessage.
OSReturn kextRequest(Call& call)
{
    Reply reply = call.run();
    std::string message;
    if (reply.fields.remaining() > 0) {
        message = std::string(reply.fields.str(ipc::kMaxString));
    }
    if (reply.result == MACH_SEND_INVALID_DEST) {
        message = std::string("cannot reach iokitd at ") + socketPath();
    }
    tLastErrorMessage = reply.result == kOSReturnSuccess ? std::string() : message;
    return reply.result;
}

}  // namespace

// For KextManagerURL.cpp.
OSReturn openiokitKextRequest(Call& call)
{
    return kextRequest(call);
}

extern "C" {

OSReturn KextManagerLoadKextWithIdentifier(CFStringRef kextIdentifier, CFArrayRef)
{
    if (!kextIdentifier) {
        return kOSKextReturnInvalidArgument;
    }
    Call call(Op::KextLoadWithIdentifier);
    call.w().str(stringFromCF(kextIdentifier));
    return kextRequest(call);
}

OSReturn KextManagerUnloadKextWithIdentifier(CFStringRef kextIdentifier)
{
    if (!kextIdentifier) {
        return kOSKextReturnInvalidArgument;
    }
    Call call(Op::KextUnload);
    call.w().str(stringFromCF(kextIdentifier)).u32(1);
    return kextRequest(call);
}

CFDictionaryRef KextManagerCopyLoadedKextInfo(CFArrayRef kextIdentifiers, CFArrayRef infoKeys)
{
    Call call(Op::KextCopyLoadedInfo);
    call.w().str(kextIdentifiers ? serialize(kextIdentifiers) : std::string());
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const std::string_view xml = reply.fields.str(ipc::kMaxOutOfLinePayload);
    if (!reply.fields.ok()) {
        return nullptr;
    }
    CFTypeRef all = unserialize(xml, kCFAllocatorDefault);
    if (!all || CFGetTypeID(all) != CFDictionaryGetTypeID()) {
        if (all) {
            CFRelease(all);
        }
        return nullptr;
    }
    auto dict = static_cast<CFDictionaryRef>(all);
    if (!infoKeys) {
        return dict;
    }
    // Keep only the requested keys of each kext's dictionary.
    CFMutableDictionaryRef filtered = CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                &kCFTypeDictionaryValueCallBacks);
    const CFIndex count = CFDictionaryGetCount(dict);
    std::vector<const void*> keys(static_cast<size_t>(count));
    std::vector<const void*> values(static_cast<size_t>(count));
    CFDictionaryGetKeysAndValues(dict, keys.data(), values.data());
    for (CFIndex i = 0; i < count; i++) {
        auto info = static_cast<CFDictionaryRef>(values[static_cast<size_t>(i)]);
        CFMutableDictionaryRef kept = CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                &kCFTypeDictionaryValueCallBacks);
        for (CFIndex k = 0; k < CFArrayGetCount(infoKeys); k++) {
            const void* key = CFArrayGetValueAtIndex(infoKeys, k);
            if (const void* value = CFDictionaryGetValue(info, key)) {
                CFDictionarySetValue(kept, key, value);
            }
        }
        CFDictionarySetValue(filtered, keys[static_cast<size_t>(i)], kept);
        CFRelease(kept);
    }
    CFRelease(dict);
    return filtered;
}

CFStringRef OpenIOKitCopyLastErrorMessage(void)
{
    if (tLastErrorMessage.empty()) {
        return nullptr;
    }
    return CFStringCreateWithCString(kCFAllocatorDefault, tLastErrorMessage.c_str(), kCFStringEncodingUTF8);
}

CFDictionaryRef OpenIOKitCopyClassInstanceCounts(void)
{
    Call call(Op::ClassCounts);
    Reply reply = call.run();
    if (!reply.ok()) {
        return nullptr;
    }
    const std::string_view xml = reply.fields.str(ipc::kMaxOutOfLinePayload);
    if (!reply.fields.ok()) {
        return nullptr;
    }
    CFTypeRef counts = unserialize(xml, kCFAllocatorDefault);
    if (counts && CFGetTypeID(counts) != CFDictionaryGetTypeID()) {
        CFRelease(counts);
        return nullptr;
    }
    return static_cast<CFDictionaryRef>(counts);
}

}  // extern "C"
