// The kernel interface the execution templates use: per weight type, how to
// turn a row into floats, which activation format its dot product consumes,
// how to convert activations into it, and the dot product itself.
//
// Numerics follow llama.cpp's CPU backend so outputs match its goldens:
// Q4_0/Q5_0/Q8_0 weights take Q8_0 activations, Q4_1/Q5_1 take Q8_1,
// K-quants take Q8_K, F16 takes F16, BF16 takes BF16, F32 takes F32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dtype.h"

namespace edgellm::kernels {

using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// s = dot(w[0:n], x[0:n]); w in the weight type, x in its vec_dot_type.
using VecDotFn = void (*)(int64_t n, float* s, const void* w, const void* x);

struct TypeTraits {
  DType type;
  DType vec_dot_type;     // activation format consumed by vec_dot
  ToFloatFn to_float;     // dequantize n elements (n multiple of the block)
  FromFloatFn from_float; // quantize n floats into this type (nullptr if not offered)
  VecDotFn vec_dot;       // nullptr if the type cannot be a matmul weight
};

// Reference (scalar) traits; nullptr for a type without kernels.
const TypeTraits* ref_traits(DType t);

}  // namespace edgellm::kernels
