// TransformerConfig: the hyper-parameters of one model, resolved from
// general.architecture and the "<arch>."-prefixed GGUF keys.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"

namespace edgellm {

enum class Arch { kLlama };

enum class RopeScaling { kNone, kLinear };

struct TransformerConfig {
  Arch arch = Arch::kLlama;
  std::string arch_name;   // as written in general.architecture
  std::string name;        // general.name, if any
  int32_t n_vocab = 0;
  int32_t n_ctx_train = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;    // attention.key_length (default n_embd / n_head)
  int32_t head_dim_v = 0;  // attention.value_length (default head_dim)
  int32_t n_ff = 0;
  int32_t n_rot = 0;       // rope.dimension_count (default head_dim)
  float norm_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling
  RopeScaling rope_scaling = RopeScaling::kNone;
  bool tied_output = false;      // no output.weight: the embedding is reused

  int32_t q_dim() const { return n_head * head_dim; }
  int32_t kv_dim() const { return n_head_kv * head_dim; }
  int32_t v_dim() const { return n_head_kv * head_dim_v; }
};

// Comma-separated list of the architectures this build runs.
const char* supported_architectures();

// Fills cfg from the file. Unknown architectures (kUnsupported) list the
// supported ones; a missing or invalid key (kFormat) is named.
Status resolve_config(const gguf::File& file, TransformerConfig* cfg);

}  // namespace edgellm
