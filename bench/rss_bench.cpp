// Peak resident memory of load + generation next to the memory plan.
//
//   edgellm_rss_bench MODEL.gguf [-c CTX] [-n TOKENS] [-t THREADS] [--no-mmap] [--kv-type T]
//
// Prints the plan (weights, KV cache, activations, arena), the process's
// peak RSS (VmHWM) and RSS at each phase, and the difference split into the
// parts the plan does not cover (the process baseline before loading: code,
// libc, stacks) — so every byte is accounted for.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "edgellm.h"

namespace {

size_t status_kib(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kib = 0;
  const size_t len = std::strlen(field);
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, field, len) == 0) kib = std::strtoull(line + len + 1, nullptr, 10);
  }
  std::fclose(f);
  return kib;
}

double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
double kib_to_mib(size_t kib) { return static_cast<double>(kib) / 1024.0; }

int fail(const char* what) {
  std::fprintf(stderr, "rss_bench: %s: %s\n", what, edgellm_last_error());
  return 1;
}

}  // namespace

// With EDGELLM_RSS_SMAPS set: resident memory by mapping (>= 1 MiB).
void print_smaps(const char* phase) {
  if (std::getenv("EDGELLM_RSS_SMAPS") == nullptr) return;
  std::FILE* f = std::fopen("/proc/self/smaps", "r");
  char line[512], name[512] = "";
  while (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long kib = 0;
    if (line[0] != ' ' && std::strchr(line, '-') != nullptr && std::isxdigit(line[0])) {
      if (std::sscanf(line, "%*s %*s %*s %*s %*s %511[^\n]", name) < 1) name[0] = 0;
    } else if (std::sscanf(line, "Rss: %lu kB", &kib) == 1 && kib >= 1024) {
      std::printf("smaps %-6s %8.2f MiB  %s\n", phase, kib / 1024.0, name);
    }
  }
  if (f != nullptr) std::fclose(f);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.gguf [-c CTX] [-n TOKENS] [-t THREADS] [--no-mmap] "
                         "[--repack-off] [--kv-type f16|f32|q8_0]\n", argv[0]);
    return 2;
  }
  int n_ctx = 2048, n_gen = 128, n_threads = 2;
  bool use_mmap = true;
  int repack = EDGELLM_REPACK_AUTO;
  int kv_type = EDGELLM_KV_F16;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-c" && i + 1 < argc) n_ctx = std::atoi(argv[++i]);
    else if (a == "-n" && i + 1 < argc) n_gen = std::atoi(argv[++i]);
    else if (a == "-t" && i + 1 < argc) n_threads = std::atoi(argv[++i]);
    else if (a == "--no-mmap") use_mmap = false;
    else if (a == "--repack-off") repack = EDGELLM_REPACK_OFF;
    else if (a == "--kv-type" && i + 1 < argc) {
      const std::string t = argv[++i];
      kv_type = t == "f32" ? EDGELLM_KV_F32 : t == "q8_0" ? EDGELLM_KV_Q8_0 : EDGELLM_KV_F16;
    } else {
      std::fprintf(stderr, "rss_bench: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  const size_t base_kib = status_kib("VmRSS:");

  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  mp.use_mmap = use_mmap ? 1 : 0;
  mp.repack = repack;
  edgellm_model* model = nullptr;
  if (edgellm_model_load(argv[1], &mp, &model) != EDGELLM_OK) return fail("load");
  const size_t loaded_kib = status_kib("VmRSS:");
  print_smaps("load");

  edgellm_context_params cp;
  edgellm_context_default_params(&cp);
  cp.n_ctx = n_ctx;
  cp.n_threads = n_threads;
  cp.kv_type = kv_type;
  edgellm_plan_info plan;
  plan.struct_size = sizeof plan;
  if (edgellm_context_plan(model, &cp, &plan) != EDGELLM_OK) return fail("plan");
  edgellm_context* ctx = nullptr;
  if (edgellm_context_create(model, &cp, &ctx) != EDGELLM_OK) return fail("context");
  const size_t ctx_kib = status_kib("VmRSS:");

  std::vector<edgellm_token> prompt(64);
  for (size_t i = 0; i < prompt.size(); ++i) {
    prompt[i] = static_cast<edgellm_token>(3 + i * 7 % (edgellm_model_n_vocab(model) - 3));
  }
  edgellm_generate_params gp;
  edgellm_generate_default_params(&gp);
  gp.max_tokens = n_gen;
  gp.ignore_eos = 1;
  gp.sampling.temperature = 0.0f;
  edgellm_generate_stats stats;
  stats.struct_size = sizeof stats;
  if (edgellm_generate(ctx, prompt.data(), prompt.size(), &gp, nullptr, 0, &stats) != EDGELLM_OK) {
    return fail("generate");
  }
  const size_t peak_kib = status_kib("VmHWM:");
  const size_t end_kib = status_kib("VmRSS:");

  const size_t planned = plan.weight_bytes + plan.arena_bytes;
  const double peak = kib_to_mib(peak_kib);
  const double baseline = kib_to_mib(base_kib);
  std::printf("model            %s (%s)\n", argv[1], use_mmap ? "mmap" : "read into memory");
  std::printf("context          n_ctx=%d, kv=%s, threads=%d, %d prompt + %d generated tokens\n",
              n_ctx, kv_type == EDGELLM_KV_F32 ? "f32" : kv_type == EDGELLM_KV_Q8_0 ? "q8_0" : "f16",
              n_threads, stats.n_prompt, stats.n_generated);
  std::printf("plan: weights    %10.2f MiB\n", mib(plan.weight_bytes));
  std::printf("plan: kv cache   %10.2f MiB\n", mib(plan.kv_bytes));
  std::printf("plan: activations%10.2f MiB (lower bound %.2f MiB)\n", mib(plan.activation_bytes),
              mib(plan.lower_bound_bytes));
  std::printf("plan: arena      %10.2f MiB\n", mib(plan.arena_bytes));
  std::printf("plan: total      %10.2f MiB (weights + arena)\n", mib(planned));
  std::printf("rss: before load %10.2f MiB (process baseline: code, libc, stacks)\n", baseline);
  std::printf("rss: after load  %10.2f MiB (%s)\n", kib_to_mib(loaded_kib),
              repack == EDGELLM_REPACK_OFF ? "no repacking: metadata, tokenizer and resident file pages"
                                           : "metadata, tokenizer and repacked weights");
  std::printf("rss: after ctx   %10.2f MiB\n", kib_to_mib(ctx_kib));
  std::printf("rss: after gen   %10.2f MiB\n", kib_to_mib(end_kib));
  std::printf("rss: peak        %10.2f MiB\n", peak);
  const double unplanned = peak - baseline - mib(planned);
  std::printf("peak - baseline - plan = %.2f MiB (%.2f%% of the plan)\n", unplanned,
              100.0 * unplanned / mib(planned));
  std::printf("peak / plan = %.3f\n", peak / mib(planned));
  print_smaps("end");
  edgellm_context_free(ctx);
  edgellm_model_free(model);
  return 0;
}
