// One CLI11 subcommand per edgellm command. Each add_*_command registers its
// options on the subcommand (bound to its own state) and returns what runs it
// once the command line is parsed; the runner returns the exit status.
#pragma once

#include <functional>
#include <string>

#include "cli/options.h"
#include "edgellm.h"

namespace cli {

using Runner = std::function<int()>;

Runner add_run_command(CLI::App* app);
Runner add_chat_command(CLI::App* app);       // cli/chat_cmd.cpp
Runner add_tokenize_command(CLI::App* app);
Runner add_logits_command(CLI::App* app);
Runner add_info_command(CLI::App* app);
Runner add_synth_command(CLI::App* app);
Runner add_quantize_command(CLI::App* app);   // cli/quantize_cmd.cpp
Runner add_bench_command(CLI::App* app);      // cli/bench_cmd.cpp
Runner add_serve_command(CLI::App* app);      // cli/serve_cmd.cpp (+ cli/server/)

// Largest context the CLI accepts for -c (2^24 tokens); 0 = the model's.
constexpr int32_t kMaxCtx = 1 << 24;

// Memory options (cli/memory_options.cpp), added per command in parts.
struct MemoryOptions {
  int32_t kv_type = EDGELLM_KV_F16;
  int32_t n_ctx = 0;    // 0: the model's training context
  int32_t n_batch = 0;  // 0: the library's default
  bool no_mmap = false;
  bool mlock = false;
  int32_t repack = EDGELLM_REPACK_AUTO;  // --repack auto|on|off
  bool numa_interleave = false;           // --numa-interleave
  int32_t backend = EDGELLM_BACKEND_CPU;  // --backend cpu|vulkan|auto
  int32_t vulkan_device = -1;             // --vulkan-device N
};
enum MemoryParts : unsigned {
  kModelOptions = 1,  // --no-mmap --numa-interleave --repack --backend --vulkan-device
  kKvType = 2,        // --kv-type
  kContextSize = 4,   // -c/--ctx-size -b/--batch-size
  kMlock = 8,         // --mlock
  kAllMemory = 15,
};
void add_memory_options(CLI::App* app, MemoryOptions* out, unsigned parts = kAllMemory);
void apply_memory_options(const MemoryOptions& m, edgellm_context_params* cp);
// Model parameters from the options: mapping, repacking, NUMA, backend.
void apply_model_options(const MemoryOptions& m, edgellm_model_params* mp);
// Loads a model with the options; on a non-CPU request, prints (stderr) the
// backend it got and why AUTO fell back to the CPU. false: reported failure.
bool load_with_options(const std::string& path, const MemoryOptions& m, edgellm_model** out);
int print_plan(edgellm_model* model, const edgellm_context_params& cp, bool use_mmap);

// Thread options (cli/thread_options.cpp): -t/--threads N, --cpus LIST,
// --no-pin. long_threads false: -t only (info uses --threads as a flag).
struct ThreadOptions {
  int32_t n_threads = 0;  // 0 = automatic
  std::string cpus;       // e.g. 0-3,6 (empty: not given)
  bool no_pin = false;    // leave placement to the OS
};
void add_thread_options(CLI::App* app, ThreadOptions* out, bool long_threads = true);
void apply_thread_options(const ThreadOptions& t, edgellm_context_params* cp);  // keeps t.cpus
void print_thread_warnings(const edgellm_context* ctx);  // pinning refusals, on stderr
int print_threads(const ThreadOptions& t, const std::string& topology);  // info --threads

// Sampling options shared by run and chat (cli/commands.cpp): --temp,
// --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n, -s/--seed.
void add_sampling_options(CLI::App* app, edgellm_sampling_params* s);

// Chat families edgellm_chat_apply knows, for messages ("chatml|llama3|...").
extern const char* const kChatFamilies;
// --family NAME, checked when parsed (a usage error names the valid ones).
CLI::Option* add_family_option(CLI::App* app, std::string* out, const std::string& help);

// Shared helpers.
int fail_api(const char* what);         // prints edgellm_last_error, returns 1
int fail_usage(const std::string& msg);  // prints "edgellm: msg", returns 2
std::string json_escape(const std::string& s);  // s must be valid UTF-8

}  // namespace cli
