// A loaded model: the mapped GGUF file, its resolved config, bound weights
// and tokenizer. Immutable after load; contexts share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"
#include "runtime/model/config.h"
#include "runtime/model/weights.h"
#include "runtime/tokenizer/tokenizer.h"
#include "runtime/vulkan/backend.h"

namespace edgellm {

// Weight repacking at load (see repack_weights in model.cpp).
enum class RepackPolicy : uint8_t { Auto, On, Off };

// Where the forward pass runs. Vulkan offloads the whole model (weights
// uploaded at load); Auto uses a real GPU when one can run the model and
// otherwise the CPU, recording why in Model::backend_note.
enum class Backend : uint8_t { Cpu, Vulkan, Auto };

struct ModelLoadOptions {
  bool use_mmap = true;
  Backend backend = Backend::Cpu;
  int32_t vulkan_device = -1;  // -1: EDGELLM_VULKAN_DEVICE or the best device
  RepackPolicy repack = RepackPolicy::Auto;
  bool numa_interleave = false;  // interleave the owned weight buffer over NUMA nodes
};

// A buffer freed with std::free (aligned_alloc).
struct FreeDeleter {
  void operator()(uint8_t* p) const;
};

struct Model {
  std::unique_ptr<gguf::File> file;
  TransformerConfig config;
  ModelWeights weights;
  kernels::Isa isa = kernels::Isa::Ref;  // kernel path chosen at load
  std::unique_ptr<Tokenizer> tokenizer;
  // Weights repacked at load into the layouts of the repacked kernels, plus
  // copies of the small tensors (norms, biases), one allocation for all of
  // them; the file's pages no Weight reads any more are released (dropped),
  // so they do not count as resident (see repack_weights in model.cpp).
  std::unique_ptr<uint8_t, FreeDeleter> repacked;
  size_t repacked_bytes = 0;     // size of `repacked`
  size_t repacked_tensors = 0;   // matmul weights served from it
  size_t mapped_bytes = 0;       // tensor bytes still read from the file
                                 // (all of them when nothing is repacked)
  // Set when the model runs on the Vulkan backend: its weights live on the
  // device and the file's pages are released.
  std::unique_ptr<vulkan::GpuModel> gpu;
  std::string backend_note;      // why Auto chose the CPU (empty otherwise)
};

Status load_model(const std::string& path, const ModelLoadOptions& opts,
                  std::unique_ptr<Model>* out);

}  // namespace edgellm
