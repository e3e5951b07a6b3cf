// A loaded model: the mapped GGUF file, its resolved config, bound weights
// and tokenizer. Immutable after load; contexts share it.
#pragma once

#include <memory>
#include <string>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"
#include "runtime/model/config.h"
#include "runtime/model/weights.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgellm {

struct ModelLoadOptions {
  bool use_mmap = true;
};

struct Model {
  std::unique_ptr<gguf::File> file;
  TransformerConfig config;
  ModelWeights weights;
  kernels::Isa isa = kernels::Isa::Ref;  // kernel path chosen at load
  std::unique_ptr<Tokenizer> tokenizer;
};

Status load_model(const std::string& path, const ModelLoadOptions& opts,
                  std::unique_ptr<Model>* out);

}  // namespace edgellm
