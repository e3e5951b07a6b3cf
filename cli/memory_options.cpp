// Memory-related CLI options shared by run and info: --kv-type, -c, -b,
// --no-mmap, --repack, --backend, --vulkan-device, and the `info --plan`
// report.
#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace cli {

namespace {
double mib(size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }
}  // namespace

bool read_memory_options(Args& args, MemoryOptions* out) {
  std::string kv;
  double n_ctx = 0, n_batch = 0;
  if (args.value("--kv-type", nullptr, &kv)) {
    if (kv == "f16") out->kv_type = EDGELLM_KV_F16;
    else if (kv == "f32") out->kv_type = EDGELLM_KV_F32;
    else if (kv == "q8_0") out->kv_type = EDGELLM_KV_Q8_0;
    else {
      std::fprintf(stderr, "edgellm: --kv-type must be f16, f32 or q8_0 (got '%s')\n", kv.c_str());
      return false;
    }
  }
  if (args.number("--ctx-size", "-c", &n_ctx)) out->n_ctx = static_cast<int32_t>(n_ctx);
  if (args.number("--batch-size", "-b", &n_batch)) out->n_batch = static_cast<int32_t>(n_batch);
  if (args.flag("--no-mmap")) out->use_mmap = false;
  if (args.flag("--numa-interleave")) out->numa_interleave = true;
  std::string repack;
  if (args.value("--repack", nullptr, &repack)) {
    if (repack == "auto") out->repack = EDGELLM_REPACK_AUTO;
    else if (repack == "on") out->repack = EDGELLM_REPACK_ON;
    else if (repack == "off") out->repack = EDGELLM_REPACK_OFF;
    else {
      std::fprintf(stderr, "edgellm: --repack must be auto, on or off (got '%s')\n", repack.c_str());
      return false;
    }
  }
  if (args.flag("--mlock")) out->mlock = true;
  std::string backend;
  if (args.value("--backend", nullptr, &backend)) {
    if (backend == "cpu") out->backend = EDGELLM_BACKEND_CPU;
    else if (backend == "vulkan") out->backend = EDGELLM_BACKEND_VULKAN;
    else if (backend == "auto") out->backend = EDGELLM_BACKEND_AUTO;
    else {
      std::fprintf(stderr, "edgellm: --backend must be cpu, vulkan or auto (got '%s')\n",
                   backend.c_str());
      return false;
    }
  }
  double device = -1;
  if (args.number("--vulkan-device", nullptr, &device)) {
    if (device < 0 || device != static_cast<int32_t>(device)) {
      std::fprintf(stderr, "edgellm: --vulkan-device must be a device index (see info --vulkan)\n");
      return false;
    }
    out->vulkan_device = static_cast<int32_t>(device);
  }
  return true;
}

void apply_model_options(const MemoryOptions& m, edgellm_model_params* mp) {
  mp->use_mmap = m.use_mmap ? 1 : 0;
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
