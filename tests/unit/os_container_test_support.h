// Helpers shared by the libkern value/collection tests (test_os_*.cpp).
#pragma once

#include <libkern/c++/OSContainers.h>
#include <libkern/c++/OSSharedPtr.h>

#include <string>

namespace ostest {

// Takes ownership of a `with*`/`copy*` result.
template <typename T>
OSSharedPtr<T> adopt(T* object)
{
    return OSSharedPtr<T>(object, OSNoRetain);
}

// The XML text xnu's OSSerialize would produce for `object`, or "<failed>".
inline std::string xml(const OSMetaClassBase* object)
{
    OSSharedPtr<OSSerialize> serializer = adopt(OSSerialize::withCapacity(256));
    if (!serializer || !object || !object->serialize(serializer.get())) {
        return "<failed>";
    }
    return serializer->text();
}

template <typename T>
std::string xml(const OSSharedPtr<T>& object)
{
    return xml(static_cast<const OSMetaClassBase*>(object.get()));
}

inline OSSharedPtr<OSString> str(const char* text)
{
    return adopt(OSString::withCString(text));
}

inline OSSharedPtr<OSNumber> num(unsigned long long value, unsigned int bits = 32)
{
    return adopt(OSNumber::withNumber(value, bits));
}

}  // namespace ostest
