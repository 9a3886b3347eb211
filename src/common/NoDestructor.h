// NoDestructor<T>: a process-lifetime object that is constructed on first use and never
// destroyed. For state that code may still touch while the process exits (kexts log from their
// static destructors; lock sleepers may outlive main), where a function-local static would be
// destroyed under them.
#pragma once

#include <memory>
#include <new>
#include <utility>

namespace openiokit {

template <typename T>
class NoDestructor {
public:
    template <typename... Args>
    explicit NoDestructor(Args &&...args)
    {
        std::construct_at(pointer(), std::forward<Args>(args)...);
    }
    NoDestructor(const NoDestructor &) = delete;
    NoDestructor &operator=(const NoDestructor &) = delete;
    ~NoDestructor() = default; // deliberately does not destroy the T

    T &operator*() { return *pointer(); }
    T *operator->() { return pointer(); }

private:
    T *pointer() { return std::launder(reinterpret_cast<T *>(storage_)); }

    alignas(T) unsigned char storage_[sizeof(T)];
};

} // namespace openiokit
