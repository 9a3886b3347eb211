// <IOKit/assert.h>: the kernel's assert (xnu iokit/IOKit/assert.h over kern/assert.h). As in
// xnu, assert() is compiled in only for MACH_ASSERT, IOASSERT or DEBUG builds and is otherwise
// a no-op; a failed assertion logs "<file>:<line> Assertion failed: <expr>" and panics (the
// host process aborts). It replaces libc's assert if both are included, as the kernel's would.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

void Assert(const char *file, int line, const char *expression) __attribute__((noreturn, noinline));

#ifdef __cplusplus
}
#endif

#if defined(IOASSERT) && IOASSERT
#undef MACH_ASSERT
#define MACH_ASSERT 1
#endif

#undef assert
#if (defined(MACH_ASSERT) && MACH_ASSERT) || (defined(DEBUG) && DEBUG)
#define assert(ex) ((ex) ? (void)0 : Assert(__FILE__, __LINE__, #ex))
#define assert_static(ex) assert(ex)
#else
#define assert(ex) ((void)0)
#define assert_static(ex) ((void)0)
#endif

#if !defined(OSCompileAssert)
#define OSCompileAssert(TEST) static_assert((TEST), #TEST)
#endif
