// The one block of memory behind a context: either allocated by the runtime
// (page-aligned, prefaulted so its pages are resident from the start,
// transparent huge pages where the kernel offers them, optionally mlock'ed)
// or supplied by the caller (e.g. a static buffer in an appliance).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/core/status.h"

namespace edgellm {

constexpr size_t kArenaAlign = 64;  // cache line; enough for every SIMD load

inline size_t align_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Runtime-owned memory of `bytes`, prefaulted; numa_node >= 0 binds its
  // pages to that node before they are first touched.
  Status allocate(size_t bytes, bool lock, int numa_node = -1);
  // Caller-owned memory; fails with the bytes needed when it is too small
  // (alignment slack included).
  Status borrow(void* memory, size_t size, size_t bytes);

  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  bool owned() const { return owned_; }
  const std::string& warning() const { return warning_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
  bool owned_ = false;
  bool locked_ = false;
  std::string warning_;
};

}  // namespace edgellm
