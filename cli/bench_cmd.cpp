// edgellm bench: prefill (pp) and decode (tg) throughput in the spirit of
// llama-bench, with perf counters per token (pmu/, software fallback stated
// in every output), weight bytes per token and the achieved bandwidth.
//
//   edgellm bench -m MODEL [-p 512] [-n 128] [-t 1,2] [-r 5] [--pmu EVENTS]
//                 [-o md|json|csv] [--no-pmu] [--profile]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/bench_profile.h"
#include "cli/commands.h"
#include "pmu/pmu.h"

namespace cli {

namespace pmu = edgellm::pmu;
namespace {

struct TestResult {
  std::string test;  // "pp512" / "tg128"
  int threads = 0;
  int n_prompt = 0, n_gen = 0;
  double tps_mean = 0, tps_std = 0;
  double seconds_mean = 0;
  std::vector<std::pair<std::string, double>> counters;  // per token
  std::string counters_source;
  double gbps = 0;  // weight bytes per token x tokens/s (decode); 0 for prefill
  std::vector<ProfileRow> profile;  // --profile: per op kind (one extra pass)
};

std::vector<int> parse_list(const std::string& s, bool* ok) {
  std::vector<int> out;
  size_t pos = 0;
  *ok = true;
  while (pos <= s.size()) {
    const size_t c = std::min(s.find(',', pos), s.size());
    const std::string item = s.substr(pos, c - pos);
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0) {
      *ok = false;
      return out;
    }
    out.push_back(static_cast<int>(v));
    pos = c + 1;
  }
  return out;
}

const char* ftype_name(long ft) {
  static const std::map<long, const char*> names = {
      {0, "F32"},    {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},
      {8, "Q5_0"},   {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"},
      {13, "Q3_K_L"}, {14, "Q4_K_S"}, {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},
      {18, "Q6_K"},  {32, "BF16"}};
  auto it = names.find(ft);
  return it == names.end() ? "?" : it->second;
}

std::string meta(edgellm_model* m, const char* key) {
  char buf[256];
  if (edgellm_model_meta(m, key, buf, sizeof buf) < 0) return "";
  return buf;
}

std::string base_name(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

void mean_std(const std::vector<double>& v, double* mean, double* sd) {
  double m = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  *mean = m;
  *sd = v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0;
}

// One test: reps timed runs after a warm-up (unless warmup is false: for
// instruction counting, where every run must be a timed one); counters
// accumulated over reps.
bool run_test(edgellm_context* ctx, const std::vector<edgellm_token>& toks, bool decode,
              int reps, bool warmup, pmu::Counters* counters, TestResult* r) {
  auto once = [&]() -> double {
    edgellm_context_reset(ctx);
    const auto t0 = std::chrono::steady_clock::now();
    if (decode) {
      for (edgellm_token t : toks) {
        if (edgellm_evaluate(ctx, &t, 1, 0) != EDGELLM_OK) return -1;
      }
    } else if (edgellm_evaluate(ctx, toks.data(), toks.size(), 0) != EDGELLM_OK) {
      return -1;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  if (warmup && once() < 0) return false;
  std::vector<double> tps;
  std::vector<pmu::Reading> acc;
  double secs = 0;
  for (int i = 0; i < reps; ++i) {
    if (counters) counters->start();
    const double s = once();
    if (counters) {
      counters->stop();
      std::vector<pmu::Reading> rd = counters->read();
      if (acc.empty()) acc = rd;
      else for (size_t k = 0; k < acc.size() && k < rd.size(); ++k) acc[k].value += rd[k].value;
    }
    if (s < 0) return false;
    secs += s;
    tps.push_back(static_cast<double>(toks.size()) / s);
  }
  mean_std(tps, &r->tps_mean, &r->tps_std);
  r->seconds_mean = secs / reps;
  const double n_tok = static_cast<double>(toks.size()) * reps;
  for (const pmu::Reading& rd : acc) r->counters.emplace_back(rd.name, rd.value / n_tok);
  return true;
}

// Best-of-3 read bandwidth (GB/s) of a 512 MiB buffer summed by n threads:
// the memory roofline for decode is this divided by weight bytes per token.
double measure_read_bandwidth(int n_threads) {
  const size_t n = (size_t{512} << 20) / sizeof(uint64_t);
  std::vector<uint64_t> buf(n);
  for (size_t i = 0; i < n; ++i) buf[i] = i;
  if (n_threads < 1) n_threads = 1;
  double best = 0;
  std::vector<uint64_t> sums(static_cast<size_t>(n_threads));
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < n_threads; ++t) {
      ts.emplace_back([&, t] {
        const size_t b = n * t / n_threads, e = n * (t + 1) / n_threads;
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t i = b;
        for (; i + 4 <= e; i += 4) {
          s0 += buf[i];
          s1 += buf[i + 1];
          s2 += buf[i + 2];
          s3 += buf[i + 3];
        }
        for (; i < e; ++i) s0 += buf[i];
        sums[t] = s0 + s1 + s2 + s3;
      });
    }
    for (std::thread& th : ts) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(n * sizeof(uint64_t)) / s / 1e9);
  }
  uint64_t total = 0;
  for (uint64_t v : sums) total += v;
  if (total == 42) std::fprintf(stderr, " ");  // keeps the sums live
  return best;
}

std::string fmt_num(double v) {
  char buf[64];
  if (v != 0 && (std::fabs(v) >= 1e6 || std::fabs(v) < 1e-2)) std::snprintf(buf, sizeof buf, "%.3e", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

struct BenchOptions {
  std::string model, threads = "0", pmu_events = "default";
  int32_t n_prompt = 512, n_gen = 128, reps = 5;
  int32_t format = 0;  // 0 md, 1 json, 2 csv
  bool no_pmu = false, roofline = false, profile = false, no_warmup = false;
  MemoryOptions mem;
};

int bench_main(const BenchOptions& o) {
  if (o.model.empty()) return fail_usage("bench needs -m MODEL (edgellm bench --help lists the options)");
  const std::string& model_path = o.model;
  const double n_prompt = o.n_prompt, n_gen = o.n_gen;
  const int reps = o.reps;
  const bool no_pmu = o.no_pmu, roofline = o.roofline, profile = o.profile, no_warmup = o.no_warmup;
  const std::string out_fmt = o.format == 1 ? "json" : o.format == 2 ? "csv" : "md";
  const MemoryOptions& mem = o.mem;
  bool ok_list = true;
  // Default: one thread per logical CPU (explicit, so every result names its count).
  const int n_cpu = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<int> threads = o.threads == "0" ? std::vector<int>{n_cpu} : parse_list(o.threads, &ok_list);
  if (!ok_list) return fail_usage("option -t/--threads: '" + o.threads + "' is not a list of thread counts >= 1");
  std::vector<pmu::EventSpec> events;
  std::string err;
  if (!no_pmu && !pmu::resolve_events(o.pmu_events, &events, &err)) return fail_usage("option --pmu: " + err);

  edgellm_model* model = nullptr;
  if (!load_with_options(model_path, mem, &model)) return 1;
  const int n_vocab = edgellm_model_n_vocab(model);
  const uint64_t wbytes = edgellm_model_weight_bytes_per_token(model);
  std::string name = meta(model, "general.name");
  if (name.empty()) name = base_name(model_path);
  const std::string ft = meta(model, "general.file_type");
  const std::string type = ft.empty() ? "?" : ftype_name(std::strtol(ft.c_str(), nullptr, 10));

  // Deterministic token ids spread over the vocabulary.
  auto make_tokens = [&](int n, uint32_t seed) {
    std::vector<edgellm_token> t(static_cast<size_t>(n));
    uint32_t x = seed;
    for (auto& v : t) {
      x = x * 1664525u + 1013904223u;
      v = static_cast<edgellm_token>((x >> 8) % static_cast<uint32_t>(n_vocab));
    }
    return t;
  };

  std::vector<TestResult> results;
  std::string source_note;
  for (int nt : threads) {
    edgellm_context_params cp;
    edgellm_context_default_params(&cp);
    apply_memory_options(mem, &cp);  // --kv-type, --mlock (the sizes follow -p and -n)
    cp.n_threads = nt;
    cp.n_ctx = static_cast<int32_t>(std::max(n_prompt, n_gen)) + 16;
    cp.n_batch = std::max(1, static_cast<int>(n_prompt));
    edgellm_context* ctx = nullptr;
    if (edgellm_context_create(model, &cp, &ctx) != EDGELLM_OK) {
      edgellm_model_free(model);
      return fail_api("cannot create context");
    }
    const int actual_threads = nt;
    std::unique_ptr<pmu::Counters> counters;
    if (!no_pmu) {
      pmu::Options po;
      po.all_threads = true;  // the context's worker threads exist now
      counters = pmu::Counters::open(events, po, &err);
      if (counters) source_note = counters->describe_source();
    }
    for (int phase = 0; phase < 2; ++phase) {
      const bool decode = phase == 1;
      const int n = static_cast<int>(decode ? n_gen : n_prompt);
      if (n == 0) continue;
      TestResult r;
      r.test = (decode ? "tg" : "pp") + std::to_string(n);
      r.threads = actual_threads;
      r.n_prompt = decode ? 0 : n;
      r.n_gen = decode ? n : 0;
      if (!run_test(ctx, make_tokens(n, decode ? 7u : 1u), decode, reps,
                    !no_warmup, counters.get(), &r)) {
        edgellm_context_free(ctx);
        edgellm_model_free(model);
        return fail_api("evaluation failed");
      }
      r.counters_source = counters ? (counters->source() == pmu::Source::kHardware ? "hardware" : "software") : "none";
      if (profile && !profile_pass(ctx, make_tokens(n, decode ? 7u : 1u), decode, counters.get(),
                                   &r.profile)) {
        edgellm_context_free(ctx);
        edgellm_model_free(model);
        return fail_api("profiled evaluation failed");
      }
      r.gbps = decode ? static_cast<double>(wbytes) * r.tps_mean / 1e9 : 0.0;
      results.push_back(r);
    }
    edgellm_context_free(ctx);
  }
  edgellm_model_free(model);
  std::vector<std::string> event_names;
  if (!results.empty()) for (const auto& c : results[0].counters) event_names.push_back(c.first);

  if (out_fmt == "json") {
    std::printf("[\n");
    for (size_t i = 0; i < results.size(); ++i) {
      const TestResult& r = results[i];
      std::printf("  {\"model\": \"%s\", \"type\": \"%s\", \"threads\": %d, \"test\": \"%s\", "
                  "\"n_prompt\": %d, \"n_gen\": %d, \"tokens_per_second_mean\": %.4f, "
                  "\"tokens_per_second_stddev\": %.4f, \"counters\": {",
                  json_escape(name).c_str(), type.c_str(), r.threads, r.test.c_str(), r.n_prompt,
                  r.n_gen, r.tps_mean, r.tps_std);
      for (size_t k = 0; k < r.counters.size(); ++k) {
        std::printf("%s\"%s\": %.6g", k ? ", " : "", r.counters[k].first.c_str(), r.counters[k].second);
      }
      std::printf("}, \"counters_source\": \"%s\"", r.counters_source.c_str());
      if (profile) {
        std::printf(", \"profile\": ");
        print_profile_json(r.profile, event_names);
      }
      std::printf("}%s\n", i + 1 < results.size() ? "," : "");
    }
    std::printf("]\n");
  } else if (out_fmt == "csv") {
    std::printf("model,type,threads,test,n_prompt,n_gen,tokens_per_second_mean,"
                "tokens_per_second_stddev,weight_bytes_per_token,gb_per_s,counters_source");
    if (!results.empty()) for (const auto& c : results[0].counters) std::printf(",%s_per_token", c.first.c_str());
    std::printf("\n");
    for (const TestResult& r : results) {
      std::printf("\"%s\",%s,%d,%s,%d,%d,%.4f,%.4f,%" PRIu64 ",%.3f,%s", name.c_str(), type.c_str(),
                  r.threads, r.test.c_str(), r.n_prompt, r.n_gen, r.tps_mean, r.tps_std, wbytes,
                  r.gbps, r.counters_source.c_str());
      for (const auto& c : r.counters) std::printf(",%.6g", c.second);
      std::printf("\n");
    }
    if (profile) {  // a second table: one row per test and op
      std::printf("\ntest,threads,op,type,calls,ms");
      for (const auto& c : event_names) std::printf(",%s", c.c_str());
      std::printf("\n");
      for (const TestResult& r : results) {
        for (const ProfileRow& p : r.profile) {
          std::printf("%s,%d,%s,%s,%" PRIu64 ",%.6g", r.test.c_str(), r.threads, p.op.c_str(),
                      p.type.c_str(), p.calls, p.ms);
          for (double v : p.counters) std::printf(",%.6g", v);
          std::printf("\n");
        }
      }
    }
  } else {
    std::vector<std::string> cnames;
    if (!results.empty()) for (const auto& c : results[0].counters) cnames.push_back(c.first);
    std::printf("| model | type | weights MiB/token | threads | test | t/s | GB/s |");
    for (const auto& c : cnames) std::printf(" %s/token |", c.c_str());
    std::printf("\n|---|---|---:|---:|---|---:|---:|");
    for (size_t i = 0; i < cnames.size(); ++i) std::printf("---:|");
    std::printf("\n");
    for (const TestResult& r : results) {
      std::printf("| %s | %s | %.1f | %d | %s | %.2f ± %.2f | %s |", name.c_str(), type.c_str(),
                  static_cast<double>(wbytes) / 1048576.0, r.threads, r.test.c_str(), r.tps_mean,
                  r.tps_std, r.gbps > 0 ? fmt_num(r.gbps).c_str() : "-");
      for (const auto& c : r.counters) std::printf(" %s |", fmt_num(c.second).c_str());
      std::printf("\n");
    }
    if (profile) {
      for (const TestResult& r : results) print_profile_md(r.test, r.threads, r.profile, event_names);
    }
    if (!no_pmu) std::printf("\ncounters: %s\n", source_note.empty() ? ("unavailable: " + err).c_str() : source_note.c_str());
    if (roofline) {
      for (int nt : threads) {
        const int t = nt;
        const double bw = measure_read_bandwidth(t);
        std::printf("roofline (%d threads): read bandwidth %.2f GB/s, %.1f MiB of weights per token "
                    "-> at most %.2f tokens/s for decode\n", t, bw,
                    static_cast<double>(wbytes) / 1048576.0, bw * 1e9 / static_cast<double>(wbytes));
      }
    }
  }
  if (!no_pmu && out_fmt != "md") std::fprintf(stderr, "counters: %s\n", source_note.c_str());
  return 0;
}

}  // namespace

Runner add_bench_command(CLI::App* app) {
  auto o = std::make_shared<BenchOptions>();
  add_text(app, "-m,--model", &o->model, "GGUF model file (required)", "FILE");
  add_int(app, "-p,--n-prompt", &o->n_prompt, 0, kMaxCtx, "prompt tokens for the prefill test (pp), 0 = skip");
  add_int(app, "-n,--n-gen", &o->n_gen, 0, kMaxCtx, "tokens for the decode test (tg), 0 = skip");
  add_list(app, "-t,--threads", &o->threads, "thread counts to test, e.g. 1,2,4 (0 = one per logical CPU)");
  add_int(app, "-r,--repetitions", &o->reps, 1, 1000000, "timed runs per test");
  add_list(app, "--pmu", &o->pmu_events, "perf events to count; default = cycles,instructions,cache-references,cache-misses,branch-misses; arm = the ARM set", "EVENTS");
  add_switch(app, "--no-pmu", &o->no_pmu, "count no perf events");
  add_choice(app, "-o,--output", &o->format, {"md", "json", "csv"}, {0, 1, 2}, "output format");
  add_switch(app, "--roofline", &o->roofline, "measure read bandwidth: the decode roofline (md output)");
  add_switch(app, "--profile", &o->profile, "time and counters per op kind (one extra pass per test)");
  add_switch(app, "--no-warmup", &o->no_warmup, "no warm-up run before the timed ones");
  add_memory_options(app, &o->mem, kModelOptions | kKvType | kMlock);
  return [o] { return bench_main(*o); };
}

}  // namespace cli
