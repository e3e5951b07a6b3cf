// Declarations of the x86-64 kernels. Each is defined in a file compiled
// for its ISA (…_avx2.cpp, …_avx512.cpp) and may only be called after
// dispatch has checked the CPU (kernels/dispatch.h).
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels::x86 {

// Activation converters, bit-identical to the reference from_float.
void quantize_q8_0_avx2(const float* src, void* dst, int64_t n);
void quantize_q8_K_avx2(const float* src, void* dst, int64_t n);
// Q8_0 row followed by one int32 per block: 8 * (sum of the block's quants),
// the zero-point correction of the packed Q4_0 GEMM.
void quantize_q8_0_sum8_avx2(const float* src, void* dst, int64_t n);
// F32 rows holding the values F16 / BF16 rounding gives (the activation
// format of the F16 / BF16 GEMMs: the reference rounds activations to the
// weight's type; widening them once here keeps the inner loop to FMAs).
void round_f16_avx2(const float* src, void* dst, int64_t n);
void round_bf16_avx2(const float* src, void* dst, int64_t n);

void gemm_f32_avx2(const GemmArgs& a);
void gemm_f16_avx2(const GemmArgs& a);
void gemm_bf16_avx2(const GemmArgs& a);
void gemm_q4_0_avx2(const GemmArgs& a);
void gemm_q8_0_avx2(const GemmArgs& a);
void gemm_q4_K_avx2(const GemmArgs& a);
void gemm_q6_K_avx2(const GemmArgs& a);

}  // namespace edgellm::kernels::x86
