// One function per CLI subcommand; each returns the process exit status.
#pragma once

#include "cli/args.h"
#include "edgellm.h"

namespace cli {

int cmd_run(Args& args);
int cmd_chat(Args& args);
int cmd_tokenize(Args& args);
int cmd_logits(Args& args);
int cmd_info(Args& args);
int cmd_synth(Args& args);
int cmd_quantize(Args& args);  // cli/quantize_cmd.cpp
int cmd_bench(Args& args);     // cli/bench_cmd.cpp
int cmd_serve(Args& args);     // cli/serve_cmd.cpp (+ cli/server/)

// Memory options shared by run, logits and info (cli/memory_options.cpp).
struct MemoryOptions {
  int32_t kv_type = EDGELLM_KV_F16;
  int32_t n_ctx = 0;
  int32_t n_batch = 0;
  bool use_mmap = true;
  bool mlock = false;
  int32_t repack = EDGELLM_REPACK_AUTO;  // --repack auto|on|off
  bool numa_interleave = false;           // --numa-interleave
  int32_t backend = EDGELLM_BACKEND_CPU;  // --backend cpu|vulkan|auto
  int32_t vulkan_device = -1;             // --vulkan-device N
};
bool read_memory_options(Args& args, MemoryOptions* out);  // false: bad value (reported)
void apply_memory_options(const MemoryOptions& m, edgellm_context_params* cp);
// Model parameters from the options: mapping, repacking, NUMA, backend.
void apply_model_options(const MemoryOptions& m, edgellm_model_params* mp);
// Loads a model with the options; on a non-CPU request, prints (stderr) the
// backend it got and why AUTO fell back to the CPU. false: reported failure.
bool load_with_options(const std::string& path, const MemoryOptions& m, edgellm_model** out);
int print_plan(edgellm_model* model, const edgellm_context_params& cp, bool use_mmap);

// Thread options shared by run and info (cli/thread_options.cpp).
struct ThreadOptions {
  int32_t n_threads = 0;  // --threads/-t N (0 = automatic)
  std::string cpus;       // --cpus LIST, e.g. 0-3,6
  bool has_cpus = false;
  bool pin = true;        // --no-pin: leave placement to the OS
};
bool read_thread_options(Args& args, ThreadOptions* out);  // false: bad value (reported)
void apply_thread_options(const ThreadOptions& t, edgellm_context_params* cp);  // keeps t.cpus
void print_thread_warnings(const edgellm_context* ctx);  // pinning refusals, on stderr
int print_threads(const ThreadOptions& t, const std::string& topology);  // info --threads

// Shared helpers.
int fail_api(const char* what);                 // prints edgellm_last_error, returns 1
int fail_usage(const Args& args, const char* msg);  // prints msg or args.error(), returns 2
std::string json_escape(const std::string& s);

}  // namespace cli
