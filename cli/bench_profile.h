// edgellm bench --profile: one extra pass per test with the context's
// profile mode on (edgellm_context_set_profiling), reading the bench's perf
// counters around every op without allocating; time and counters per op
// kind and weight type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgellm.h"
#include "pmu/pmu.h"

namespace cli {

struct ProfileRow {
  std::string op, type;
  uint64_t calls = 0;
  double ms = 0;
  std::vector<double> counters;  // summed over the pass, in event order
};

// Runs toks once (decode: one token per evaluate call) with profiling on;
// counters may be null (time only). False when evaluation fails.
bool profile_pass(edgellm_context* ctx, const std::vector<edgellm_token>& toks, bool decode,
                  edgellm::pmu::Counters* counters, std::vector<ProfileRow>* rows);

// A markdown table per test: op, type, calls, ms, share of the pass,
// counters per call.
void print_profile_md(const std::string& test, int threads, const std::vector<ProfileRow>& rows,
                      const std::vector<std::string>& counter_names);
// The rows as a JSON array (no trailing newline).
void print_profile_json(const std::vector<ProfileRow>& rows,
                        const std::vector<std::string>& counter_names);

}  // namespace cli
