// The x86 paths' kernel tables (compiled with baseline flags: data only).
#include "kernels/kernel_tables.h"
#include "kernels/ref/ref_kernels.h"
#include "kernels/x86/avx512_table.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels {
namespace {

using namespace x86;

constexpr MatmulKernel kAvx2[] = {
    {DType::F32, Isa::Avx2, "f32.f32 avx2 fma 4x3 tile", DType::F32, ref::f32_from_float, gemm_f32_avx2},
    {DType::F16, Isa::Avx2, "f16.f16 avx2 f16c+fma 4x3 tile", DType::F32, round_f16_avx2,
     gemm_f16_avx2},
    {DType::BF16, Isa::Avx2, "bf16.bf16 avx2 fma 4x3 tile", DType::F32, round_bf16_avx2,
     gemm_bf16_avx2},
    {DType::Q4_0, Isa::Avx2, "q4_0.q8_0 avx2 packed 8x4 gemm", DType::Q8_0,
     quantize_q8_0_sum8_avx2, gemm_q4_0_avx2, 4},
    {DType::Q8_0, Isa::Avx2, "q8_0.q8_0 avx2 packed 8x4 gemm", DType::Q8_0, quantize_q8_0_avx2,
     gemm_q8_0_avx2},
    {DType::Q4_K, Isa::Avx2, "q4_K.q8_K avx2 maddubs 2x3 tile", DType::Q8_K, quantize_q8_K_avx2,
     gemm_q4_K_avx2},
    {DType::Q6_K, Isa::Avx2, "q6_K.q8_K avx2 maddubs 2x3 tile", DType::Q8_K, quantize_q8_K_avx2,
     gemm_q6_K_avx2},
    {DType::Q4_1, Isa::Avx2, "q4_1.q8_1 avx2 maddubs 2x4 tile", DType::Q8_1,
     ref::q8_1_from_float, gemm_q4_1_avx2},
    {DType::Q5_0, Isa::Avx2, "q5_0.q8_0 avx2 maddubs 2x4 tile", DType::Q8_0, quantize_q8_0_avx2,
     gemm_q5_0_avx2},
    {DType::Q5_1, Isa::Avx2, "q5_1.q8_1 avx2 maddubs 2x4 tile", DType::Q8_1,
     ref::q8_1_from_float, gemm_q5_1_avx2},
    {DType::Q2_K, Isa::Avx2, "q2_K.q8_K avx2 maddubs 2x3 tile", DType::Q8_K, quantize_q8_K_avx2,
     gemm_q2_K_avx2},
    {DType::Q3_K, Isa::Avx2, "q3_K.q8_K avx2 maddubs 2x3 tile", DType::Q8_K, quantize_q8_K_avx2,
     gemm_q3_K_avx2},
    {DType::Q5_K, Isa::Avx2, "q5_K.q8_K avx2 maddubs 2x3 tile", DType::Q8_K, quantize_q8_K_avx2,
     gemm_q5_K_avx2},
    // Kernels over weights repacked at load (repacked_kernel()).
    {DType::Q4_0, Isa::Avx2, "q4_0.q8_0 avx2 repacked x8 (4 tokens/pass)", DType::Q8_0,
     quantize_q8_0_sum8_scales_avx2, gemm_q4_0_x8_avx2, 8, repack_q4_0_x8, 8, 144, unrepack_q4_0_x8},
    {DType::Q8_0, Isa::Avx2, "q8_0.q8_0 avx2 repacked x8 (4 tokens/pass)", DType::Q8_0,
     quantize_q8_0_sum8_scales_avx2, gemm_q8_0_x8_avx2, 8, repack_q8_0_x8, 8, 272, unrepack_q8_0_x8},
    {DType::Q5_0, Isa::Avx2, "q5_0.q8_0 avx2 repacked x8 (4 tokens/pass)", DType::Q8_0,
     quantize_q8_0_sum8_scales_avx2, gemm_q5_0_x8_avx2, 8, repack_q5_0_x8, 8, 176, unrepack_q5_0_x8},
    {DType::Q4_K, Isa::Avx2, "q4_K.q8_K avx2 repacked x8 (4 tokens/pass)", DType::Q8_K,
     quantize_q8_K_avx2, gemm_q4_K_x8_avx2, 0, repack_q4_K_x8, 8, 1248, unrepack_q4_K_x8},
    {DType::Q6_K, Isa::Avx2, "q6_K.q8_K avx2 repacked x8 (4 tokens/pass)", DType::Q8_K,
     quantize_q8_K_avx2, gemm_q6_K_x8_avx2, 0, repack_q6_K_x8, 8, 1808, unrepack_q6_K_x8},
};

// AVX-512 VNNI: kernels over the repacked x8 layouts only. Zero-copy
// weights (repacking off, or formats without an entry here) fall back to
// the AVX2 kernels (matmul_kernel / repacked_kernel walk avx512 -> avx2).
constexpr MatmulKernel kAvx512[] = {EDGELLM_AVX512_KERNELS(x86)};

}  // namespace

KernelTable isa_kernel_table(Isa isa) {
  switch (isa) {
    case Isa::Avx2: return {kAvx2, sizeof kAvx2 / sizeof kAvx2[0]};
    case Isa::Avx512: return {kAvx512, sizeof kAvx512 / sizeof kAvx512[0]};
    default: return {};
  }
}

}  // namespace edgellm::kernels
