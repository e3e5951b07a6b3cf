// Reference float kernels for the non-matmul ops of a transformer block.
// Numerics follow ggml's CPU ops (double accumulation where ggml uses
// ggml_float, incremental RoPE angles) so logits match llama.cpp's.
#pragma once

#include <cstdint>

namespace edgellm::kernels {

// y = x / sqrt(mean(x^2) + eps) * w   (w may be nullptr: no scale)
void rms_norm_f32(const float* x, const float* w, float* y, int64_t n, float eps);

// y = (x - mean(x)) / sqrt(var(x) + eps) * w + b   (w, b may be nullptr)
void layer_norm_f32(const float* x, const float* w, const float* b, float* y, int64_t n, float eps);

// In-place rotary embedding of one head vector of head_dim floats at
// position pos; the first n_rot dims rotate. neox=false rotates adjacent
// pairs (x[2i], x[2i+1]); neox=true rotates halves (x[i], x[i + n_rot/2]).
// freq_factors (n_rot/2 values, may be nullptr) divide each pair's angle, as
// Llama 3's rope_freqs.weight does.
void rope_f32(float* x, int64_t head_dim, int64_t n_rot, int32_t pos, float freq_base,
              float freq_scale, bool neox, const float* freq_factors = nullptr);

// rope_f32 on n_heads head vectors of one position stored head_dim apart,
// bit-identical to calling it per head: each pair's cos/sin is computed once
// for all heads (on a small stack table), not once per head.
void rope_f32_heads(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, int32_t pos,
                    float freq_base, float freq_scale, bool neox,
                    const float* freq_factors = nullptr);

// In-place softmax of x[0:n].
void softmax_f32(float* x, int64_t n);

// y[i] = silu(gate[i]) * up[i]
void swiglu_f32(const float* gate, const float* up, float* y, int64_t n);

// y[i] = gelu(gate[i]) * up[i], GELU (tanh form) evaluated as llama.cpp's
// CPU backend does: through FP16 (input and output rounded to half) for
// |x| < 10, identity above, zero below.
void geglu_f32(const float* gate, const float* up, float* y, int64_t n);
float gelu_f32(float x);

// x[i] = cap * tanh(x[i] / cap)
void softcap_f32(float* x, int64_t n, float cap);

// x[i] *= s
void scale_f32(float* x, int64_t n, float s);

// y[i] += x[i]
void add_f32(float* y, const float* x, int64_t n);

}  // namespace edgellm::kernels
