// The reference TypeTraits table: which kernels exist per type and which
// activation format each weight type's dot product consumes.
#include "kernels/kernels.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels {

namespace {

using namespace ref;

constexpr TypeTraits kRefTraits[] = {
    {DType::F32, DType::F32, f32_to_float, f32_from_float, vec_dot_f32},
    {DType::F16, DType::F16, f16_to_float, f16_from_float, vec_dot_f16},
    {DType::BF16, DType::BF16, bf16_to_float, bf16_from_float, vec_dot_bf16},
    {DType::Q4_0, DType::Q8_0, q4_0_to_float, q4_0_from_float, vec_dot_q4_0_q8_0},
    {DType::Q4_1, DType::Q8_1, q4_1_to_float, q4_1_from_float, vec_dot_q4_1_q8_1},
    {DType::Q5_0, DType::Q8_0, q5_0_to_float, q5_0_from_float, vec_dot_q5_0_q8_0},
    {DType::Q5_1, DType::Q8_1, q5_1_to_float, q5_1_from_float, vec_dot_q5_1_q8_1},
    {DType::Q8_0, DType::Q8_0, q8_0_to_float, q8_0_from_float, vec_dot_q8_0_q8_0},
    {DType::Q8_1, DType::Q8_1, q8_1_to_float, q8_1_from_float, nullptr},
    // K-quant weight quantizers: ggml's imatrix-free reference (quantize_k.cpp).
    {DType::Q2_K, DType::Q8_K, q2_K_to_float, q2_K_from_float, vec_dot_q2_K_q8_K},
    {DType::Q3_K, DType::Q8_K, q3_K_to_float, q3_K_from_float, vec_dot_q3_K_q8_K},
    {DType::Q4_K, DType::Q8_K, q4_K_to_float, q4_K_from_float, vec_dot_q4_K_q8_K},
    {DType::Q5_K, DType::Q8_K, q5_K_to_float, q5_K_from_float, vec_dot_q5_K_q8_K},
    {DType::Q6_K, DType::Q8_K, q6_K_to_float, q6_K_from_float, vec_dot_q6_K_q8_K},
    {DType::Q8_K, DType::Q8_K, q8_K_to_float, q8_K_from_float, nullptr},
};

}  // namespace

const TypeTraits* ref_traits(DType t) {
  for (const TypeTraits& tt : kRefTraits) {
    if (tt.type == t) return &tt;
  }
  return nullptr;
}

}  // namespace edgellm::kernels
