// Declarations of the x86-64 kernels. Each is defined in a file compiled
// for its ISA (…_avx2.cpp, …_avx512.cpp) and may only be called after
// dispatch has checked the CPU (kernels/dispatch.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels::x86 {

// Activation converters, bit-identical to the reference from_float.
void quantize_q8_0_avx2(const float* src, void* dst, int64_t n);
void quantize_q8_K_avx2(const float* src, void* dst, int64_t n);
// Q8_0 row followed by one int32 per block: 8 * (sum of the block's quants),
// the zero-point correction of the packed Q4_0 GEMM.
void quantize_q8_0_sum8_avx2(const float* src, void* dst, int64_t n);
// The same, then each block's scale as a float (the fp16 value widened):
// act_extra 8 (sums at k/32 * 34, scales 4 * k/32 bytes later), for the
// repacked kernels' scale multiply.
void quantize_q8_0_sum8_scales_avx2(const float* src, void* dst, int64_t n);
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
// Zero-copy kernels of the remaining block formats (generic tile driver).
void gemm_q4_1_avx2(const GemmArgs& a);
void gemm_q5_0_avx2(const GemmArgs& a);
void gemm_q5_1_avx2(const GemmArgs& a);
void gemm_q2_K_avx2(const GemmArgs& a);
void gemm_q3_K_avx2(const GemmArgs& a);
void gemm_q5_K_avx2(const GemmArgs& a);

// Weights repacked at load into 8-row interleaved groups
// (kernels/x86/gemm_repacked_avx2.cpp describes the layouts).
void repack_q4_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
// The inverses for one row (embedding lookups of a repacked tied output).
void unrepack_q4_0_x8(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void unrepack_q8_0_x8(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void unrepack_q4_K_x8(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void unrepack_q6_K_x8(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void repack_q8_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void gemm_q4_0_x8_avx2(const GemmArgs& a);
void gemm_q8_0_x8_avx2(const GemmArgs& a);
void repack_q4_K_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void gemm_q4_K_x8_avx2(const GemmArgs& a);
void repack_q6_K_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void gemm_q6_K_x8_avx2(const GemmArgs& a);
void repack_q5_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void unrepack_q5_0_x8(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void gemm_q5_0_x8_avx2(const GemmArgs& a);

// AVX-512 VNNI kernels over the same x8 layouts (gemm_repacked_avx512.cpp).
// Q4_0, Q5_0 and Q8_0 read quantize_q8_0_sum8_scales_avx2 rows (8 * sum
// per block, then the block scales as floats), as the AVX2 ones do.
void gemm_q4_0_x8_avx512(const GemmArgs& a);
void gemm_q5_0_x8_avx512(const GemmArgs& a);
void gemm_q8_0_x8_avx512(const GemmArgs& a);
void gemm_q4_K_x8_avx512(const GemmArgs& a);
void gemm_q6_K_x8_avx512(const GemmArgs& a);

}  // namespace edgellm::kernels::x86
