// The AVX-512 path's kernel entries, written once for the two places that
// list them: the library's table (kernels/x86/kernel_tables.cpp, functions
// in namespace x86) and the unit tests' table of the same source compiled
// over SIMDe (tests/unit/kernels_dispatch_test.cpp, namespace
// x86::emulated). NS names the namespace holding the gemm functions; the
// activation quantizers and repack functions are the AVX2 ones (every
// AVX-512 CPU has AVX2), so both tables share them.
#pragma once

#include "kernels/dispatch.h"
#include "kernels/x86/x86_kernels.h"

// clang-format off
#define EDGELLM_AVX512_KERNELS(NS)                                                                 \
  {DType::Q4_0, Isa::Avx512, "q4_0.q8_0 avx512vnni repacked x8 (8 tokens/pass)", DType::Q8_0,     \
   x86::quantize_q8_0_sum8_scales_avx2, NS::gemm_q4_0_x8_avx512, 8, x86::repack_q4_0_x8, 8, 144,  \
   x86::unrepack_q4_0_x8},                                                                         \
  {DType::Q5_0, Isa::Avx512, "q5_0.q8_0 avx512vnni repacked x8 (8 tokens/pass)", DType::Q8_0,     \
   x86::quantize_q8_0_sum8_scales_avx2, NS::gemm_q5_0_x8_avx512, 8, x86::repack_q5_0_x8, 8, 176,  \
   x86::unrepack_q5_0_x8},                                                                         \
  {DType::Q8_0, Isa::Avx512, "q8_0.q8_0 avx512vnni repacked x8 (8 tokens/pass)", DType::Q8_0,     \
   x86::quantize_q8_0_sum8_scales_avx2, NS::gemm_q8_0_x8_avx512, 8, x86::repack_q8_0_x8, 8, 272,  \
   x86::unrepack_q8_0_x8},                                                                         \
  {DType::Q4_K, Isa::Avx512, "q4_K.q8_K avx512vnni repacked x8 (4 tokens/pass)", DType::Q8_K,     \
   x86::quantize_q8_K_avx2, NS::gemm_q4_K_x8_avx512, 0, x86::repack_q4_K_x8, 8, 1248,             \
   x86::unrepack_q4_K_x8},                                                                         \
  {DType::Q6_K, Isa::Avx512, "q6_K.q8_K avx512vnni repacked x8 (4 tokens/pass)", DType::Q8_K,     \
   x86::quantize_q8_K_avx2, NS::gemm_q6_K_x8_avx512, 0, x86::repack_q6_K_x8, 8, 1808,             \
   x86::unrepack_q6_K_x8}
// clang-format on
