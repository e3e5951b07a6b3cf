#version 450
// Causal grouped-query attention of n new queries against one layer's KV
// cache; one workgroup per (head, token). Keys are visited in chunks of WG
// with a running (online) softmax, so no score buffer is needed at any
// context length: per chunk each invocation scores one key, the chunk's
// max and sum come from workgroup reductions, and each invocation
// accumulates its share of the head_dim output dimensions.
//   score_j = scale * q.k_j (-> softcap * tanh(score/softcap) when set)
//   out = sum_j softmax(score)_j v_j over keys start..pos (start > 0 with a
//   sliding window)
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KCache { uint kc[]; };
layout(std430, binding = 2) readonly buffer VCache { uint vc[]; };
layout(std430, binding = 3) writeonly buffer Out { float o[]; };
layout(std430, binding = 4) readonly buffer Step { uint pos0; } step;

layout(push_constant) uniform Push {
  uint n_head;
  uint n_head_kv;
  uint head_dim;    // of q and k
  uint head_dim_v;
  uint q_stride;    // floats between token rows of q
  uint out_stride;  // floats between token rows of out
  float scale;
  float softcap;    // > 0: cap the scores
  uint window;      // > 0: sliding window of this many positions
} p;

#define MAX_HEAD_DIM 256u
#define MAX_PER_THREAD 16u  // MAX_HEAD_DIM / smallest WG (16)

shared float red[WG];
shared float qs[MAX_HEAD_DIM];
shared float probs[WG];

#include "half.glsl"
#include "reduce.glsl"

#if defined(KV_F16)
float kval(uint row_words, uint pos, uint h, uint i, uint dim) {
  const uint e = pos * row_words * 2u + h * dim + i;
  return half_to_float((kc[e >> 1] >> ((e & 1u) * 16u)) & 0xFFFFu);
}
float vval(uint row_words, uint pos, uint h, uint i, uint dim) {
  const uint e = pos * row_words * 2u + h * dim + i;
  return half_to_float((vc[e >> 1] >> ((e & 1u) * 16u)) & 0xFFFFu);
}
#define WORDS(dim) ((dim) / 2u)
#else
float kval(uint row_words, uint pos, uint h, uint i, uint dim) {
  return uintBitsToFloat(kc[pos * row_words + h * dim + i]);
}
float vval(uint row_words, uint pos, uint h, uint i, uint dim) {
  return uintBitsToFloat(vc[pos * row_words + h * dim + i]);
}
#define WORDS(dim) (dim)
#endif

void main() {
  const uint h = gl_WorkGroupID.x;
  const uint t = gl_WorkGroupID.y;
  const uint tid = gl_LocalInvocationID.x;
  const uint hk = h / (p.n_head / p.n_head_kv);
  const uint k_words = WORDS(p.n_head_kv * p.head_dim);
  const uint v_words = WORDS(p.n_head_kv * p.head_dim_v);
  const uint pos = step.pos0 + t;
  const uint start = (p.window > 0u && pos + 1u > p.window) ? pos + 1u - p.window : 0u;

  for (uint i = tid; i < p.head_dim; i += WG) qs[i] = q[t * p.q_stride + h * p.head_dim + i];
  barrier();

  float acc[MAX_PER_THREAD];
  for (uint k = 0u; k < MAX_PER_THREAD; ++k) acc[k] = 0.0;
  float m = -1.0 / 0.0;  // running max
  float l = 0.0;         // running sum of exp(score - m)
  for (uint c = start; c <= pos; c += WG) {
    const uint j = c + tid;
    float s = -1.0 / 0.0;
    if (j <= pos) {
      float dot_ = 0.0;
      for (uint i = 0u; i < p.head_dim; ++i) dot_ += qs[i] * kval(k_words, j, hk, i, p.head_dim);
      s = dot_ * p.scale;
      if (p.softcap > 0.0) s = p.softcap * tanh(s / p.softcap);
    }
    const float m_new = max(m, wg_max(s));  // finite: key c is always valid
    const float pr = j <= pos ? exp(s - m_new) : 0.0;
    probs[tid] = pr;
    const float alpha = exp(m - m_new);
    l = l * alpha + wg_sum(pr);  // wg_sum's barriers also publish probs
    const uint nk = min(WG, pos + 1u - c);
    for (uint k = 0u; k < MAX_PER_THREAD; ++k) {
      const uint d = tid + k * WG;
      if (d < p.head_dim_v) {
        float a = acc[k] * alpha;
        for (uint jj = 0u; jj < nk; ++jj) a += probs[jj] * vval(v_words, c + jj, hk, d, p.head_dim_v);
        acc[k] = a;
      }
    }
    m = m_new;
    barrier();  // probs is rewritten by the next chunk
  }
  const float inv = 1.0 / l;
  for (uint k = 0u; k < MAX_PER_THREAD; ++k) {
    const uint d = tid + k * WG;
    if (d < p.head_dim_v) o[t * p.out_stride + h * p.head_dim_v + d] = acc[k] * inv;
  }
}
