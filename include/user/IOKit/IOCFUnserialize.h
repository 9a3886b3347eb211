// <IOKit/IOCFUnserialize.h>: the kernel's XML dialect (what OSSerialize writes) to CF objects.
// Containers come back mutable (CFMutableDictionary / CFMutableArray / CFMutableSet), as
// IOKitUser builds them; <integer size="8|16|32|64"> becomes a CFNumber of that width.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

CF_EXTERN_C_BEGIN

// On failure returns NULL and, if errorString is not NULL, a retained sentence naming the line
// and what was wrong.
CF_EXPORT CFTypeRef IOCFUnserialize(const char *buffer, CFAllocatorRef allocator, CFOptionFlags options,
                                    CFStringRef *errorString);
// buffer need not be NUL-terminated.
CF_EXPORT CFTypeRef IOCFUnserializeWithSize(const char *buffer, size_t bufferSize, CFAllocatorRef allocator,
                                            CFOptionFlags options, CFStringRef *errorString);

CF_EXTERN_C_END
