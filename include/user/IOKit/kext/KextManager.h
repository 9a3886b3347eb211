// <IOKit/kext/KextManager.h>: Apple's kext management calls (IOKitUser kext.subproj
// KextManager.h), answered by iokitd. The daemon's explanation of a failure is available from
// OpenIOKitCopyLastErrorMessage() (<IOKit/OpenIOKit.h>).
#pragma once

#include <CoreFoundation/CoreFoundation.h>
#include <libkern/OSKextLib.h>
#include <libkern/OSReturn.h>

#ifdef __cplusplus
extern "C" {
#endif

// Loads the kext at `kextURL` (a file URL or path) and its dependencies. `dependencyKextAndFolderURLs`
// (extra search locations) is accepted and ignored: iokitd searches its extension directories.
OSReturn KextManagerLoadKextWithURL(CFURLRef kextURL, CFArrayRef dependencyKextAndFolderURLs);
OSReturn KextManagerLoadKextWithIdentifier(CFStringRef kextIdentifier, CFArrayRef dependencyKextAndFolderURLs);
// Terminates the kext's services, removes its personalities, and unloads it.
OSReturn KextManagerUnloadKextWithIdentifier(CFStringRef kextIdentifier);
// bundle id -> info dictionary for the kexts named in `kextIdentifiers` (NULL = all); `infoKeys`
// (NULL = all keys) filters the keys of each info dictionary. Caller releases.
CFDictionaryRef KextManagerCopyLoadedKextInfo(CFArrayRef kextIdentifiers, CFArrayRef infoKeys);

#ifdef __cplusplus
}
#endif
