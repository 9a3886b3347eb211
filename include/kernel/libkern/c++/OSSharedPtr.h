// <libkern/c++/OSSharedPtr.h>: an intrusive smart pointer for libkern objects.
//
// OSSharedPtr<T> owns one reference to an object counted by retain()/release(). The two tags
// say what the constructor does with a raw pointer: OSRetain takes a new reference (the caller
// keeps its own), OSNoRetain adopts the reference the caller already owns (a `with*` or `copy*`
// result). The API is Apple's (xnu libkern/c++/OSSharedPtr.h); the implementation is ours.
#pragma once

#include <libkern/c++/OSMetaClass.h>

#include <stddef.h>
#include <type_traits>

namespace libkern {
struct no_retain_t {
    explicit constexpr no_retain_t() {}
};
struct retain_t {
    explicit constexpr retain_t() {}
};
inline constexpr no_retain_t no_retain{};
inline constexpr retain_t retain{};
}  // namespace libkern

inline constexpr auto OSNoRetain = libkern::no_retain;
inline constexpr auto OSRetain = libkern::retain;

template <typename T>
class OSSharedPtr {
public:
    using pointer = T*;
    using element_type = T;

    constexpr OSSharedPtr() noexcept : ptr_(nullptr) {}
    constexpr OSSharedPtr(decltype(nullptr)) noexcept : ptr_(nullptr) {}
    explicit OSSharedPtr(pointer p, libkern::retain_t) noexcept : ptr_(p) { retainIfSet(ptr_); }
    explicit constexpr OSSharedPtr(pointer p, libkern::no_retain_t) noexcept : ptr_(p) {}

    OSSharedPtr(const OSSharedPtr& other) noexcept : ptr_(other.ptr_) { retainIfSet(ptr_); }
    OSSharedPtr(OSSharedPtr&& other) noexcept : ptr_(other.detach()) {}
    template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    OSSharedPtr(const OSSharedPtr<U>& other) noexcept : ptr_(other.get())
    {
        retainIfSet(ptr_);
    }
    template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    OSSharedPtr(OSSharedPtr<U>&& other) noexcept : ptr_(other.detach())
    {
    }

    ~OSSharedPtr() { reset(); }

    OSSharedPtr& operator=(const OSSharedPtr& other) noexcept { return reset(other.get(), OSRetain); }
    OSSharedPtr& operator=(OSSharedPtr&& other) noexcept
    {
        if (this != &other) {
            reset(other.detach(), OSNoRetain);
        }
        return *this;
    }
    template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    OSSharedPtr& operator=(const OSSharedPtr<U>& other) noexcept
    {
        return reset(other.get(), OSRetain);
    }
    template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
    OSSharedPtr& operator=(OSSharedPtr<U>&& other) noexcept
    {
        return reset(other.detach(), OSNoRetain);
    }
    OSSharedPtr& operator=(decltype(nullptr)) noexcept { return reset(); }

    constexpr T& operator*() const noexcept { return *ptr_; }
    constexpr pointer operator->() const noexcept { return ptr_; }
    explicit constexpr operator bool() const noexcept { return ptr_ != nullptr; }

    // Drops the reference held, if any.
    OSSharedPtr& reset() noexcept
    {
        pointer old = ptr_;
        ptr_ = nullptr;
        releaseIfSet(old);
        return *this;
    }
    // Adopts `p`'s existing reference, dropping the one held.
    OSSharedPtr& reset(pointer p, libkern::no_retain_t) noexcept
    {
        pointer old = ptr_;
        ptr_ = p;
        releaseIfSet(old);
        return *this;
    }
    // Takes a new reference to `p` (before dropping the old one, so `p == get()` is safe).
    OSSharedPtr& reset(pointer p, libkern::retain_t) noexcept
    {
        retainIfSet(p);
        pointer old = ptr_;
        ptr_ = p;
        releaseIfSet(old);
        return *this;
    }

    // Apple also deletes get() on an rvalue, to stop `T* p = makeShared().get();` from
    // dangling. Here it is allowed: the factories return raw pointers, so the hazard is rare,
    // and borrowing within one full expression (`EXPECT_EQ(f().get(), x)`) is safe.
    constexpr pointer get() const noexcept { return ptr_; }

    // Gives up ownership: the caller now owns the reference (or receives nullptr).
    constexpr pointer detach() noexcept
    {
        pointer p = ptr_;
        ptr_ = nullptr;
        return p;
    }

    friend constexpr void swap(OSSharedPtr& a, OSSharedPtr& b) noexcept
    {
        pointer p = a.ptr_;
        a.ptr_ = b.ptr_;
        b.ptr_ = p;
    }

private:
    static void retainIfSet(pointer p) noexcept
    {
        if (p) {
            static_cast<const OSMetaClassBase*>(p)->retain();
        }
    }
    static void releaseIfSet(pointer p) noexcept
    {
        if (p) {
            static_cast<const OSMetaClassBase*>(p)->release();
        }
    }

    pointer ptr_;
};

// --- Comparisons: by address, as for raw pointers ----------------------------------------------

template <typename T, typename U>
bool operator==(const OSSharedPtr<T>& a, const OSSharedPtr<U>& b) noexcept
{
    return a.get() == b.get();
}
template <typename T, typename U>
bool operator!=(const OSSharedPtr<T>& a, const OSSharedPtr<U>& b) noexcept
{
    return a.get() != b.get();
}
template <typename T, typename U>
bool operator==(const OSSharedPtr<T>& a, U* b) noexcept
{
    return a.get() == b;
}
template <typename T, typename U>
bool operator!=(const OSSharedPtr<T>& a, U* b) noexcept
{
    return a.get() != b;
}
template <typename T, typename U>
bool operator==(T* a, const OSSharedPtr<U>& b) noexcept
{
    return a == b.get();
}
template <typename T, typename U>
bool operator!=(T* a, const OSSharedPtr<U>& b) noexcept
{
    return a != b.get();
}
template <typename T>
bool operator==(const OSSharedPtr<T>& a, decltype(nullptr)) noexcept
{
    return a.get() == nullptr;
}
template <typename T>
bool operator==(decltype(nullptr), const OSSharedPtr<T>& a) noexcept
{
    return a.get() == nullptr;
}
template <typename T>
bool operator!=(const OSSharedPtr<T>& a, decltype(nullptr)) noexcept
{
    return a.get() != nullptr;
}
template <typename T>
bool operator!=(decltype(nullptr), const OSSharedPtr<T>& a) noexcept
{
    return a.get() != nullptr;
}

// --- Factories and casts --------------------------------------------------------------------

// A new, not yet initialised instance of T (what OSTypeAlloc returns), adopted.
template <typename T>
OSSharedPtr<T> OSMakeShared()
{
    return OSSharedPtr<T>(OSTypeAlloc(T), OSNoRetain);
}

// OSDynamicCast for shared pointers: null if `source` is not a Destination. The rvalue form
// moves the reference over on success and leaves `source` untouched on failure.
template <typename Destination, typename Source>
OSSharedPtr<Destination> OSDynamicPtrCast(const OSSharedPtr<Source>& source)
{
    Destination* cast = OSDynamicCast(Destination, source.get());
    return cast ? OSSharedPtr<Destination>(cast, OSRetain) : OSSharedPtr<Destination>();
}
template <typename Destination, typename Source>
OSSharedPtr<Destination> OSDynamicPtrCast(OSSharedPtr<Source>&& source)
{
    Destination* cast = OSDynamicCast(Destination, source.get());
    if (!cast) {
        return nullptr;
    }
    source.detach();
    return OSSharedPtr<Destination>(cast, OSNoRetain);
}

template <typename To, typename From>
OSSharedPtr<To> OSStaticPtrCast(const OSSharedPtr<From>& ptr) noexcept
{
    return OSSharedPtr<To>(static_cast<To*>(ptr.get()), OSRetain);
}
template <typename To, typename From>
OSSharedPtr<To> OSStaticPtrCast(OSSharedPtr<From>&& ptr) noexcept
{
    return OSSharedPtr<To>(static_cast<To*>(ptr.detach()), OSNoRetain);
}

template <typename To, typename From>
OSSharedPtr<To> OSConstPtrCast(const OSSharedPtr<From>& ptr) noexcept
{
    return OSSharedPtr<To>(const_cast<To*>(ptr.get()), OSRetain);
}
template <typename To, typename From>
OSSharedPtr<To> OSConstPtrCast(OSSharedPtr<From>&& ptr) noexcept
{
    return OSSharedPtr<To>(const_cast<To*>(ptr.detach()), OSNoRetain);
}
