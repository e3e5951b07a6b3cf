#version 450
// Appends the k and v rows of n new tokens to one layer's cache at
// positions pos0 + t. KV_F16: two halves per uint (packed in integer
// arithmetic, half.glsl: no 16-bit storage feature needed); KV_F32: floats
// as uint bits.
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KCache { uint kc[]; };
layout(std430, binding = 3) writeonly buffer VCache { uint vc[]; };
layout(std430, binding = 4) readonly buffer Step { uint pos0; } step;

layout(push_constant) uniform Push {
  uint n;
  uint k_dim;  // floats per token row of k (and of a cache row)
  uint v_dim;
} p;

#if defined(KV_F16)
#define PER_WORD 2u
#include "half.glsl"
uint pack(float a, float b) { return float_to_half(a) | (float_to_half(b) << 16); }
#else
#define PER_WORD 1u
#endif

void main() {
  const uint kw = p.k_dim / PER_WORD;
  const uint vw = p.v_dim / PER_WORD;
  const uint total = p.n * max(kw, vw);
  for (uint id = gl_GlobalInvocationID.x; id < total; id += gl_NumWorkGroups.x * WG) {
    const uint t = id / max(kw, vw);
    const uint j = id % max(kw, vw);
    const uint pos = step.pos0 + t;
#if defined(KV_F16)
    if (j < kw) kc[pos * kw + j] = pack(k[t * p.k_dim + 2u * j], k[t * p.k_dim + 2u * j + 1u]);
    if (j < vw) vc[pos * vw + j] = pack(v[t * p.v_dim + 2u * j], v[t * p.v_dim + 2u * j + 1u]);
#else
    if (j < kw) kc[pos * kw + j] = floatBitsToUint(k[t * p.k_dim + j]);
    if (j < vw) vc[pos * vw + j] = floatBitsToUint(v[t * p.v_dim + j]);
#endif
  }
}
