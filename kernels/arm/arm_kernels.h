// Declarations of the aarch64 kernels. Each is defined in a file compiled
// for its extension (plain = armv8-a NEON, …_dotprod.cpp, …_i8mm.cpp) and may
// only be called after dispatch has checked the CPU (kernels/dispatch.h).
#pragma once

#include "kernels/dispatch.h"

namespace edgellm::kernels::arm {

// Activation quantizers (NEON baseline), bit-exact with the reference.
void quantize_q8_0_neon(const float* x, void* dst, int64_t n);
// Q8_0 blocks followed by the n/32 block scales as floats (act_extra 4).
void quantize_q8_0_scales_neon(const float* x, void* dst, int64_t n);
void quantize_q8_K_neon(const float* x, void* dst, int64_t n);
void gemm_q4_0_neon(const GemmArgs& a);
void gemm_q8_0_neon(const GemmArgs& a);
void gemm_q4_0_dotprod(const GemmArgs& a);
void gemm_q8_0_dotprod(const GemmArgs& a);
void gemm_q4_0_i8mm(const GemmArgs& a);
void gemm_q8_0_i8mm(const GemmArgs& a);
void gemm_q4_K_neon(const GemmArgs& a);
void gemm_q6_K_neon(const GemmArgs& a);
void gemm_q4_K_dotprod(const GemmArgs& a);
void gemm_q6_K_dotprod(const GemmArgs& a);
// smmla 4x4 tiles for prefill (sdot kernels for decode and tails).
void gemm_q4_K_i8mm(const GemmArgs& a);
void gemm_q6_K_i8mm(const GemmArgs& a);
// Zero-copy kernels of the remaining block formats (kernels/arm/neon_blocks.h).
void gemm_q4_1_neon(const GemmArgs& a);
void gemm_q5_0_neon(const GemmArgs& a);
void gemm_q5_1_neon(const GemmArgs& a);
void gemm_q2_K_neon(const GemmArgs& a);
void gemm_q3_K_neon(const GemmArgs& a);
void gemm_q5_K_neon(const GemmArgs& a);
void gemm_q4_1_dotprod(const GemmArgs& a);
void gemm_q5_0_dotprod(const GemmArgs& a);
void gemm_q5_1_dotprod(const GemmArgs& a);
void gemm_q2_K_dotprod(const GemmArgs& a);
void gemm_q3_K_dotprod(const GemmArgs& a);
void gemm_q5_K_dotprod(const GemmArgs& a);
// F32 / F16 / BF16 weights x F32 activations (armv8.0). The F16 / BF16
// activation converters write F32 rows holding the values rounding to the
// weight type gives (bit-identical to the reference rounding).
void gemm_f32_neon(const GemmArgs& a);
void gemm_f16_neon(const GemmArgs& a);
void gemm_bf16_neon(const GemmArgs& a);
void round_f16_neon(const float* src, void* dst, int64_t n);
void round_bf16_neon(const float* src, void* dst, int64_t n);
// Weights repacked at load into 4-row interleaved groups (by-element sdot).
void repack_q4_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void repack_q8_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void gemm_q4_0_x4_dotprod(const GemmArgs& a);
void gemm_q8_0_x4_dotprod(const GemmArgs& a);
void repack_q5_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void unrepack_q5_0_x4(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void gemm_q5_0_x4_dotprod(const GemmArgs& a);
void repack_q6_K_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void unrepack_q6_K_x4(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void gemm_q6_K_x4_dotprod(const GemmArgs& a);
void repack_q4_K_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst);
void gemm_q4_K_x4_dotprod(const GemmArgs& a);
// The inverses for one row (embedding lookups of a repacked tied output).
void unrepack_q4_0_x4(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void unrepack_q8_0_x4(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);
void unrepack_q4_K_x4(const void* repacked, size_t row_bytes, int64_t k, int64_t row, void* dst);

}  // namespace edgellm::kernels::arm
