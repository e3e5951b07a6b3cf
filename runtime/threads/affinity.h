// Pinning threads to CPUs. Workers are pinned once, when the pool starts,
// through hwloc (hwloc_set_cpubind with HWLOC_CPUBIND_THREAD). The thread
// that calls evaluate is pinned only for the duration of the call, with
// masks prepared in advance, so a decode step makes no allocation. Every
// failure (a restricted cpuset, a CPU that is offline or absent) leaves the
// thread unpinned and is reported as a warning, never as an error.
#pragma once

#include <sched.h>

#include <memory>
#include <string>

#include "runtime/core/status.h"

namespace edgellm::threads {

class CpuBinder {
 public:
  // Loads the live topology that binding needs; fails only when hwloc does.
  static Status create(std::unique_ptr<CpuBinder>* out);
  ~CpuBinder();
  CpuBinder(const CpuBinder&) = delete;
  CpuBinder& operator=(const CpuBinder&) = delete;

  // Pins the calling thread to OS CPU `pu`; false (thread unchanged, `why`
  // says what failed) when the system refuses. Allocates: start-up only.
  bool bind_this_thread(int pu, std::string* why);

 private:
  CpuBinder() = default;
  struct Impl;
  Impl* impl_ = nullptr;
};

// Temporarily pins the calling thread to one CPU and restores its previous
// affinity afterwards; no allocation, no hwloc (safe on the hot path).
class ScopedCpuAffinity {
 public:
  ScopedCpuAffinity() = default;
  ScopedCpuAffinity(const ScopedCpuAffinity&) = delete;
  ScopedCpuAffinity& operator=(const ScopedCpuAffinity&) = delete;
  ~ScopedCpuAffinity() { leave(); }

  // Returns false (nothing changed) when pu < 0 or the system refuses.
  bool enter(int pu);
  void leave();
  bool active() const { return active_; }

 private:
  cpu_set_t saved_{};
  bool active_ = false;
};

}  // namespace edgellm::threads
