#include "cli/bench_profile.h"

#include <cinttypes>
#include <cstdio>

namespace cli {
namespace {

size_t read_counters(double* values, size_t max, void* user) {
  return static_cast<const edgellm::pmu::Counters*>(user)->read_now(values, max);
}

}  // namespace

bool profile_pass(edgellm_context* ctx, const std::vector<edgellm_token>& toks, bool decode,
                  edgellm::pmu::Counters* counters, std::vector<ProfileRow>* rows) {
  edgellm_context_reset(ctx);
  if (edgellm_context_set_profiling(ctx, 1, counters ? read_counters : nullptr, counters) !=
      EDGELLM_OK) {
    return false;
  }
  if (counters) counters->start();
  bool ok = true;
  if (decode) {
    for (edgellm_token t : toks) ok = ok && edgellm_evaluate(ctx, &t, 1, 0) == EDGELLM_OK;
  } else {
    ok = edgellm_evaluate(ctx, toks.data(), toks.size(), 0) == EDGELLM_OK;
  }
  if (counters) counters->stop();
  std::vector<edgellm_profile_entry> entries(edgellm_context_profile(ctx, nullptr, 0));
  entries.resize(edgellm_context_profile(ctx, entries.data(), entries.size()));
  edgellm_context_set_profiling(ctx, 0, nullptr, nullptr);
  rows->clear();
  for (const edgellm_profile_entry& e : entries) {
    ProfileRow r{e.op, e.type, e.calls, e.ms, {}};
    r.counters.assign(e.counters, e.counters + e.n_counters);
    rows->push_back(std::move(r));
  }
  return ok;
}

void print_profile_md(const std::string& test, int threads, const std::vector<ProfileRow>& rows,
                      const std::vector<std::string>& counter_names) {
  double total = 0;
  for (const ProfileRow& r : rows) total += r.ms;
  std::printf("\nprofile %s, %d threads (one pass; %.2f ms in ops):\n\n", test.c_str(), threads,
              total);
  std::printf("| op | type | calls | ms | share | µs/call |");
  for (const std::string& c : counter_names) std::printf(" %s/call |", c.c_str());
  std::printf("\n|---|---|---:|---:|---:|---:|");
  for (size_t i = 0; i < counter_names.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (const ProfileRow& r : rows) {
    std::printf("| %s | %s | %" PRIu64 " | %.3f | %.1f %% | %.2f |", r.op.c_str(), r.type.c_str(),
                r.calls, r.ms, total > 0 ? 100.0 * r.ms / total : 0.0,
                r.calls ? 1000.0 * r.ms / static_cast<double>(r.calls) : 0.0);
    for (size_t i = 0; i < counter_names.size(); ++i) {
      const double v = i < r.counters.size() && r.calls ? r.counters[i] / static_cast<double>(r.calls) : 0.0;
      std::printf(" %.4g |", v);
    }
    std::printf("\n");
  }
}

void print_profile_json(const std::vector<ProfileRow>& rows,
                        const std::vector<std::string>& counter_names) {
  std::printf("[");
  for (size_t i = 0; i < rows.size(); ++i) {
    const ProfileRow& r = rows[i];
    std::printf("%s{\"op\": \"%s\", \"type\": \"%s\", \"calls\": %" PRIu64 ", \"ms\": %.6g, \"counters\": {",
                i ? ", " : "", r.op.c_str(), r.type.c_str(), r.calls, r.ms);
    for (size_t k = 0; k < counter_names.size() && k < r.counters.size(); ++k) {
      std::printf("%s\"%s\": %.6g", k ? ", " : "", counter_names[k].c_str(), r.counters[k]);
    }
    std::printf("}}");
  }
  std::printf("]");
}

}  // namespace cli
