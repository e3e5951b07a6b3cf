#include "runtime/threads/topology.h"

#include <hwloc.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace edgellm::threads {
namespace {

constexpr int kMaxCpuIndex = 65535;

// Owns an hwloc topology for the duration of a load.
struct HwlocHandle {
  hwloc_topology_t t = nullptr;
  HwlocHandle() = default;
  HwlocHandle(const HwlocHandle&) = delete;
  HwlocHandle& operator=(const HwlocHandle&) = delete;
  ~HwlocHandle() {
    if (t) hwloc_topology_destroy(t);
  }
};

struct HwlocBitmap {
  hwloc_bitmap_t b = hwloc_bitmap_alloc();
  HwlocBitmap() = default;
  HwlocBitmap(const HwlocBitmap&) = delete;
  HwlocBitmap& operator=(const HwlocBitmap&) = delete;
  ~HwlocBitmap() { hwloc_bitmap_free(b); }
};

int64_t parse_int(const char* s) {
  if (!s) return 0;
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  return (end == s) ? 0 : static_cast<int64_t>(v);
}

// Ranks kinds, 0 = fastest. hwloc's efficiency when every kind has one,
// else Linux capacity, else maximum frequency; kinds nothing tells apart
// share a rank.
void rank_kinds(std::vector<CpuKind>* kinds) {
  auto all = [&](auto pred) { return std::all_of(kinds->begin(), kinds->end(), pred); };
  int64_t (*score)(const CpuKind&) = [](const CpuKind&) -> int64_t { return 0; };
  if (all([](const CpuKind& k) { return k.efficiency >= 0; })) {
    score = [](const CpuKind& k) -> int64_t { return k.efficiency; };
  } else if (all([](const CpuKind& k) { return k.capacity > 0; })) {
    score = [](const CpuKind& k) -> int64_t { return k.capacity; };
  } else if (all([](const CpuKind& k) { return k.max_mhz > 0; })) {
    score = [](const CpuKind& k) -> int64_t { return k.max_mhz; };
  }
  std::set<int64_t, std::greater<int64_t>> distinct;
  for (const CpuKind& k : *kinds) distinct.insert(score(k));
  for (CpuKind& k : *kinds) {
    k.rank = static_cast<int>(std::distance(distinct.begin(), distinct.find(score(k))));
  }
}

Status convert(hwloc_topology_t t, const std::string& source, Topology* out) {
  Topology topo;
  topo.source = source;

  // Kinds and their PU sets.
  std::vector<HwlocBitmap> kind_sets;
  const int n_kinds = hwloc_cpukinds_get_nr(t, 0);
  if (n_kinds > 0) {
    kind_sets = std::vector<HwlocBitmap>(static_cast<size_t>(n_kinds));
    for (int k = 0; k < n_kinds; ++k) {
      CpuKind kind;
      unsigned n_infos = 0;
      hwloc_info_s* infos = nullptr;
      if (hwloc_cpukinds_get_info(t, static_cast<unsigned>(k), kind_sets[k].b, &kind.efficiency,
                                  &n_infos, &infos, 0) != 0) {
        return Errorf(StatusCode::kInternal, "%s: cannot read CPU kind %d", source.c_str(), k);
      }
      for (unsigned i = 0; i < n_infos; ++i) {
        const char* name = infos[i].name;
        if (std::strcmp(name, "LinuxCapacity") == 0) kind.capacity = parse_int(infos[i].value);
        if (std::strcmp(name, "FrequencyMaxMHz") == 0) {
          kind.max_mhz = static_cast<int>(parse_int(infos[i].value));
        }
        if (std::strcmp(name, "CoreType") == 0 || std::strcmp(name, "CPUModel") == 0) {
          kind.name = infos[i].value;
        }
      }
      topo.kinds.push_back(kind);
    }
  } else {
    topo.kinds.push_back(CpuKind{});
  }
  rank_kinds(&topo.kinds);

  auto kind_of = [&](hwloc_const_cpuset_t set) -> int {
    if (kind_sets.empty()) return 0;
    const int first = hwloc_bitmap_first(set);
    for (size_t k = 0; k < kind_sets.size(); ++k) {
      if (first >= 0 && hwloc_bitmap_isset(kind_sets[k].b, static_cast<unsigned>(first))) {
        return static_cast<int>(k);
      }
    }
    return 0;
  };

  // Cores (or PUs, where the platform reports no cores).
  const hwloc_obj_type_t unit =
      hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  for (hwloc_obj_t obj = hwloc_get_next_obj_by_type(t, unit, nullptr); obj;
       obj = hwloc_get_next_obj_by_type(t, unit, obj)) {
    CpuCore core;
    unsigned id;
    hwloc_bitmap_foreach_begin(id, obj->cpuset) {
      if (hwloc_bitmap_isset(allowed, id)) core.pus.push_back(static_cast<int>(id));
    }
    hwloc_bitmap_foreach_end();
    if (core.pus.empty()) continue;
    hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, obj);
    core.package = (pkg && pkg->os_index != HWLOC_UNKNOWN_INDEX) ? static_cast<int>(pkg->os_index) : 0;
    const int node = obj->nodeset ? hwloc_bitmap_first(obj->nodeset) : -1;
    core.numa_node = node < 0 ? 0 : node;
    core.kind = kind_of(obj->cpuset);
    topo.cores.push_back(std::move(core));
  }
  if (topo.cores.empty()) {
    return Errorf(StatusCode::kUnsupported, "%s: the topology has no allowed CPU", source.c_str());
  }
  std::sort(topo.cores.begin(), topo.cores.end(),
            [](const CpuCore& a, const CpuCore& b) { return a.pus.front() < b.pus.front(); });
  for (size_t i = 0; i < topo.cores.size(); ++i) topo.cores[i].index = static_cast<int>(i);

  for (hwloc_obj_t n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, nullptr); n;
       n = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, n)) {
    if (n->os_index != HWLOC_UNKNOWN_INDEX) topo.numa_nodes.push_back(static_cast<int>(n->os_index));
  }
  std::sort(topo.numa_nodes.begin(), topo.numa_nodes.end());
  topo.numa_nodes.erase(std::unique(topo.numa_nodes.begin(), topo.numa_nodes.end()),
                        topo.numa_nodes.end());
  if (topo.numa_nodes.empty()) topo.numa_nodes.push_back(0);
  *out = std::move(topo);
  return Status::Ok();
}

Status load(const char* xml_path, Topology* out) {
  HwlocHandle h;
  if (hwloc_topology_init(&h.t) != 0) {
    h.t = nullptr;
    return Errorf(StatusCode::kInternal, "hwloc: cannot initialise a topology");
  }
  hwloc_topology_set_io_types_filter(h.t, HWLOC_TYPE_FILTER_KEEP_NONE);
  const std::string source = xml_path ? xml_path : "live";
  if (xml_path) {
    if (std::FILE* f = std::fopen(xml_path, "rb")) {
      std::fclose(f);
    } else {
      return Errorf(StatusCode::kIo, "cannot open topology file '%s': %s", xml_path,
                    std::strerror(errno));
    }
    if (hwloc_topology_set_xml(h.t, xml_path) != 0) {
      return Errorf(StatusCode::kFormat, "hwloc cannot use '%s' as an XML topology", xml_path);
    }
  }
  if (hwloc_topology_load(h.t) != 0) {
    return Errorf(xml_path ? StatusCode::kFormat : StatusCode::kInternal,
                  "hwloc cannot load the topology from %s",
                  xml_path ? xml_path : "this machine");
  }
  return convert(h.t, source, out);
}

// The NUMA node holding the most cores of rank-0 kinds (lowest on a tie).
int preferred_node(const Topology& topo) {
  std::map<int, int> count;
  for (const CpuCore& c : topo.cores) {
    if (topo.kinds[c.kind].rank == 0) ++count[c.numa_node];
  }
  int best = topo.cores.front().numa_node, best_n = -1;
  for (const auto& [node, n] : count) {
    if (n > best_n) best = node, best_n = n;
  }
  return best;
}

void finish_plan(const Topology& topo, CpuPlan* plan) {
  std::set<int> kinds, nodes;
  bool unpinned = false;
  for (size_t i = 0; i < plan->pus.size(); ++i) {
    if (plan->pus[i] < 0) {
      unpinned = true;
      continue;
    }
    const CpuCore* c = topo.core_of_pu(plan->pus[i]);
    kinds.insert(c->kind);
    nodes.insert(c->numa_node);
  }
  plan->heterogeneous = kinds.size() > 1 || (unpinned && plan->pus.size() > 1);
  plan->numa_node = (nodes.size() == 1) ? *nodes.begin() : -1;
}

std::string kind_label(const CpuKind& k) {
  std::string s = k.name.empty() ? "" : k.name + ", ";
  char buf[160];
  std::snprintf(buf, sizeof buf, "rank %d%s, efficiency %d", k.rank, k.rank == 0 ? " (fastest)" : "",
                k.efficiency);
  s += buf;
  if (k.capacity > 0) {
    std::snprintf(buf, sizeof buf, ", capacity %lld", static_cast<long long>(k.capacity));
    s += buf;
  }
  if (k.max_mhz > 0) {
    std::snprintf(buf, sizeof buf, ", %d MHz", k.max_mhz);
    s += buf;
  }
  return s;
}

}  // namespace

int Topology::n_pus() const {
  int n = 0;
  for (const CpuCore& c : cores) n += static_cast<int>(c.pus.size());
  return n;
}

const CpuCore* Topology::core_of_pu(int pu) const {
  for (const CpuCore& c : cores) {
    if (std::find(c.pus.begin(), c.pus.end(), pu) != c.pus.end()) return &c;
  }
  return nullptr;
}

Status load_live_topology(Topology* out) { return load(nullptr, out); }

Status load_xml_topology(const char* path, Topology* out) {
  if (!path || !*path) return Errorf(StatusCode::kInvalidArgument, "no topology file given");
  return load(path, out);
}

Status parse_cpu_list(const char* text, std::vector<int>* out) {
  if (!text || !*text) return Errorf(StatusCode::kInvalidArgument, "empty CPU list");
  std::vector<int> pus;
  std::set<int> seen;
  const char* p = text;
  auto number = [&](int* v) -> bool {
    if (*p < '0' || *p > '9') return false;
    long n = 0;
    while (*p >= '0' && *p <= '9') {
      n = n * 10 + (*p++ - '0');
      if (n > kMaxCpuIndex) return false;
    }
    *v = static_cast<int>(n);
    return true;
  };
  for (;;) {
    const char* item = p;
    int lo = 0, hi = 0;
    if (!number(&lo)) {
      return Errorf(StatusCode::kInvalidArgument,
                    "CPU list '%s': expected a CPU number (0..%d) at '%s'", text, kMaxCpuIndex, item);
    }
    hi = lo;
    if (*p == '-') {
      ++p;
      if (!number(&hi)) {
        return Errorf(StatusCode::kInvalidArgument,
                      "CPU list '%s': expected a CPU number (0..%d) after '-' in '%s'", text,
                      kMaxCpuIndex, item);
      }
      if (hi < lo) {
        return Errorf(StatusCode::kInvalidArgument, "CPU list '%s': range %d-%d is reversed", text,
                      lo, hi);
      }
    }
    for (int c = lo; c <= hi; ++c) {
      if (!seen.insert(c).second) {
        return Errorf(StatusCode::kInvalidArgument, "CPU list '%s': CPU %d is listed twice", text, c);
      }
      pus.push_back(c);
    }
    if (*p == '\0') break;
    if (*p != ',') {
      return Errorf(StatusCode::kInvalidArgument, "CPU list '%s': unexpected '%c'", text, *p);
    }
    ++p;
  }
  std::sort(pus.begin(), pus.end());
  *out = std::move(pus);
  return Status::Ok();
}

std::string format_cpu_list(const std::vector<int>& in) {
  std::vector<int> pus(in);
  std::sort(pus.begin(), pus.end());
  std::string s;
  char buf[32];
  for (size_t i = 0; i < pus.size();) {
    size_t j = i;
    while (j + 1 < pus.size() && pus[j + 1] == pus[j] + 1) ++j;
    if (!s.empty()) s += ',';
    if (j == i) {
      std::snprintf(buf, sizeof buf, "%d", pus[i]);
    } else {
      std::snprintf(buf, sizeof buf, "%d-%d", pus[i], pus[j]);
    }
    s += buf;
    i = j + 1;
  }
  return s;
}

Status choose_cpus(const Topology& topo, const CpuRequest& req, CpuPlan* out) {
  if (topo.cores.empty() || topo.kinds.empty()) {
    return Errorf(StatusCode::kInvalidArgument, "the topology has no CPU");
  }
  if (req.n_threads < 0) {
    return Errorf(StatusCode::kInvalidArgument, "n_threads must not be negative (got %d)",
                  req.n_threads);
  }
  CpuPlan plan;
  char buf[256];

  if (!req.cpus.empty()) {
    std::vector<int> allowed;
    for (const CpuCore& c : topo.cores) allowed.insert(allowed.end(), c.pus.begin(), c.pus.end());
    for (int pu : req.cpus) {
      if (!topo.core_of_pu(pu)) {
        return Errorf(StatusCode::kInvalidArgument, "CPU %d is not available (allowed CPUs: %s)",
                      pu, format_cpu_list(allowed).c_str());
      }
    }
    const size_t n = req.n_threads > 0 ? static_cast<size_t>(req.n_threads) : req.cpus.size();
    if (n > req.cpus.size()) {
      return Errorf(StatusCode::kInvalidArgument, "%zu threads requested but only %zu CPUs listed",
                    n, req.cpus.size());
    }
    for (size_t i = 0; i < n; ++i) {
      plan.pus.push_back(req.cpus[i]);
      plan.kinds.push_back(topo.core_of_pu(req.cpus[i])->kind);
    }
    plan.reason = "CPUs given by the caller";
    finish_plan(topo, &plan);
    *out = std::move(plan);
    return Status::Ok();
  }

  const int node = preferred_node(topo);
  if (req.n_threads == 0) {
    for (const CpuCore& c : topo.cores) {
      if (topo.kinds[c.kind].rank == 0 && c.numa_node == node) {
        plan.pus.push_back(c.pus.front());
        plan.kinds.push_back(c.kind);
      }
    }
    std::snprintf(buf, sizeof buf, "one thread per core of the fastest CPU kind%s",
                  topo.numa_nodes.size() > 1 ? ", within one NUMA node" : "");
    plan.reason = buf;
    finish_plan(topo, &plan);
    *out = std::move(plan);
    return Status::Ok();
  }

  // n_threads given: cores by preference, first PUs before SMT siblings.
  std::vector<const CpuCore*> order;
  for (const CpuCore& c : topo.cores) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [&](const CpuCore* a, const CpuCore* b) {
    const int ra = topo.kinds[a->kind].rank, rb = topo.kinds[b->kind].rank;
    if (ra != rb) return ra < rb;
    const bool la = a->numa_node == node, lb = b->numa_node == node;
    if (la != lb) return la;
    if (a->numa_node != b->numa_node) return a->numa_node < b->numa_node;
    return a->index < b->index;
  });
  const size_t want = static_cast<size_t>(req.n_threads);
  for (size_t level = 0; plan.pus.size() < want; ++level) {
    bool any = false;
    for (const CpuCore* c : order) {
      if (level >= c->pus.size() || plan.pus.size() >= want) continue;
      plan.pus.push_back(c->pus[level]);
      plan.kinds.push_back(c->kind);
      any = true;
    }
    if (!any) break;
  }
  const size_t pinned = plan.pus.size();
  while (plan.pus.size() < want) {
    plan.pus.push_back(-1);
    plan.kinds.push_back(-1);
  }
  if (pinned < want) {
    std::snprintf(buf, sizeof buf,
                  "%zu threads requested; %zu pinned (one per allowed CPU), %zu unpinned", want,
                  pinned, want - pinned);
  } else {
    std::snprintf(buf, sizeof buf,
                  "%zu threads requested: fastest cores first, one per physical core first", want);
  }
  plan.reason = buf;
  finish_plan(topo, &plan);
  *out = std::move(plan);
  return Status::Ok();
}

std::string describe_topology(const Topology& topo) {
  std::string s;
  char buf[256];
  std::snprintf(buf, sizeof buf, "topology: %s: %zu cores, %d CPUs, %zu NUMA node%s, %zu CPU kind%s\n",
                topo.source.c_str(), topo.cores.size(), topo.n_pus(), topo.numa_nodes.size(),
                topo.numa_nodes.size() == 1 ? "" : "s", topo.kinds.size(),
                topo.kinds.size() == 1 ? "" : "s");
  s += buf;
  for (size_t k = 0; k < topo.kinds.size(); ++k) {
    std::vector<int> pus;
    int n_cores = 0;
    for (const CpuCore& c : topo.cores) {
      if (c.kind != static_cast<int>(k)) continue;
      ++n_cores;
      pus.insert(pus.end(), c.pus.begin(), c.pus.end());
    }
    std::snprintf(buf, sizeof buf, "  kind %zu: %d cores, CPUs %s (%s)\n", k, n_cores,
                  format_cpu_list(pus).c_str(), kind_label(topo.kinds[k]).c_str());
    s += buf;
  }
  for (int node : topo.numa_nodes) {
    std::vector<int> pus;
    for (const CpuCore& c : topo.cores) {
      if (c.numa_node == node) pus.insert(pus.end(), c.pus.begin(), c.pus.end());
    }
    std::snprintf(buf, sizeof buf, "  NUMA node %d: CPUs %s\n", node, format_cpu_list(pus).c_str());
    s += buf;
  }
  return s;
}

std::string describe_plan(const Topology& topo, const CpuPlan& plan) {
  std::vector<int> pinned;
  int unpinned = 0;
  for (int pu : plan.pus) {
    if (pu >= 0) {
      pinned.push_back(pu);
    } else {
      ++unpinned;
    }
  }
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "threads: %d on CPUs %s%s", plan.n_threads(),
                pinned.empty() ? "-" : format_cpu_list(pinned).c_str(),
                unpinned ? " + unpinned" : "");
  s += buf;
  if (plan.numa_node >= 0 && topo.numa_nodes.size() > 1) {
    std::snprintf(buf, sizeof buf, ", NUMA node %d", plan.numa_node);
    s += buf;
  }
  s += plan.heterogeneous ? ", work stealing (cores differ)" : ", static split";
  s += "\n  why: " + plan.reason + "\n";
  return s;
}

}  // namespace edgellm::threads
