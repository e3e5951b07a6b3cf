// CPU topology as plain data, and the choice of the cores a context runs on.
//
// A Topology is read once (from the live machine through hwloc, or from an
// hwloc XML file for tests and for planning on another machine) and holds no
// hwloc types. choose_cpus() is a pure function of a Topology and a
// CpuRequest: by default one thread per physical core of the fastest CPU
// kind (e.g. the four Cortex-A76 of an RK3588, not its four A55), inside one
// NUMA node when there are several; --threads N and --cpus LIST override.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/core/status.h"

namespace edgellm::threads {

// One kind of core (hwloc cpukinds: big/little clusters of a big.LITTLE SoC).
struct CpuKind {
  int efficiency = -1;   // hwloc's ranking, higher = faster; -1 when unknown
  int64_t capacity = 0;  // Linux cpu_capacity (LinuxCapacity), 0 when unknown
  int max_mhz = 0;       // FrequencyMaxMHz, 0 when unknown
  std::string name;      // CoreType / model name when known ("" otherwise)
  int rank = 0;          // 0 = fastest kind of this topology, 1 = next, ...
};

// One physical core with its hardware threads (PUs, by OS index).
struct CpuCore {
  int index = 0;         // logical index in the topology (0..n_cores-1)
  int package = 0;       // OS index of the package (socket), 0 when unknown
  int numa_node = 0;     // OS index of its NUMA node, 0 when unknown
  int kind = 0;          // index into Topology::kinds
  std::vector<int> pus;  // OS indices of its allowed PUs, ascending
};

struct Topology {
  std::string source;              // "live" or the XML path
  std::vector<CpuKind> kinds;      // at least one
  std::vector<CpuCore> cores;      // allowed cores only, ascending first PU
  std::vector<int> numa_nodes;     // OS indices, ascending (at least one)
  int n_pus() const;               // allowed PUs
  const CpuCore* core_of_pu(int pu) const;  // nullptr when not allowed / absent
};

// Reads the running machine (allowed cpuset only: a container or taskset
// restriction removes the PUs it forbids).
Status load_live_topology(Topology* out);
// Reads an hwloc XML export (hwloc 2.x format, cpukinds included).
Status load_xml_topology(const char* path, Topology* out);

// Parses a CPU list such as "0-3,6" into ascending OS indices. Errors name
// the offending item (empty list, bad number, reversed range, duplicate).
Status parse_cpu_list(const char* text, std::vector<int>* out);
// Renders ascending indices back as a compact list ("0-3,6").
std::string format_cpu_list(const std::vector<int>& pus);

struct CpuRequest {
  int n_threads = 0;      // 0 = automatic
  std::vector<int> cpus;  // explicit PUs (--cpus); empty = automatic
};

// Where each pool thread runs. Thread 0 is the thread that calls evaluate.
struct CpuPlan {
  std::vector<int> pus;      // per thread: the PU to pin to, -1 = not pinned
  std::vector<int> kinds;    // per thread: index into Topology::kinds (-1 if unpinned)
  int numa_node = -1;        // node shared by every pinned thread, -1 if several / unknown
  bool heterogeneous = false;  // threads on different kinds of core (or unpinned)
  std::string reason;        // one line: why these cores
  int n_threads() const { return static_cast<int>(pus.size()); }
};

// Chooses the threads' PUs:
//  - cpus given: those PUs (each must exist and be allowed), the first
//    n_threads of them when n_threads > 0 (more threads than listed PUs is
//    an error);
//  - n_threads == 0: one thread per core of the fastest kind, within the
//    NUMA node holding most of those cores (lowest node on a tie);
//  - n_threads > 0: cores by preference (fastest kind, chosen node, then
//    the others), one PU per core first, then the cores' other hardware
//    threads; threads beyond the allowed PUs run unpinned.
Status choose_cpus(const Topology& topo, const CpuRequest& req, CpuPlan* out);

// Multi-line human-readable description (for `edgellm info --threads`).
std::string describe_topology(const Topology& topo);
std::string describe_plan(const Topology& topo, const CpuPlan& plan);

}  // namespace edgellm::threads
