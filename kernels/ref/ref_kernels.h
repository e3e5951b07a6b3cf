// Declarations of the scalar reference kernels (internal to kernels/ref;
// the public entry point is ref_traits() in kernels/kernels.h).
#pragma once

#include <cstdint>

namespace edgellm::kernels::ref {

// to_float
void f32_to_float(const void* src, float* dst, int64_t n);
void f16_to_float(const void* src, float* dst, int64_t n);
void bf16_to_float(const void* src, float* dst, int64_t n);
void q4_0_to_float(const void* src, float* dst, int64_t n);
void q4_1_to_float(const void* src, float* dst, int64_t n);
void q5_0_to_float(const void* src, float* dst, int64_t n);
void q5_1_to_float(const void* src, float* dst, int64_t n);
void q8_0_to_float(const void* src, float* dst, int64_t n);
void q8_1_to_float(const void* src, float* dst, int64_t n);
void q2_K_to_float(const void* src, float* dst, int64_t n);
void q3_K_to_float(const void* src, float* dst, int64_t n);
void q4_K_to_float(const void* src, float* dst, int64_t n);
void q5_K_to_float(const void* src, float* dst, int64_t n);
void q6_K_to_float(const void* src, float* dst, int64_t n);
void q8_K_to_float(const void* src, float* dst, int64_t n);

// from_float
void f32_from_float(const float* src, void* dst, int64_t n);
void f16_from_float(const float* src, void* dst, int64_t n);
void bf16_from_float(const float* src, void* dst, int64_t n);
void q4_0_from_float(const float* src, void* dst, int64_t n);
void q4_1_from_float(const float* src, void* dst, int64_t n);
void q5_0_from_float(const float* src, void* dst, int64_t n);
void q5_1_from_float(const float* src, void* dst, int64_t n);
void q8_0_from_float(const float* src, void* dst, int64_t n);
void q8_1_from_float(const float* src, void* dst, int64_t n);
void q8_K_from_float(const float* src, void* dst, int64_t n);
// K-quant weight quantizers (quantize_k.cpp)
void q2_K_from_float(const float* src, void* dst, int64_t n);
void q3_K_from_float(const float* src, void* dst, int64_t n);
void q4_K_from_float(const float* src, void* dst, int64_t n);
void q5_K_from_float(const float* src, void* dst, int64_t n);
void q6_K_from_float(const float* src, void* dst, int64_t n);

// vec_dot: s = dot(w, x), x in the weight type's vec_dot_type
void vec_dot_f32(int64_t n, float* s, const void* w, const void* x);
void vec_dot_f16(int64_t n, float* s, const void* w, const void* x);
void vec_dot_bf16(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q4_0_q8_0(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q4_1_q8_1(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q5_0_q8_0(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q5_1_q8_1(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q8_0_q8_0(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q2_K_q8_K(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q3_K_q8_K(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q4_K_q8_K(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q5_K_q8_K(int64_t n, float* s, const void* w, const void* x);
void vec_dot_q6_K_q8_K(int64_t n, float* s, const void* w, const void* x);

}  // namespace edgellm::kernels::ref
