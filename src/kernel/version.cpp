// The values behind <libkern/version.h>.
#include <libkern/version.h>

extern "C" {

const int version_major = VERSION_MAJOR;
const int version_minor = VERSION_MINOR;
const char version_variant[] = VERSION_VARIANT;
const int version_revision = VERSION_REVISION;
const int version_stage = VERSION_STAGE;
const int version_prerelease_level = VERSION_PRERELEASE_LEVEL;
const char osbuild_config[] = OSBUILD_CONFIG;
const char ostype[] = OSTYPE;
const char osrelease[] = OSRELEASE;
const char osbuilder[] = "openiokit";
const char version[] = OSTYPE " Kernel Version " OSRELEASE ": OpenIOKit (user-space IOKit on Linux)";
char osversion[256] = "OpenIOKit";

}  // extern "C"
