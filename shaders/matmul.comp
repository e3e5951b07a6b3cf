#version 450
// y[t][y_offset + r] = sum_k W[r][k] x[t][k]: dequantizing matmul for one
// weight type (TYPE_* define). One workgroup computes one weight row for a
// tile of up to TN tokens, so every weight block is dequantized once per
// tile and reused across its tokens (prefill); n = 1 is the decode GEMV.
// A tensor larger than maxStorageBufferRange is bound in row chunks, each
// dispatched with its own y_offset.
// ROWWISE (the variant for CPU implementations such as lavapipe, where a
// workgroup barrier is expensive): each invocation computes whole rows on
// its own, no shared memory, no barrier; a workgroup covers WG rows.
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) readonly buffer Weights { uint wdata[]; };
layout(std430, binding = 1) readonly buffer Input { float x[]; };
layout(std430, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push {
  uint ne0;        // elements per row, a multiple of 32
  uint rows;       // rows of this chunk
  uint row_bytes;
  uint n;          // tokens
  uint x_stride;   // floats between token rows of x
  uint y_stride;   // floats between token rows of y
  uint y_offset;   // output column of the chunk's first row
  uint grid_x;     // workgroups along x: row = wg.y * grid_x + wg.x
} p;

#define TN 8u
shared float tile[TN * WG];  // per-token partial sums, reduced together

#include "half.glsl"
#include "bytes.glsl"
#include "dequant.glsl"

#if defined(ROWWISE)
void main() {
  const uint r = (gl_WorkGroupID.y * p.grid_x + gl_WorkGroupID.x) * WG + gl_LocalInvocationID.x;
  if (r >= p.rows) return;
  const uint t0 = gl_WorkGroupID.z * TN;
  const uint nt = min(TN, p.n - t0);
  float acc[TN];
  for (uint t = 0u; t < TN; ++t) acc[t] = 0.0;
  const uint rb = r * p.row_bytes;
  float v[32];
  for (uint g = 0u; g < p.ne0 / 32u; ++g) {
    dequant32(rb, g, v);
    for (uint t = 0u; t < TN; ++t) {
      if (t < nt) {
        const uint xb = (t0 + t) * p.x_stride + g * 32u;
        float s = 0.0;
        for (uint i = 0u; i < 32u; ++i) s += v[i] * x[xb + i];
        acc[t] += s;
      }
    }
  }
  for (uint t = 0u; t < TN; ++t) {
    if (t < nt) y[(t0 + t) * p.y_stride + p.y_offset + r] = acc[t];
  }
}
#else
void main() {
  const uint r = gl_WorkGroupID.y * p.grid_x + gl_WorkGroupID.x;
  if (r >= p.rows) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint t0 = gl_WorkGroupID.z * TN;
  const uint nt = min(TN, p.n - t0);
  float acc[TN];
  for (uint t = 0u; t < TN; ++t) acc[t] = 0.0;
  const uint rb = r * p.row_bytes;
  float v[32];
  for (uint g = tid; g < p.ne0 / 32u; g += WG) {
    dequant32(rb, g, v);
    for (uint t = 0u; t < TN; ++t) {
      if (t < nt) {
        const uint xb = (t0 + t) * p.x_stride + g * 32u;
        float s = 0.0;
        for (uint i = 0u; i < 32u; ++i) s += v[i] * x[xb + i];
        acc[t] += s;
      }
    }
  }
  for (uint t = 0u; t < nt; ++t) tile[t * WG + tid] = acc[t];
  barrier();
  for (uint s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      for (uint t = 0u; t < nt; ++t) tile[t * WG + tid] += tile[t * WG + tid + s];
    }
    barrier();
  }
  if (tid < nt) y[(t0 + tid) * p.y_stride + p.y_offset + r] = tile[tid * WG];
}
#endif
