// Shared helpers of the GGUF tests: a little-endian byte builder for
// hand-made (often malformed) files, parsing from memory, error expectations.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/gguf/gguf.h"

namespace edgellm::gguf::testutil {

inline constexpr const char* kName = "model.gguf";

// Little-endian byte builder for hand-made (often malformed) files.
struct Bytes {
  std::vector<uint8_t> b;
  template <typename T>
  Bytes& put(T v) {
    uint64_t x = 0;
    std::memcpy(&x, &v, sizeof(T));
    for (size_t i = 0; i < sizeof(T); ++i) b.push_back(static_cast<uint8_t>(x >> (8 * i)));
    return *this;
  }
  Bytes& u8(uint8_t v) { return put(v); }
  Bytes& u32(uint32_t v) { return put(v); }
  Bytes& u64(uint64_t v) { return put(v); }
  Bytes& str(const std::string& s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b.insert(b.end(), {'G', 'G', 'U', 'F'});
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  Bytes& kv_u32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
  Bytes& tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) u64(d);
    return u32(type).u64(offset);
  }
  Bytes& pad(size_t align = 32) {
    while (b.size() % align) b.push_back(0);
    return *this;
  }
  Bytes& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
};

inline Status parse(const std::vector<uint8_t>& bytes, std::unique_ptr<File>* f) {
  return File::parse_memory(bytes.data(), bytes.size(), kName, f);
}

// Expects failure with `code`, message starting with the file name and
// containing `phrase`.
inline void expect_error(const std::vector<uint8_t>& bytes, StatusCode code, const std::string& phrase) {
  std::unique_ptr<File> f;
  Status s = parse(bytes, &f);
  ASSERT_FALSE(s.ok()) << "expected failure containing '" << phrase << "'";
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_EQ(s.message().rfind(std::string(kName) + ": ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find(phrase), std::string::npos) << s.message();
  EXPECT_EQ(f, nullptr);
}

// Reads every metadata value and every tensor byte, so ASan sees any
// pointer the parser handed out that is not inside the buffer.
inline uint64_t touch_everything(const File& f) {
  uint64_t h = 0;
  for (const auto& [k, v] : f.metadata()) {
    h += k.size() + v.str.size() + v.array.size();
    for (char c : v.str) h += static_cast<uint8_t>(c);
  }
  for (const TensorInfo& t : f.tensors()) {
    if (t.n_bytes > 0) h += t.data[0] + t.data[t.n_bytes - 1];
  }
  return h;
}

inline std::string temp_path(const std::string& leaf) {
  return testing::TempDir() + "gguf_test_" + std::to_string(getpid()) + "_" + leaf;
}


// n bytes of a deterministic pattern.
inline std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

}  // namespace edgellm::gguf::testutil
