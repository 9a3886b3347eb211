// <mach/boolean.h>: boolean_t and TRUE/FALSE, as Mach defines them. On x86_64 user space Apple
// makes boolean_t unsigned; everywhere else (kernel, arm64) it is int.
#pragma once

#if defined(__x86_64__) && !defined(KERNEL)
typedef unsigned int boolean_t;
#else
typedef int boolean_t;
#endif

// Other libraries (curses, libplist) define these too; same values, so only define if missing.
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
