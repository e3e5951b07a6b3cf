#include "runtime/exec/arena.h"

#include <cstdlib>
#include <cstring>

namespace edgellm {

size_t ArenaPlan::add(const char* name, size_t bytes) {
  const size_t offset = total_;
  const size_t padded = (bytes + kAlign - 1) / kAlign * kAlign;
  entries_.push_back({name, offset, bytes});
  total_ += padded;
  return entries_.size() - 1;
}

Arena::~Arena() { std::free(base_); }

Status Arena::allocate(size_t bytes) {
  std::free(base_);
  base_ = nullptr;
  size_ = 0;
  const size_t rounded = (bytes + ArenaPlan::kAlign - 1) / ArenaPlan::kAlign * ArenaPlan::kAlign;
  void* p = std::aligned_alloc(ArenaPlan::kAlign, rounded == 0 ? ArenaPlan::kAlign : rounded);
  if (!p) {
    return Errorf(StatusCode::kOutOfMemory, "cannot allocate the %zu-byte context arena", rounded);
  }
  std::memset(p, 0, rounded);
  base_ = static_cast<uint8_t*>(p);
  size_ = rounded;
  return Status::Ok();
}

}  // namespace edgellm
