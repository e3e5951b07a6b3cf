// Building blocks shared by every execution template: they operate on rows
// of the session's buffers and split work over its thread pool.
#pragma once

#include <cstdint>

#include "runtime/exec/session.h"
#include "runtime/model/weights.h"

namespace edgellm::blocks {

// y[t][r] = sum_k W[r][k] x[t][k] for t < n; x rows of w.ne0 floats with
// stride x_stride, y rows with stride y_stride.
void matmul(Session& s, const Weight& w, const float* x, int64_t x_stride, int32_t n, float* y,
            int64_t y_stride);

// Marks op's output rows x[0..n) of n_embd floats for the non-finite
// search (Session::probe): one branch unless a search runs.
inline void check(Session& s, int32_t il, const char* op, const float* x, int32_t n) {
  s.probe(il, op, x, n, s.model().config.n_embd, s.n_past());
}

// y[t] = rms_norm(x[t]) * w for t < n (rows of `dim`).
void rms_norm(const float* x, const Weight& w, float* y, int32_t n, int32_t dim, float eps);

// y[t] = LayerNorm(x[t]) * w + b for t < n.
void layer_norm(const float* x, const Weight& w, const Weight& b, float* y, int32_t n, int32_t dim,
                float eps);

// The model's block norm: LayerNorm (with bias) or RMSNorm, per config.
void norm(const TransformerConfig& c, const float* x, const Weight& w, const Weight& b, float* y,
          int32_t n);

// Embedding lookup: row token[t] of the table, dequantized into x[t].
void embed(const Weight& table, const int32_t* tokens, int32_t n, float* x);

// Rotary embedding of every head of q [n][n_heads*head_dim] at positions pos0 + t.
void rope(float* q, int32_t n, int32_t n_heads, int32_t head_dim, int32_t n_rot, int32_t pos0,
          float freq_base, float freq_scale, bool neox, const float* freq_factors = nullptr);

struct AttentionOptions {
  float scale = 1.0f;    // applied to q·k (usually 1/sqrt(head_dim))
  float softcap = 0.0f;  // > 0: scores -> c·tanh(scores/c) (Gemma 2)
  int32_t window = 0;    // > 0: query at p sees keys p-window+1 .. p (sliding window)
};

// Causal grouped-query attention of the n new queries against the cache of
// `layer` (positions 0 .. pos0 + t for query t, or the window before it).
// k/v of the new tokens must already be in the cache. Output
// [n][n_head*head_dim].
void attention(Session& s, int32_t layer, const float* q, int32_t n, int32_t pos0,
               const AttentionOptions& opt, float* out);

// y[t] += bias for n rows of bias.ne0 (no-op when the bias is absent).
void add_bias(float* y, const Weight& bias, int32_t n);

// In-place RMSNorm of every head vector (n rows of n_heads × head_dim) with
// the shared weight w of head_dim.
void rms_norm_heads(float* x, int32_t n, int32_t n_heads, int32_t head_dim, const Weight& w,
                    float eps);

// The whole self-attention sub-block of layer il on the normed input xn:
//   q, k, v = Wq·xn (+bq), Wk·xn (+bk), Wv·xn (+bv)
//   q, k = RMSNorm per head (when the layer has q/k norms)
//   q, k = RoPE(q, k) at positions pos0.. with rope_base
//   cache <- k, v;  out = Wo · attention(q, cache)
void self_attention(Session& s, int32_t il, const float* xn, int32_t n, int32_t pos0,
                    float rope_base, const AttentionOptions& opt, float* out);

// Gated short causal convolution of layer il (LFM2):
//   [B | C | x] = in_proj · xn;  y = conv(state ++ B⊙x);  out = out_proj · (C ⊙ y)
// The layer's rolling state (last conv_kernel - 1 inputs) is updated.
void short_conv(Session& s, int32_t il, const float* xn, int32_t n, float* out);

// Output head: final norm and logits of every row (all_logits) or only the
// last one, soft-capped when final_softcap > 0.
void output_head(Session& s, int32_t n, bool all_logits);

enum class GatedActivation { kSilu, kGelu };

// out = down(gelu(up(x) + up_b)) + down_b for n rows of x (GPT-NeoX).
void ffn_gelu(Session& s, const Weight& up, const Weight& up_b, const Weight& down,
              const Weight& down_b, const float* x, int32_t n, float* out);

// out = down(act(gate(x)) * up(x)) for n rows of x.
void ffn_gated(Session& s, const Weight& gate, const Weight& up, const Weight& down,
               GatedActivation act, const float* x, int32_t n, float* out);

// Stores k/v rows of the n new tokens at positions pos0.. in the cache.
void kv_store(Session& s, int32_t layer, const float* k, const float* v, int32_t n, int32_t pos0);

// out = down(silu(gate(x)) * up(x)) for n rows of x.
void ffn_swiglu(Session& s, const Weight& gate, const Weight& up, const Weight& down,
                const float* x, int32_t n, float* out);

// x[t] += y[t] over n rows of dim.
void residual_add(float* x, const float* y, int32_t n, int32_t dim);

}  // namespace edgellm::blocks
