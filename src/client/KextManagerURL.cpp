// KextManagerURL.cpp: KextManagerLoadKextWithURL: the bundle URL's file-system path, loaded by
// the daemon's kext loader (KextLoadWithPath; root only, as kextd's load requests).
#include "ClientSupport.h"

#include <IOKit/kext/KextManager.h>

using namespace openiokit;
using namespace openiokit::client;
using ipc::Op;

OSReturn openiokitKextRequest(Call& call);

extern "C" {

OSReturn KextManagerLoadKextWithURL(CFURLRef kextURL, CFArrayRef)
{
    if (!kextURL) {
        return kOSKextReturnInvalidArgument;
    }
    char path[4096];
    if (!CFURLGetFileSystemRepresentation(kextURL, true, reinterpret_cast<UInt8*>(path), sizeof(path))) {
        return kOSKextReturnInvalidArgument;
    }
    Call call(Op::KextLoadWithPath);
    call.w().str(path);
    return openiokitKextRequest(call);
}

}  // extern "C"
