#include "runtime/exec/arena.h"

#include "runtime/threads/numa.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace edgellm {

namespace {
constexpr size_t kHugePage = 2u << 20;
}

Arena::~Arena() {
  if (owned_ && base_) {
    if (locked_) munlock(base_, mapped_);
    munmap(base_, mapped_);
  }
}

Status Arena::allocate(size_t bytes, bool lock, int numa_node) {
  // mmap gives page alignment and returns the memory to the OS on free;
  // large arenas are rounded to 2 MiB so transparent huge pages can back them.
  const size_t want = bytes == 0 ? kArenaAlign : bytes;
  mapped_ = want >= kHugePage ? align_up(want, kHugePage) : align_up(want, 4096);
  void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    mapped_ = 0;
    return Errorf(StatusCode::kOutOfMemory, "cannot allocate the %zu-byte context arena: %s",
                  want, std::strerror(errno));
  }
#ifdef MADV_HUGEPAGE
  if (mapped_ >= kHugePage) madvise(p, mapped_, MADV_HUGEPAGE);
#endif
  base_ = static_cast<uint8_t*>(p);
  size_ = want;
  owned_ = true;
  // On a multi-node machine the arena follows the threads' node (a no-op
  // with one node; best effort: a refusal leaves the pages to first touch).
  if (numa_node >= 0) threads::numa::bind_memory(base_, mapped_, numa_node, nullptr);
  // Prefault: every page is resident now, not on the first token.
  std::memset(base_, 0, size_);
  if (lock) {
    if (mlock(base_, mapped_) == 0) {
      locked_ = true;
    } else {
      warning_ = std::string("mlock of the arena failed (") + std::strerror(errno) +
                 "); continuing unlocked (raise RLIMIT_MEMLOCK to lock it)";
    }
  }
  return Status::Ok();
}

Status Arena::borrow(void* memory, size_t size, size_t bytes) {
  if (!memory) return Errorf(StatusCode::kInvalidArgument, "caller arena is NULL");
  const uintptr_t addr = reinterpret_cast<uintptr_t>(memory);
  const size_t slack = (kArenaAlign - addr % kArenaAlign) % kArenaAlign;
  if (size < bytes + slack) {
    return Errorf(StatusCode::kOutOfMemory,
                  "caller-supplied arena of %zu bytes is too small: this context needs %zu bytes "
                  "(%zu planned + %zu alignment slack at this address; %zu-byte aligned memory "
                  "needs no slack)",
                  size, bytes + slack, bytes, slack, kArenaAlign);
  }
  base_ = static_cast<uint8_t*>(memory) + slack;
  size_ = bytes;
  owned_ = false;
  return Status::Ok();
}

}  // namespace edgellm
