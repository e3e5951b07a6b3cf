// NUMA placement through libnuma. Every function is a no-op that succeeds
// on a machine with one node (or where the kernel offers no NUMA policy,
// e.g. under qemu-user); a failure is reported through `why` and leaves the
// memory where it is, never fails a context.
#pragma once

#include <cstddef>
#include <string>

namespace edgellm::threads::numa {

// Nodes the kernel reports (1 when NUMA is unavailable).
int node_count();

// Binds the pages of [addr, addr + bytes) to `node` (MPOL_BIND, moving pages
// already touched). The range is widened to whole pages.
bool bind_memory(void* addr, size_t bytes, int node, std::string* why);

// Interleaves the pages of [addr, addr + bytes) over every node (e.g. the
// weights, when threads span several nodes).
bool interleave_memory(void* addr, size_t bytes, std::string* why);

// Makes the calling thread allocate from `node` first (first-touch memory).
bool prefer_node_for_this_thread(int node, std::string* why);

}  // namespace edgellm::threads::numa
