#version 450
// Rotary position embedding, in place, of n rows of n_heads heads:
// pair i < n_rot/2 of a head at position pos0 + t turns by
//   theta = (pos0 + t) * base^(-2i/n_rot) [/ freq_factors[i]] * freq_scale
// with base^(-2i/n_rot) formed as the CPU reference forms it: theta_scale =
// base^(-2/n_rot) (computed on the host) multiplied in i times.
// Normal mode rotates (2i, 2i+1), NeoX mode (i, i + n_rot/2).
// pos0 comes from the step buffer, so a recorded command buffer replays at
// any position.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) buffer Data { float x[]; };
layout(std430, binding = 1) readonly buffer Factors { float factors[]; };
layout(std430, binding = 2) readonly buffer Step { uint pos0; } step;

layout(push_constant) uniform Push {
  uint n;
  uint n_heads;
  uint head_dim;
  uint n_rot;
  uint row_stride;  // floats between token rows
  float theta_scale;
  float freq_scale;
  uint neox;
  uint has_factors;
} p;

void main() {
  const uint half_rot = p.n_rot / 2u;
  const uint total = p.n * p.n_heads * half_rot;
  for (uint id = gl_GlobalInvocationID.x; id < total; id += gl_NumWorkGroups.x * WG) {
    const uint i = id % half_rot;
    const uint h = (id / half_rot) % p.n_heads;
    const uint t = id / (half_rot * p.n_heads);
    const float pos = float(step.pos0 + t);
    float theta = pos;
    for (uint k = 0u; k < i; ++k) theta *= p.theta_scale;
    if (p.has_factors != 0u) theta /= factors[i];
    theta *= p.freq_scale;
    const float c = cos(theta);
    const float s = sin(theta);
    const uint base = t * p.row_stride + h * p.head_dim;
    const uint ia = base + (p.neox != 0u ? i : 2u * i);
    const uint ib = base + (p.neox != 0u ? i + half_rot : 2u * i + 1u);
    const float x0 = x[ia];
    const float x1 = x[ib];
    x[ia] = x0 * c - x1 * s;
    x[ib] = x0 * s + x1 * c;
  }
}
