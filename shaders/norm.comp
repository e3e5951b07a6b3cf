#version 450
// Row normalization, one workgroup per row of `dim` floats:
//   mode 0, RMSNorm:   y = x / sqrt(mean(x^2) + eps) * w
//   mode 1, LayerNorm: y = (x - mean) / sqrt(var + eps) * w (+ b)
// w (and b) have `dim` elements (per-head norms reuse them for every head
// row). x and y may be the same buffer.
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) readonly buffer Input { float x[]; };
layout(std430, binding = 1) readonly buffer Weight { float w[]; };
layout(std430, binding = 2) readonly buffer Bias { float b[]; };
layout(std430, binding = 3) buffer Output { float y[]; };

layout(push_constant) uniform Push {
  uint dim;
  uint x_stride;   // floats between rows of x
  uint y_stride;   // floats between rows of y
  float eps;
  uint mode;       // 0 RMSNorm, 1 LayerNorm
  uint has_bias;
  uint row0;       // first row of x (row r of y is row row0 + r of x)
  uint rows;
  uint grid_x;     // workgroups along x: row = wg.y * grid_x + wg.x
} p;

shared float red[WG];

#include "reduce.glsl"

void main() {
  const uint row = gl_WorkGroupID.y * p.grid_x + gl_WorkGroupID.x;
  if (row >= p.rows) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint xb = (p.row0 + row) * p.x_stride;
  const uint yb = row * p.y_stride;
  float mean = 0.0;
  if (p.mode == 1u) {
    float s = 0.0;
    for (uint i = tid; i < p.dim; i += WG) s += x[xb + i];
    mean = wg_sum(s) / float(p.dim);
  }
  float s2 = 0.0;
  for (uint i = tid; i < p.dim; i += WG) {
    const float v = x[xb + i] - mean;
    s2 += v * v;
  }
  const float scale = 1.0 / sqrt(wg_sum(s2) / float(p.dim) + p.eps);
  for (uint i = tid; i < p.dim; i += WG) {
    float v = (x[xb + i] - mean) * scale * w[i];
    if (p.has_bias != 0u) v += b[i];
    y[yb + i] = v;
  }
}
