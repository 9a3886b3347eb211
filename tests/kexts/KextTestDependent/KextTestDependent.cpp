// Calls into the library kext from its kmod start routine, and reports who it is.
#include <IOKit/IOLib.h>
#include <libkern/OSKextLib.h>
#include <mach/kmod.h>

extern "C" int KextTestLibraryAnswer(void);

extern "C" kern_return_t KextTestDependent_start(kmod_info_t* info, void*)
{
    IOLog("Dependent start: answer %d, identifier %s, version %s, tag %u, kmod id %u\n", KextTestLibraryAnswer(),
          OSKextGetCurrentIdentifier(), OSKextGetCurrentVersionString(), OSKextGetCurrentLoadTag(), info->id);
    return KERN_SUCCESS;
}

extern "C" kern_return_t KextTestDependent_stop(kmod_info_t*, void*)
{
    IOLog("Dependent stop\n");
    return KERN_SUCCESS;
}
