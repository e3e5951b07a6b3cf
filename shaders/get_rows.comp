#version 450
// Embedding gather: x[t] = scale * dequant(W[tokens[t]]) for the tokens
// whose row lies in this chunk of the table [row_first, row_first + rows).
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) readonly buffer Weights { uint wdata[]; };
layout(std430, binding = 1) readonly buffer Tokens { int tokens[]; };
layout(std430, binding = 2) writeonly buffer Output { float x[]; };

layout(push_constant) uniform Push {
  uint ne0;
  uint row_bytes;
  uint row_first;
  uint rows;
  float scale;
} p;

shared float red[WG];

#include "half.glsl"
#include "bytes.glsl"
#include "reduce.glsl"
#include "dequant.glsl"

void main() {
  const uint t = gl_WorkGroupID.x;
  const uint tok = uint(tokens[t]);
  if (tok < p.row_first || tok >= p.row_first + p.rows) return;
  const uint rb = (tok - p.row_first) * p.row_bytes;
  float v[32];
  for (uint g = gl_LocalInvocationID.x; g < p.ne0 / 32u; g += WG) {
    dequant32(rb, g, v);
    for (uint i = 0u; i < 32u; ++i) x[t * p.ne0 + g * 32u + i] = v[i] * p.scale;
  }
}
