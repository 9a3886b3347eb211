// <libkern/version.h>: the kernel's version, as kexts test it (`if (version_major >= 20)`).
// OpenIOKit reports itself as Darwin 23.0.0 (macOS 14's kernel generation): the API level its
// headers follow. Names and types as xnu's libkern/version.h.
#pragma once

#define VERSION_MAJOR 23
#define VERSION_MINOR 0
#define VERSION_VARIANT "0"
#define VERSION_REVISION 0
#define VERSION_STAGE_DEV 0x20
#define VERSION_STAGE_ALPHA 0x40
#define VERSION_STAGE_BETA 0x60
#define VERSION_STAGE_RELEASE 0x80
#define VERSION_STAGE VERSION_STAGE_RELEASE
#define VERSION_PRERELEASE_LEVEL 0
#define OSBUILD_CONFIG "release"
#define OSTYPE "Darwin"
#define OSRELEASE "23.0.0"

#ifdef __cplusplus
extern "C" {
#endif

extern const int version_major;
extern const int version_minor;
extern const char version_variant[];
extern const int version_revision;
extern const int version_stage;
extern const int version_prerelease_level;
extern const char osbuild_config[];
extern const char ostype[];
extern const char osrelease[];
extern const char osbuilder[];
extern const char version[];
extern char osversion[];

#ifdef __cplusplus
}
#endif
