// Codec.h: little-endian, fixed-width encoding of message payloads. The Writer appends to a
// caller-owned buffer (reused across calls, so the hot path does not allocate); the Reader
// walks a byte span and checks every length against what is left before using it. A failed
// read sets a sticky error, so a decoder reads all fields and checks ok() once.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace openiokit::ipc {


class Writer {
public:
    explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

    Writer& u8(uint8_t v) { return raw(&v, 1); }
    Writer& u16(uint16_t v) { return little(v); }
    Writer& u32(uint32_t v) { return little(v); }
    Writer& u64(uint64_t v) { return little(v); }
    Writer& i32(int32_t v) { return little(static_cast<uint32_t>(v)); }
    Writer& i64(int64_t v) { return little(static_cast<uint64_t>(v)); }
    // A u32 length, then the bytes.
    Writer& bytes(const void* data, size_t length)
    {
        u32(static_cast<uint32_t>(length));
        return raw(data, length);
    }
    Writer& str(std::string_view s) { return bytes(s.data(), s.size()); }
    Writer& raw(const void* data, size_t length)
    {
        // resize + memcpy: a few instructions per field, where a range insert costs ~100.
        const size_t at = out_.size();
        out_.resize(at + length);
        if (length != 0) {
            std::memcpy(out_.data() + at, data, length);
        }
        return *this;
    }
    size_t size() const { return out_.size(); }
    std::vector<uint8_t>& buffer() { return out_; }

private:
    template <typename T>
    Writer& little(T v)
    {
        uint8_t b[sizeof(T)];
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(b, &v, sizeof(T));
        } else {
            for (size_t i = 0; i < sizeof(T); i++) {
                b[i] = static_cast<uint8_t>(v >> (8 * i));
            }
        }
        return raw(b, sizeof(T));
    }
    std::vector<uint8_t>& out_;
};

class Reader {
public:
    explicit Reader(std::span<const uint8_t> in) : in_(in) {}

    uint8_t u8() { return little<uint8_t>(); }
    uint16_t u16() { return little<uint16_t>(); }
    uint32_t u32() { return little<uint32_t>(); }
    uint64_t u64() { return little<uint64_t>(); }
    int32_t i32() { return static_cast<int32_t>(little<uint32_t>()); }
    int64_t i64() { return static_cast<int64_t>(little<uint64_t>()); }

    // A u32 length (at most `maxLength`), then that many bytes, borrowed from the input.
    std::span<const uint8_t> bytes(size_t maxLength)
    {
        const uint32_t length = u32();
        if (!ok_ || length > maxLength || length > remaining()) {
            fail();
            return {};
        }
        auto out = in_.subspan(offset_, length);
        offset_ += length;
        return out;
    }
    std::string_view str(size_t maxLength)
    {
        auto b = bytes(maxLength);
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    // A string that must hold no NUL (names, keys, paths handed to C APIs).
    std::string cstr(size_t maxLength)
    {
        std::string_view s = str(maxLength);
        if (s.find('\0') != std::string_view::npos) {
            fail();
            return {};
        }
        return std::string(s);
    }
    // A fixed number of raw bytes.
    std::span<const uint8_t> raw(size_t length)
    {
        if (!ok_ || length > remaining()) {
            fail();
            return {};
        }
        auto out = in_.subspan(offset_, length);
        offset_ += length;
        return out;
    }

    size_t remaining() const { return in_.size() - offset_; }
    bool ok() const { return ok_; }
    // True if every field was read and nothing is left over.
    bool finished() const { return ok_ && remaining() == 0; }
    void fail() { ok_ = false; }

private:
    template <typename T>
    T little()
    {
        if (!ok_ || remaining() < sizeof(T)) {
            fail();
            return 0;
        }
        T v = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&v, in_.data() + offset_, sizeof(T));  // one load on the usual hosts
        } else {
            for (size_t i = 0; i < sizeof(T); i++) {
                v |= static_cast<T>(static_cast<T>(in_[offset_ + i]) << (8 * i));
            }
        }
        offset_ += sizeof(T);
        return v;
    }
    std::span<const uint8_t> in_;
    size_t offset_ = 0;
    bool ok_ = true;
};

}  // namespace openiokit::ipc
