// The Vulkan backend as the rest of the runtime sees it: device listing,
// whole-model offload (weights uploaded once at load) and per-context GPU
// sessions that run the forward pass of the LLaMA-family template (llama,
// Mistral, TinyLlama, SmolLM, Qwen2, Qwen3, Phi-3) on the device. Builds
// without Vulkan link absent.cpp, which answers every request with a clear
// "built without Vulkan" status. docs/vulkan.md has the design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core/status.h"
#include "runtime/exec/kv_cache.h"

namespace edgellm {
struct Model;
}

namespace edgellm::vulkan {

// Whether this build contains the backend.
bool built();

struct DeviceInfo {
  int32_t index = 0;
  std::string name;
  std::string type;            // "discrete", "integrated", "virtual", "cpu", "other"
  std::string api_version;     // e.g. "1.3.230"
  bool is_cpu = false;         // a CPU implementation (lavapipe/llvmpipe, SwiftShader)
  uint64_t device_local_bytes = 0;
  uint32_t max_storage_buffer_range = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t subgroup_size = 0;  // 0: not reported
  bool fp16_arith = false;     // shaderFloat16
  bool storage_16bit = false;  // storageBuffer16BitAccess
};

// Every Vulkan device the loader reports (empty, with OK, when there is none).
Status list_devices(std::vector<DeviceInfo>* out);

// Which device to use. index >= 0 picks that device; otherwise the
// EDGELLM_VULKAN_DEVICE environment variable (an index or a substring of
// the name), otherwise the first real GPU (discrete before integrated).
// CPU implementations are chosen only by name or index, or when allow_cpu.
struct DeviceRequest {
  int32_t index = -1;
  bool allow_cpu = false;
};

// Weights of one model resident on one device.
class GpuModel {
 public:
  virtual ~GpuModel() = default;
  virtual const std::string& device_name() const = 0;
  virtual size_t weight_bytes() const = 0;  // device memory of the weights
};

// Checks that the model can run on the device (architecture family, tensor
// types, shapes) and uploads its weights. kUnsupported names what is missing.
Status offload_model(const Model& model, const DeviceRequest& req, std::unique_ptr<GpuModel>* out);

struct SessionShape {
  int32_t n_ctx = 0;
  int32_t n_batch = 0;
  bool logits_all = true;
  KvType kv_type = KvType::kF16;
};

// Device memory a session of this shape needs (activations + KV cache),
// known before anything is allocated.
struct SessionPlan {
  size_t activation_bytes = 0;
  size_t kv_bytes = 0;
  size_t host_bytes = 0;  // host-visible buffers: tokens, step, logits
};
Status plan_session(const Model& model, const SessionShape& shape, SessionPlan* out);

class GpuSession {
 public:
  virtual ~GpuSession() = default;
  // Runs tokens at positions pos0 .. pos0+n-1 and writes the logits of every
  // position (all_logits) or of the last one to `logits` (n_vocab floats per
  // row). The caller validated tokens, n and pos0 against the shape.
  virtual Status forward(const int32_t* tokens, int32_t n, int32_t pos0, bool all_logits,
                         float* logits) = 0;
  virtual const SessionPlan& plan() const = 0;
};

Status create_session(const Model& model, const SessionShape& shape,
                      std::unique_ptr<GpuSession>* out);

}  // namespace edgellm::vulkan
