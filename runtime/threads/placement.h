// Thread placement of a context on the running machine: reads the live
// topology and applies choose_cpus(). Only a bad request (an unparsable or
// unavailable CPU list, more threads than listed CPUs) is an error; a
// machine hwloc cannot read falls back to unpinned threads with a note.
#pragma once

#include <string>

#include "runtime/core/status.h"
#include "runtime/threads/topology.h"

namespace edgellm::threads {

struct ThreadRequest {
  int n_threads = 0;             // 0 = automatic
  const char* cpus = nullptr;    // CPU list ("0-3,6"), nullptr or "" = automatic
  const char* topology = nullptr;  // hwloc XML to plan for instead of this machine
};

// On success *plan has at least one thread; *note (may be nullptr) receives
// "" or why the plan is degraded.
Status resolve_threads(const ThreadRequest& req, CpuPlan* plan, std::string* note);

}  // namespace edgellm::threads
