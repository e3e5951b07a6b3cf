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

// y[t] = rms_norm(x[t]) * w for t < n (rows of `dim`).
void rms_norm(const float* x, const Weight& w, float* y, int32_t n, int32_t dim, float eps);

// Embedding lookup: row token[t] of the table, dequantized into x[t].
void embed(const Weight& table, const int32_t* tokens, int32_t n, float* x);

// Rotary embedding of every head of q [n][n_heads*head_dim] at positions pos0 + t.
void rope(float* q, int32_t n, int32_t n_heads, int32_t head_dim, int32_t n_rot, int32_t pos0,
          float freq_base, float freq_scale, bool neox);

// Causal grouped-query attention of the n new queries against the cache of
// `layer` (positions 0 .. pos0 + t for query t). k/v of the new tokens must
// already be in the cache. Output [n][n_head*head_dim].
void attention(Session& s, int32_t layer, const float* q, int32_t n, int32_t pos0, float* out);

// Stores k/v rows of the n new tokens at positions pos0.. in the cache.
void kv_store(Session& s, int32_t layer, const float* k, const float* v, int32_t n, int32_t pos0);

// out = down(silu(gate(x)) * up(x)) for n rows of x.
void ffn_swiglu(Session& s, const Weight& gate, const Weight& up, const Weight& down,
                const float* x, int32_t n, float* out);

// x[t] += y[t] over n rows of dim.
void residual_add(float* x, const float* y, int32_t n, int32_t dim);

}  // namespace edgellm::blocks
