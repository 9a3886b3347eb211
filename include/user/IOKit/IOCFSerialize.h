// <IOKit/IOCFSerialize.h>: CF objects to the kernel's XML dialect (what OSUnserializeXML reads):
// <dict>, <key>, <string>, <integer size="n">, <true/>/<false/>, <data>, <array>, <set>, with
// ID attributes and <reference IDREF="n"/> for objects that appear more than once.
#pragma once

#include <CoreFoundation/CoreFoundation.h>

CF_EXTERN_C_BEGIN

enum {
    kIOCFSerializeToBinary = 0x00000001, // the kernel's binary format: not supported, returns NULL
};

// Returns a NUL-terminated XML text (the NUL counted in the length, as IOKitUser does), or NULL
// if the object graph holds something the kernel cannot represent (a CFDate, a non-string key ...).
CF_EXPORT CFDataRef IOCFSerialize(CFTypeRef object, CFOptionFlags options);

CF_EXTERN_C_END
