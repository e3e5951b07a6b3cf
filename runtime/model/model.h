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

namespace edgellm {

// Weight repacking at load (see repack_weights in model.cpp).
enum class RepackPolicy : uint8_t { Auto, On, Off };

struct ModelLoadOptions {
  bool use_mmap = true;
  RepackPolicy repack = RepackPolicy::Auto;
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
  // Weights repacked at load into the layouts of the repacked kernels, one
  // allocation for all of them; the file's copy of those tensors is released
  // (their pages are dropped), so it does not count as resident.
  std::unique_ptr<uint8_t, FreeDeleter> repacked;
  size_t repacked_bytes = 0;     // size of `repacked`
  size_t repacked_tensors = 0;   // tensors served from it
  size_t released_bytes = 0;     // file bytes of those tensors (no longer used)
};

Status load_model(const std::string& path, const ModelLoadOptions& opts,
                  std::unique_ptr<Model>* out);

}  // namespace edgellm
