// One block of memory for everything a context needs at run time. The
// layout is decided before any byte is allocated: add() every buffer, then
// the plan's total is known (and reportable) before commit().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/core/status.h"

namespace edgellm {

class ArenaPlan {
 public:
  static constexpr size_t kAlign = 64;  // cache line; also enough for SIMD loads

  // Reserves `bytes` and returns the buffer's slot index.
  size_t add(const char* name, size_t bytes);
  size_t total_bytes() const { return total_; }
  size_t offset(size_t slot) const { return entries_[slot].offset; }
  size_t bytes(size_t slot) const { return entries_[slot].bytes; }
  const char* name(size_t slot) const { return entries_[slot].name; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    const char* name;
    size_t offset;
    size_t bytes;
  };
  std::vector<Entry> entries_;
  size_t total_ = 0;
};

// Owns (or borrows) the arena's memory.
class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Allocates plan.total_bytes() (zeroed).
  Status allocate(size_t bytes);
  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
};

}  // namespace edgellm
