// Model weights as views into the GGUF data (zero-copy), bound by the
// tensor-name resolver and checked against the config's shapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/dtype.h"
#include "kernels/kernels.h"
#include "runtime/core/status.h"
#include "runtime/gguf/gguf.h"
#include "runtime/model/config.h"

namespace edgellm {

// A 1-D or 2-D weight: ne0 elements per row, ne1 rows.
struct Weight {
  const char* name = nullptr;  // points into the File's tensor table
  DType type = DType::F32;
  int64_t ne0 = 0;
  int64_t ne1 = 0;
  size_t row_bytes = 0;
  const uint8_t* data = nullptr;
  const kernels::TypeTraits* traits = nullptr;
  // Set for matmul weights; when kernel->repack is set, data holds the
  // kernel's repacked layout, not the file's rows (row() does not apply;
  // this includes tok_embd when it is a repacked tied output, whose rows
  // blocks::embed restores with kernel->unrepack_row).
  const kernels::MatmulKernel* kernel = nullptr;

  bool present() const { return data != nullptr; }
  const uint8_t* row(int64_t r) const { return data + static_cast<size_t>(r) * row_bytes; }
};

// Largest embedding row (file layout) that blocks::embed restores from a
// repacked tied output, on its stack; a tied output with longer rows stays
// zero-copy (n_embd 8192 at Q8_0 is 8704 bytes).
constexpr size_t kMaxRepackedEmbedRowBytes = 16384;

struct LayerWeights {
  Weight attn_norm, wq, wk, wv, wo;
  Weight ffn_norm, ffn_gate, ffn_up, ffn_down;
  // Optional, per architecture (absent: data == nullptr).
  Weight bq, bk, bv;                // q/k/v biases (Qwen2)
  Weight q_norm, k_norm;            // per-head RMSNorm of q and k (Qwen3, Gemma 3)
  Weight post_attn_norm, post_ffn_norm;  // norms of the block outputs (Gemma)
  Weight attn_norm_b, ffn_norm_b, bo, ffn_up_b, ffn_down_b;  // LayerNorm / linear biases (GPT-NeoX)
  Weight conv_in, conv_kernel, conv_out;  // short-convolution layer (LFM2): in_proj, conv, out_proj
};

struct ModelWeights {
  Weight tok_embd;
  Weight output_norm;
  Weight output;  // == tok_embd when tied
  Weight output_norm_b;  // optional (LayerNorm bias)
  Weight rope_freqs;     // optional: per-pair RoPE frequency factors (Llama 3 scaling)
  std::vector<LayerWeights> layers;
};

// Rows [first, first + rows) of a 2-D weight as a weight of its own
// (zero-copy): fused tensors such as Phi-3's attn_qkv split this way.
// Calls fn(Weight&) for every Weight of the model (absent ones included;
// the tied output is visited as its own Weight).
static_assert(sizeof(LayerWeights) == 24 * sizeof(Weight), "for_each_weight lists every field");
template <typename Fn>
void for_each_weight(ModelWeights& w, Fn&& fn) {
  static_assert(sizeof(ModelWeights) - sizeof(std::vector<LayerWeights>) == 5 * sizeof(Weight));
  for (Weight* x : {&w.tok_embd, &w.output_norm, &w.output, &w.output_norm_b, &w.rope_freqs}) fn(*x);
  for (LayerWeights& l : w.layers) {
    for (Weight* x : {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.wo, &l.ffn_norm, &l.ffn_gate, &l.ffn_up,
                      &l.ffn_down, &l.bq, &l.bk, &l.bv, &l.q_norm, &l.k_norm, &l.post_attn_norm,
                      &l.post_ffn_norm, &l.attn_norm_b, &l.ffn_norm_b, &l.bo, &l.ffn_up_b,
                      &l.ffn_down_b, &l.conv_in, &l.conv_kernel, &l.conv_out}) {
      fn(*x);
    }
  }
}

Weight row_view(const Weight& w, int64_t first, int64_t rows);
// Elements [first, first + count) of an F32 vector (fused biases).
Weight vector_view(const Weight& w, int64_t first, int64_t count);

// "blk.<il>.<suffix>" — the GGUF naming convention shared by all architectures.
std::string layer_tensor_name(int il, const char* suffix);

// Matmul weights get the kernel of path `isa` (kernels/dispatch.h).
Status bind_weights(const gguf::File& file, const TransformerConfig& cfg, kernels::Isa isa,
                    ModelWeights* out);

}  // namespace edgellm
