#include "runtime/threads/numa.h"

#include <numa.h>
#include <numaif.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace edgellm::threads::numa {
namespace {

constexpr int kMaxNodes = 1024;
constexpr size_t kMaskWords = kMaxNodes / (8 * sizeof(unsigned long));

bool multi_node() { return node_count() > 1; }

// Page-aligned cover of [addr, addr + bytes).
void page_range(void* addr, size_t bytes, void** start, size_t* len) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  const uintptr_t lo = a / page * page;
  const uintptr_t hi = (a + bytes + page - 1) / page * page;
  *start = reinterpret_cast<void*>(lo);
  *len = static_cast<size_t>(hi - lo);
}

bool apply(int mode, const unsigned long* mask, void* addr, size_t bytes, std::string* why) {
  void* start = nullptr;
  size_t len = 0;
  page_range(addr, bytes, &start, &len);
  if (mbind(start, len, mode, mask, kMaxNodes + 1, MPOL_MF_MOVE) != 0) {
    if (why) *why = std::string("mbind: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

int node_count() {
  static const int n = [] {
    if (numa_available() < 0) return 1;
    const int c = numa_num_configured_nodes();
    return c < 1 ? 1 : c;
  }();
  return n;
}

bool bind_memory(void* addr, size_t bytes, int node, std::string* why) {
  if (!multi_node() || !addr || bytes == 0) return true;
  if (node < 0 || node >= kMaxNodes || node > numa_max_node()) {
    if (why) *why = "NUMA node " + std::to_string(node) + " does not exist";
    return false;
  }
  unsigned long mask[kMaskWords] = {};
  mask[static_cast<size_t>(node) / (8 * sizeof(unsigned long))] |=
      1UL << (static_cast<size_t>(node) % (8 * sizeof(unsigned long)));
  return apply(MPOL_BIND, mask, addr, bytes, why);
}

bool interleave_memory(void* addr, size_t bytes, std::string* why) {
  if (!multi_node() || !addr || bytes == 0) return true;
  unsigned long mask[kMaskWords] = {};
  const int max = numa_max_node();
  for (int n = 0; n <= max && n < kMaxNodes; ++n) {
    if (numa_bitmask_isbitset(numa_all_nodes_ptr, static_cast<unsigned>(n))) {
      mask[static_cast<size_t>(n) / (8 * sizeof(unsigned long))] |=
          1UL << (static_cast<size_t>(n) % (8 * sizeof(unsigned long)));
    }
  }
  return apply(MPOL_INTERLEAVE, mask, addr, bytes, why);
}

bool prefer_node_for_this_thread(int node, std::string* why) {
  if (!multi_node() || node < 0) return true;
  if (node > numa_max_node()) {
    if (why) *why = "NUMA node " + std::to_string(node) + " does not exist";
    return false;
  }
  numa_set_preferred(node);
  return true;
}

}  // namespace edgellm::threads::numa
