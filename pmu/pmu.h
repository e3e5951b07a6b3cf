// edgellm::pmu — a small library over perf_event_open(2).
//
// Counts a group of events per thread (the calling thread, or every thread
// of the process), scales each count by time_enabled / time_running when the
// kernel multiplexed the group, and falls back to software events
// (task-clock, page-faults, context-switches) when hardware events cannot be
// opened (VMs without a virtual PMU, perf_event_paranoid, seccomp), and to
// getrusage() when even those are refused. Every reading says which source
// produced it and why a fallback happened, so no output can pass software
// numbers off as hardware ones.
//
// Event names: generic perf names (cycles, instructions, cache-references,
// cache-misses, branch-misses, branches, stalled-cycles-frontend,
// stalled-cycles-backend, task-clock, page-faults, context-switches,
// cpu-migrations), ARM PMUv3 common events by architectural name (CPU_CYCLES,
// INST_RETIRED, L1D_CACHE, L1D_CACHE_REFILL, L2D_CACHE, L2D_CACHE_REFILL,
// MEM_ACCESS, BUS_ACCESS, BR_MIS_PRED, STALL_FRONTEND, STALL_BACKEND — raw
// event codes, valid on ARM cores only) and raw codes "r<hex>".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edgellm::pmu {

enum class Source { kHardware, kSoftware, kRusage };
const char* source_name(Source s);  // "hardware" | "software" | "software (rusage)"

struct EventSpec {
  std::string name;
  uint32_t type = 0;    // PERF_TYPE_*
  uint64_t config = 0;
  bool hardware = false;  // needs a PMU (not a software event)
};

// Resolves one event name; false (and *error) for unknown names.
bool resolve_event(const std::string& name, EventSpec* out, std::string* error);
// Splits "a,b,c" and resolves each; "default" = cycles,instructions,
// cache-references,cache-misses,branch-misses; "arm" = the ARM set above.
bool resolve_events(const std::string& list, std::vector<EventSpec>* out, std::string* error);
std::vector<std::string> software_event_names();  // the fallback set

struct Options {
  bool all_threads = false;    // every thread of this process (else the calling thread)
  bool allow_fallback = true;  // software events when hardware ones fail
  // Tests: pretend perf_event_open fails with this errno for hardware events
  // (0 = off), or for every event (forces the rusage path).
  int simulate_hw_errno = 0;
  int simulate_all_errno = 0;
};

struct Reading {
  std::string name;
  double value = 0;         // summed over threads, scaled when multiplexed
  double raw = 0;           // unscaled sum
  double running_ratio = 1; // time_running / time_enabled (min over threads)
};

class Counters {
 public:
  ~Counters();
  Counters(const Counters&) = delete;
  Counters& operator=(const Counters&) = delete;

  // Opens the events (all stopped). Fails only when nothing can be counted
  // and fallback is off, or for bad arguments; *error says why.
  static std::unique_ptr<Counters> open(const std::vector<EventSpec>& events, const Options& opts,
                                        std::string* error);

  bool start();   // reset + enable
  bool stop();    // disable
  // Values accumulated between start() and stop().
  std::vector<Reading> read() const;
  // The running values since start() (scaled, summed over threads) into
  // out[0 .. min(events, max)), without allocating: for reading around every
  // op in profile mode. Returns the number of values written.
  size_t read_now(double* out, size_t max) const;

  Source source() const { return source_; }
  // Why the requested events were replaced ("" when they were not).
  const std::string& fallback_reason() const { return reason_; }
  int n_threads() const { return static_cast<int>(groups_.size()); }
  // "hardware" or e.g. "software (fallback: cycles: perf_event_open: No such file or directory)"
  std::string describe_source() const;

 private:
  Counters() = default;
  struct Group {
    pid_t tid = 0;
    std::vector<int> fds;  // fds[0] is the group leader
  };
  bool open_groups(const std::vector<EventSpec>& events, const Options& opts, std::string* error);
  void close_all();

  std::vector<EventSpec> events_;
  std::vector<Group> groups_;
  Source source_ = Source::kHardware;
  std::string reason_;
  // rusage fallback
  double ru_start_[3] = {0, 0, 0};
  double ru_acc_[3] = {0, 0, 0};
};

}  // namespace edgellm::pmu
