#include "runtime/threads/placement.h"

#include <thread>

namespace edgellm::threads {

Status resolve_threads(const ThreadRequest& req, CpuPlan* plan, std::string* note) {
  if (note) note->clear();
  if (req.n_threads < 0) {
    return Errorf(StatusCode::kInvalidArgument, "n_threads must not be negative (got %d)",
                  req.n_threads);
  }
  CpuRequest cr;
  cr.n_threads = req.n_threads;
  if (req.cpus && *req.cpus) EDGELLM_TRY(parse_cpu_list(req.cpus, &cr.cpus));

  Topology topo;
  Status st = (req.topology && *req.topology) ? load_xml_topology(req.topology, &topo)
                                              : load_live_topology(&topo);
  if (!st.ok()) {
    if (req.topology && *req.topology) return st;
    // No usable topology: the requested CPUs as given, else unpinned threads.
    CpuPlan p;
    if (!cr.cpus.empty()) {
      const size_t n = cr.n_threads > 0 ? static_cast<size_t>(cr.n_threads) : cr.cpus.size();
      if (n > cr.cpus.size()) {
        return Errorf(StatusCode::kInvalidArgument, "%zu threads requested but only %zu CPUs listed",
                      n, cr.cpus.size());
      }
      p.pus.assign(cr.cpus.begin(), cr.cpus.begin() + static_cast<long>(n));
    } else {
      const unsigned hw = std::thread::hardware_concurrency();
      const int n = cr.n_threads > 0 ? cr.n_threads : static_cast<int>(hw == 0 ? 1 : hw);
      p.pus.assign(static_cast<size_t>(n), -1);
    }
    p.kinds.assign(p.pus.size(), -1);
    p.heterogeneous = p.pus.size() > 1;
    p.reason = "topology unavailable";
    if (note) *note = "cannot read the CPU topology (" + st.message() + "); threads are not placed";
    *plan = std::move(p);
    return Status::Ok();
  }
  return choose_cpus(topo, cr, plan);
}

}  // namespace edgellm::threads
