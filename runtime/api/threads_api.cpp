// C API: the CPU topology and where a context's threads run.
#include <cstring>
#include <string>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"
#include "runtime/threads/placement.h"

using edgellm::api::copy_out;
using edgellm::api::fail;
using edgellm::api::guarded;

extern "C" {

size_t edgellm_context_threads(const edgellm_context* ctx, char* buf, size_t size) {
  if (!ctx || !ctx->session) return copy_out("", buf, size);
  edgellm::Session& s = *ctx->session;
  const edgellm::SessionConfig& cfg = s.config();
  std::string text;
  if (cfg.placement.pus.empty()) {
    text = "threads: " + std::to_string(s.pool().size()) + ", not pinned\n";
  } else {
    std::vector<int> pinned;
    for (int pu : cfg.placement.pus) {
      if (pu >= 0) pinned.push_back(pu);
    }
    text = "threads: " + std::to_string(s.pool().size());
    text += pinned.empty() ? ", not pinned"
                           : (cfg.pin_threads ? " pinned to CPUs " : " on CPUs (not pinned) ") +
                                 edgellm::threads::format_cpu_list(pinned);
    if (pinned.size() < cfg.placement.pus.size() && !pinned.empty()) text += " + unpinned";
    text += s.pool().dynamic() ? ", work stealing" : ", static split";
    text += " (" + cfg.placement.reason + ")\n";
  }
  const std::string warning = s.pool().warning();
  if (!warning.empty()) text += "warning: " + warning + "\n";
  return copy_out(text, buf, size);
}

edgellm_status edgellm_describe_threads(const char* topology, int32_t n_threads, const char* cpus,
                                        char* buf, size_t size, size_t* length) {
  return guarded([&]() -> edgellm_status {
    edgellm::threads::Topology topo;
    edgellm::Status st = (topology && *topology)
                             ? edgellm::threads::load_xml_topology(topology, &topo)
                             : edgellm::threads::load_live_topology(&topo);
    if (!st.ok()) return fail(st);
    edgellm::threads::CpuRequest req;
    req.n_threads = n_threads;
    if (cpus && *cpus) {
      st = edgellm::threads::parse_cpu_list(cpus, &req.cpus);
      if (!st.ok()) return fail(st);
    }
    edgellm::threads::CpuPlan plan;
    st = edgellm::threads::choose_cpus(topo, req, &plan);
    if (!st.ok()) return fail(st);
    const std::string text =
        edgellm::threads::describe_topology(topo) + edgellm::threads::describe_plan(topo, plan);
    const size_t n = copy_out(text, buf, size);
    if (length) *length = n;
    return EDGELLM_OK;
  });
}

}  // extern "C"
