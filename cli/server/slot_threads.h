// Threads for --parallel N contexts. Every context has its own pool whose
// threads spin briefly at each barrier, so contexts placed on the same cores
// would slow each other down: the CPUs one context would use (the library's
// automatic choice, or --cpus) are split into N disjoint groups. When there
// are fewer CPUs than N x threads, the threads are left unpinned instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cli::server {

struct SlotThreads {
  int32_t n_threads = 0;  // 0: automatic
  std::string cpus;       // empty: automatic
  bool pin = true;
};

// n_threads / cpus / pin: the -t, --cpus, --no-pin options (0 / "" when not
// given). *note says how the CPUs were shared when that needs saying.
// False on a malformed CPU list.
bool plan_slot_threads(int32_t n_threads, const std::string& cpus, bool pin, int n_slots,
                       std::vector<SlotThreads>* out, std::string* note);

}  // namespace cli::server
