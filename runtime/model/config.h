// TransformerConfig: the hyper-parameters of one model, resolved from
// general.architecture and the "<arch>."-prefixed GGUF keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"

namespace edgellm {

enum class Arch { kLlama, kQwen2, kQwen3, kPhi3, kGemma2, kGemma3, kGptNeox, kLfm2 };

// The execution template an architecture runs on.
enum class Family { kLlama, kGemma, kGptNeox, kLfm2 };

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
  Family family = Family::kLlama;
  bool rope_neox = false;        // rotate halves (NEOX) instead of adjacent pairs
  float embd_scale = 1.0f;       // embeddings are multiplied by this (Gemma: sqrt(n_embd))
  float attn_softcap = 0.0f;     // scores -> c·tanh(scores/c) when > 0 (Gemma 2)
  float final_softcap = 0.0f;    // logits -> c·tanh(logits/c) when > 0 (Gemma 2)
  int32_t sliding_window = 0;    // local layers see this many positions (0: none)
  int32_t swa_pattern = 0;       // layer il is local when il % pattern < pattern - 1
  float rope_freq_base_swa = 0;  // RoPE base of local layers (0: same as global)
  bool layer_norm = false;       // LayerNorm with bias instead of RMSNorm (GPT-NeoX)
  bool parallel_residual = false;  // x += attn(n1(x)) + ffn(n2(x)) (GPT-NeoX)
  // Hybrid models (LFM2): per layer, its slot in the KV cache, or -1 for a
  // short-convolution layer, which has a rolling state slot instead.
  std::vector<int32_t> kv_slot;    // size n_layer
  std::vector<int32_t> conv_slot;  // size n_layer
  int32_t n_kv_layers = 0;
  int32_t n_conv_layers = 0;
  int32_t conv_kernel = 0;         // shortconv.l_cache: taps of the causal conv

  bool layer_is_local(int32_t il) const {
    return sliding_window > 0 && swa_pattern > 0 && il % swa_pattern < swa_pattern - 1;
  }
  float layer_rope_base(int32_t il) const {
    return layer_is_local(il) && rope_freq_base_swa > 0 ? rope_freq_base_swa : rope_freq_base;
  }

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
