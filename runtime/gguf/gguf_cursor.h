// Internal to runtime/gguf: a bounded little-endian reader over the file
// bytes. Every read checks the remaining length first, so the parser cannot
// step outside the buffer no matter what counts or lengths the file claims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edgellm::gguf::detail {

class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }

  // Fixed-width little-endian integers. False (and no advance) if short.
  // memcpy + byte assembly keeps this alignment- and host-endian-safe.
  template <typename T>
  bool read(T* out) {
    if (remaining() < sizeof(T)) return false;
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, data_ + pos_, sizeof(T));
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(raw[i]) << (8 * i);
    *out = static_cast<T>(v);
    pos_ += sizeof(T);
    return true;
  }

  bool read_f32(float* out) {
    uint32_t bits = 0;
    if (!read(&bits)) return false;
    std::memcpy(out, &bits, sizeof bits);
    return true;
  }
  bool read_f64(double* out) {
    uint64_t bits = 0;
    if (!read(&bits)) return false;
    std::memcpy(out, &bits, sizeof bits);
    return true;
  }

  // A view of the next n bytes; false if fewer remain.
  bool read_view(uint64_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = std::string_view(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace edgellm::gguf::detail
