// <libkern/c++/OSPtr.h>: the pointer type names that Apple's headers use in their API.
//
// As in xnu: by default OSPtr<T> and OSTaggedPtr<T> are plain `T*`, which is what every libkern
// and IOKit API here returns. A kext that defines IOKIT_ENABLE_SHARED_PTR gets Apple's opt-in
// aliases to OSSharedPtr<T>; note that our factories still return raw retained pointers, so such
// a kext must adopt them explicitly (`OSSharedPtr<T>(T::withX(...), OSNoRetain)`).
#pragma once

#include <libkern/c++/OSSharedPtr.h>

#if defined(IOKIT_ENABLE_SHARED_PTR)
template <typename T>
using OSPtr = OSSharedPtr<T>;
template <typename T>
using OSTaggedPtr = OSSharedPtr<T>;
#else
template <typename T>
using OSPtr = T*;
template <typename T>
using OSTaggedPtr = T*;
#endif
