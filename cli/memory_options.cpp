// Memory-related CLI options, written once and added to each command that
// takes them (run, chat, info, serve; parts of them for logits and bench):
// --kv-type, -c, -b, --no-mmap, --numa-interleave, --repack, --backend,
// --vulkan-device, --mlock; and the `info --plan` report.
#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace cli {

namespace {
double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
}  // namespace

void add_memory_options(CLI::App* app, MemoryOptions* out, unsigned parts) {
  if (parts & kKvType) {
    add_choice(app, "--kv-type", &out->kv_type, {"f16", "f32", "q8_0"},
               {EDGELLM_KV_F16, EDGELLM_KV_F32, EDGELLM_KV_Q8_0}, "KV cache element type");
  }
  if (parts & kContextSize) {
    add_int(app, "-c,--ctx-size", &out->n_ctx, 0, kMaxCtx, "context size in tokens (KV cache)",
            "1.." + std::to_string(kMaxCtx) + ", 0 = the model's training context");
    edgellm_context_params defaults;
    edgellm_context_default_params(&defaults);
    add_int(app, "-b,--batch-size", &out->n_batch, 1, kMaxCtx, "tokens evaluated per step of the prompt")
        ->default_str(std::to_string(defaults.n_batch));
  }
  if (parts & kModelOptions) {
    add_switch(app, "--no-mmap", &out->no_mmap, "read the weights into memory instead of mapping the file");
    add_switch(app, "--numa-interleave", &out->numa_interleave, "interleave the weights over NUMA nodes");
    add_choice(app, "--repack", &out->repack, {"auto", "on", "off"},
               {EDGELLM_REPACK_AUTO, EDGELLM_REPACK_ON, EDGELLM_REPACK_OFF},
               "repack weights at load for the fast kernels");
    add_choice(app, "--backend", &out->backend, {"cpu", "vulkan", "auto"},
               {EDGELLM_BACKEND_CPU, EDGELLM_BACKEND_VULKAN, EDGELLM_BACKEND_AUTO},
               "vulkan offloads the model to a GPU; auto uses one when it can run the model");
    add_int(app, "--vulkan-device", &out->vulkan_device, 0, INT32_MAX, "Vulkan device index (see info --vulkan)",
            "0.." + std::to_string(INT32_MAX))
        ->default_str("");
  }
  if (parts & kMlock) {
    add_switch(app, "--mlock", &out->mlock, "lock the context's arena in RAM (best effort)");
  }
}

void apply_model_options(const MemoryOptions& m, edgellm_model_params* mp) {
  mp->use_mmap = m.no_mmap ? 0 : 1;
  mp->repack = m.repack;
  mp->numa_interleave = m.numa_interleave ? 1 : 0;
  mp->backend = m.backend;
  mp->vulkan_device = m.vulkan_device;
}

bool load_with_options(const std::string& path, const MemoryOptions& m, edgellm_model** out) {
  edgellm_model_params mp;
  edgellm_model_default_params(&mp);
  apply_model_options(m, &mp);
  if (edgellm_model_load(path.c_str(), &mp, out) != EDGELLM_OK) {
    fail_api("cannot load model");
    return false;
  }
  if (m.backend != EDGELLM_BACKEND_CPU) {
    char text[1024];
    edgellm_model_backend(*out, text, sizeof text);
    std::fprintf(stderr, "edgellm: backend %s\n", text);
  }
  return true;
}

void apply_memory_options(const MemoryOptions& m, edgellm_context_params* cp) {
  cp->kv_type = m.kv_type;
  if (m.n_ctx > 0) cp->n_ctx = m.n_ctx;
  if (m.n_batch > 0) cp->n_batch = m.n_batch;
  cp->mlock = m.mlock ? 1 : 0;
}

int print_plan(edgellm_model* model, const edgellm_context_params& cp, bool use_mmap) {
  edgellm_plan_info info;
  info.struct_size = sizeof info;
  if (edgellm_context_plan(model, &cp, &info) != EDGELLM_OK) return fail_api("cannot plan");
  const size_t total = info.weight_bytes + info.arena_bytes;
  const double overhead =
      info.lower_bound_bytes > 0
          ? 100.0 * (static_cast<double>(info.activation_bytes) / info.lower_bound_bytes - 1.0)
          : 0.0;
  std::printf("memory plan (n_ctx=%d, n_batch=%d, kv=%s, weights %s):\n", cp.n_ctx, cp.n_batch,
              cp.kv_type == EDGELLM_KV_F32 ? "f32" : cp.kv_type == EDGELLM_KV_Q8_0 ? "q8_0" : "f16",
              use_mmap ? "mapped" : "read into memory");
  if (info.device_bytes > 0) {  // Vulkan backend: weights, KV and activations on the device
    std::printf("memory plan (n_ctx=%d, n_batch=%d, kv=%s, Vulkan backend):\n", cp.n_ctx,
                cp.n_batch, cp.kv_type == EDGELLM_KV_F32 ? "f32" : "f16");
    std::printf("  device weights %12zu bytes  %9.2f MiB\n", info.weight_bytes, mib(info.weight_bytes));
    std::printf("  device context %12zu bytes  %9.2f MiB  (kv cache %zu bytes, activations, "
                "tokens/logits)\n",
                info.device_bytes, mib(info.device_bytes), info.kv_bytes);
    std::printf("  host arena     %12zu bytes  %9.2f MiB  (logits)\n", info.arena_bytes,
                mib(info.arena_bytes));
    std::printf("  total          %12zu bytes  %9.2f MiB\n",
                info.weight_bytes + info.device_bytes + info.arena_bytes,
                mib(info.weight_bytes + info.device_bytes + info.arena_bytes));
    return 0;
  }
  std::printf("  weights      %12zu bytes  %9.2f MiB\n", info.weight_bytes, mib(info.weight_bytes));
  std::printf("    from file  %12zu bytes  %9.2f MiB\n", info.weight_bytes - info.repacked_bytes,
              mib(info.weight_bytes - info.repacked_bytes));
  std::printf("    repacked   %12zu bytes  %9.2f MiB  (file pages of these tensors released)\n",
              info.repacked_bytes, mib(info.repacked_bytes));
  std::printf("  kv cache     %12zu bytes  %9.2f MiB\n", info.kv_bytes, mib(info.kv_bytes));
  std::printf("  activations  %12zu bytes  %9.2f MiB  (%d buffers; lower bound %zu bytes, "
              "planner overhead %.1f%%)\n",
              info.activation_bytes, mib(info.activation_bytes), info.n_buffers,
              info.lower_bound_bytes, overhead);
  std::printf("  arena        %12zu bytes  %9.2f MiB  (kv + activations + alignment)\n",
              info.arena_bytes, mib(info.arena_bytes));
  std::printf("  total        %12zu bytes  %9.2f MiB\n", total, mib(total));
  return 0;
}

}  // namespace cli
