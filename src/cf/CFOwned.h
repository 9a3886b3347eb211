// cf::Owned: sole ownership of one +1 CF reference (from a Create/Copy call), released when the
// owner goes away. Internal code holds CF objects through it so early returns leak nothing.
#pragma once

#include <CoreFoundation/CFBase.h>

#include <utility>

namespace cf {

template <class Ref = CFTypeRef>
class Owned {
public:
    Owned() = default;
    // Takes over a reference the caller owns (NULL is fine).
    explicit Owned(Ref adopted) : ref_(adopted) {}
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    Owned(Owned&& other) noexcept : ref_(std::exchange(other.ref_, nullptr)) {}
    Owned& operator=(Owned&& other) noexcept
    {
        reset(std::exchange(other.ref_, nullptr));
        return *this;
    }
    ~Owned() { reset(); }

    Ref get() const { return ref_; }
    explicit operator bool() const { return ref_ != nullptr; }
    // Hands the reference to the caller (the Create rule).
    [[nodiscard]] Ref release() { return std::exchange(ref_, nullptr); }
    void reset(Ref adopted = nullptr)
    {
        if (ref_) {
            CFRelease(ref_);
        }
        ref_ = adopted;
    }

private:
    Ref ref_ = nullptr;
};

} // namespace cf
