// IOObjectRef.h: sole ownership of one io_object_t (IOObjectRelease on destruction).
#pragma once

#include <IOKit/IOKitLib.h>

#include <utility>
#include <vector>

namespace openiokit::tools {

class IOObjectRef {
public:
    IOObjectRef() = default;
    explicit IOObjectRef(io_object_t object) : object_(object) {}
    IOObjectRef(const IOObjectRef&) = delete;
    IOObjectRef& operator=(const IOObjectRef&) = delete;
    IOObjectRef(IOObjectRef&& other) noexcept : object_(std::exchange(other.object_, IO_OBJECT_NULL)) {}
    IOObjectRef& operator=(IOObjectRef&& other) noexcept
    {
        if (this != &other) {
            reset(std::exchange(other.object_, IO_OBJECT_NULL));
        }
        return *this;
    }
    ~IOObjectRef() { reset(); }

    io_object_t get() const { return object_; }
    explicit operator bool() const { return object_ != IO_OBJECT_NULL; }
    void reset(io_object_t object = IO_OBJECT_NULL)
    {
        if (object_ != IO_OBJECT_NULL) {
            IOObjectRelease(object_);
        }
        object_ = object;
    }

private:
    io_object_t object_ = IO_OBJECT_NULL;
};

// Everything left in `iterator`, each owned.
inline std::vector<IOObjectRef> drain(io_iterator_t iterator)
{
    std::vector<IOObjectRef> out;
    while (io_object_t next = IOIteratorNext(iterator)) {
        out.emplace_back(next);
    }
    return out;
}

}  // namespace openiokit::tools
