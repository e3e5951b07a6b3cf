#version 450
// Gated activation, in place over n rows: a = act(a) * b, with
//   mode 0: act = SiLU, x / (1 + exp(-x))             (SwiGLU)
//   mode 1: act = tanh-GELU, rounded through fp16 as the CPU reference
//           does (GeGLU)

#extension GL_GOOGLE_include_directive : require
#include "half.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };

layout(push_constant) uniform Push {
  uint count;
  uint mode;
} p;

float fp16_round(float x) { return half_to_float(float_to_half(x)); }

float gelu(float x) {
  const float h = fp16_round(x);
  if (h >= 10.0) return x;
  if (h <= -10.0) return 0.0;
  const float c = 0.7978845608028654;  // sqrt(2/pi)
  return fp16_round(0.5 * h * (1.0 + tanh(c * h * (1.0 + 0.044715 * h * h))));
}

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.count; i += gl_NumWorkGroups.x * WG) {
    const float x = a[i];
    const float g = p.mode == 0u ? x / (1.0 + exp(-x)) : gelu(x);
    a[i] = g * b[i];
  }
}
