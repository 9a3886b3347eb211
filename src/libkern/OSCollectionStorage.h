// Internal to the kernel library: the capacity rules OSArray, OSDictionary and OSOrderedSet
// share. As in xnu, a collection reports a capacity that grows in steps of its capacity
// increment (the initial capacity, or 16 when that was 0); storage is reserved up front, so
// insertions within the capacity never allocate.
#pragma once

#include <cstddef>
#include <exception>
#include <vector>

namespace libkern_internal {

inline constexpr unsigned int kDefaultCapacityIncrement = 16;

// Collections refuse capacities whose storage would exceed this, where xnu's allocator would
// fail (so `withCapacity(UINT_MAX)` returns NULL instead of reserving gigabytes).
inline constexpr unsigned long long kMaxCollectionBytes = 1ULL << 30;

inline unsigned int incrementFor(unsigned int requested)
{
    return requested ? requested : kDefaultCapacityIncrement;
}

// Reserves room for `capacity` elements; false if that is too large or allocation fails.
template <typename T>
bool reserveElements(std::vector<T>& storage, unsigned long long capacity)
{
    if (capacity > kMaxCollectionBytes / sizeof(T)) {
        return false;
    }
    try {
        storage.reserve(static_cast<size_t>(capacity));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// xnu's ensureCapacity: grow to the smallest multiple of `increment` that is >= `wanted`.
// Returns the capacity afterwards (unchanged when growing was impossible). The reported
// capacity follows xnu's steps, but the storage grows at least geometrically underneath, so
// filling a collection one element at a time stays linear even with a small increment.
template <typename T>
unsigned int growCapacity(std::vector<T>& storage, unsigned int& capacity, unsigned int increment,
                          unsigned int wanted)
{
    if (wanted <= capacity) {
        return capacity;
    }
    const unsigned long long step = increment ? increment : kDefaultCapacityIncrement;
    const unsigned long long rounded = ((wanted - 1ULL) / step + 1) * step;
    if (rounded > 0xffffffffULL || rounded > kMaxCollectionBytes / sizeof(T)) {
        return capacity;
    }
    if (rounded > storage.capacity()) {
        const unsigned long long doubled = 2ULL * storage.capacity();
        if (doubled <= rounded || !reserveElements(storage, doubled)) {
            if (!reserveElements(storage, rounded)) {
                return capacity;
            }
        }
    }
    capacity = static_cast<unsigned int>(rounded);
    return capacity;
}

}  // namespace libkern_internal
