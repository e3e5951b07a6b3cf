#version 450
// a[i] = a[i] op b[i % period] over count elements: residual adds
// (period = count), bias adds (period = row length), elementwise products.

layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 64;

layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };

layout(push_constant) uniform Push {
  uint count;
  uint period;
  uint op;  // 0 add, 1 mul
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.count; i += gl_NumWorkGroups.x * WG) {
    const float y = b[i % p.period];
    a[i] = p.op == 0u ? a[i] + y : a[i] * y;
  }
}
