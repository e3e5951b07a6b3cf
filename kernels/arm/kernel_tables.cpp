// The aarch64 paths' kernel tables (compiled with baseline flags: data only).
// Q8_0 and Q8_K activations are converted by the NEON quantizers
// (kernels/arm/quantize_neon.cpp, bit-exact with the reference), Q8_1 by the
// reference.
#include "kernels/arm/arm_kernels.h"
#include "kernels/kernel_tables.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels {
namespace {

using namespace arm;
// Every aarch64 path has NEON: its quantizers serve all rows below.
constexpr FromFloatFn q8_0_from_float = quantize_q8_0_neon;
constexpr FromFloatFn q8_K_from_float = quantize_q8_K_neon;

constexpr MatmulKernel kNeon[] = {
    {DType::F32, Isa::Neon, "f32.f32 neon fmla 4x2 tile", DType::F32, ref::f32_from_float,
     gemm_f32_neon},
    {DType::F16, Isa::Neon, "f16.f16 neon fcvtl+fmla 4x2 tile", DType::F32, round_f16_neon,
     gemm_f16_neon},
    {DType::BF16, Isa::Neon, "bf16.bf16 neon fmla 4x2 tile", DType::F32, round_bf16_neon,
     gemm_bf16_neon},
    {DType::Q4_0, Isa::Neon, "q4_0.q8_0 neon smull 4x2 tile", DType::Q8_0, q8_0_from_float,
     gemm_q4_0_neon},
    {DType::Q8_0, Isa::Neon, "q8_0.q8_0 neon smull 4x2 tile", DType::Q8_0, q8_0_from_float,
     gemm_q8_0_neon},
    {DType::Q4_K, Isa::Neon, "q4_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q4_K_neon},
    {DType::Q6_K, Isa::Neon, "q6_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q6_K_neon},
    {DType::Q4_1, Isa::Neon, "q4_1.q8_1 neon smull 4x2 tile", DType::Q8_1, ref::q8_1_from_float,
     gemm_q4_1_neon},
    {DType::Q5_0, Isa::Neon, "q5_0.q8_0 neon smull 4x2 tile", DType::Q8_0, q8_0_from_float,
     gemm_q5_0_neon},
    {DType::Q5_1, Isa::Neon, "q5_1.q8_1 neon smull 4x2 tile", DType::Q8_1, ref::q8_1_from_float,
     gemm_q5_1_neon},
    {DType::Q2_K, Isa::Neon, "q2_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q2_K_neon},
    {DType::Q3_K, Isa::Neon, "q3_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q3_K_neon},
    {DType::Q5_K, Isa::Neon, "q5_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q5_K_neon},
};

constexpr MatmulKernel kDotprod[] = {
    {DType::Q4_0, Isa::Dotprod, "q4_0.q8_0 sdot 4x4 tile", DType::Q8_0, q8_0_from_float,
     gemm_q4_0_dotprod},
    {DType::Q8_0, Isa::Dotprod, "q8_0.q8_0 sdot 4x4 tile", DType::Q8_0, q8_0_from_float,
     gemm_q8_0_dotprod},
    {DType::Q4_K, Isa::Dotprod, "q4_K.q8_K sdot 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q4_K_dotprod},
    {DType::Q6_K, Isa::Dotprod, "q6_K.q8_K sdot 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q6_K_dotprod},
    {DType::Q4_1, Isa::Dotprod, "q4_1.q8_1 sdot 4x4 tile", DType::Q8_1, ref::q8_1_from_float,
     gemm_q4_1_dotprod},
    {DType::Q5_0, Isa::Dotprod, "q5_0.q8_0 sdot 4x4 tile", DType::Q8_0, q8_0_from_float,
     gemm_q5_0_dotprod},
    {DType::Q5_1, Isa::Dotprod, "q5_1.q8_1 sdot 4x4 tile", DType::Q8_1, ref::q8_1_from_float,
     gemm_q5_1_dotprod},
    {DType::Q2_K, Isa::Dotprod, "q2_K.q8_K sdot 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q2_K_dotprod},
    {DType::Q3_K, Isa::Dotprod, "q3_K.q8_K sdot 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q3_K_dotprod},
    {DType::Q5_K, Isa::Dotprod, "q5_K.q8_K sdot 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q5_K_dotprod},
    // Kernels over weights repacked at load (repacked_kernel()); i8mm CPUs
    // use them too (the path falls back to dotprod for repacked kernels).
    {DType::Q4_0, Isa::Dotprod, "q4_0.q8_0 sdot repacked x4 (8 tokens/pass)", DType::Q8_0,
     quantize_q8_0_scales_neon, gemm_q4_0_x4_dotprod, 4, repack_q4_0_x4, 4, 72, unrepack_q4_0_x4},
    {DType::Q8_0, Isa::Dotprod, "q8_0.q8_0 sdot repacked x4 (8 tokens/pass)", DType::Q8_0,
     quantize_q8_0_scales_neon, gemm_q8_0_x4_dotprod, 4, repack_q8_0_x4, 4, 136, unrepack_q8_0_x4},
    {DType::Q5_0, Isa::Dotprod, "q5_0.q8_0 sdot repacked x4 (8 tokens/pass)", DType::Q8_0,
     quantize_q8_0_scales_neon, gemm_q5_0_x4_dotprod, 4, repack_q5_0_x4, 4, 88, unrepack_q5_0_x4},
    {DType::Q6_K, Isa::Dotprod, "q6_K.q8_K sdot repacked x4 (8 tokens/pass)", DType::Q8_K,
     q8_K_from_float, gemm_q6_K_x4_dotprod, 0, repack_q6_K_x4, 4, 840, unrepack_q6_K_x4},
    {DType::Q4_K, Isa::Dotprod, "q4_K.q8_K sdot repacked x4 (8 tokens/pass)", DType::Q8_K,
     q8_K_from_float, gemm_q4_K_x4_dotprod, 0, repack_q4_K_x4, 4, 592, unrepack_q4_K_x4},
};

constexpr MatmulKernel kI8mm[] = {
    {DType::Q4_0, Isa::I8mm, "q4_0.q8_0 smmla 4x4 tile (sdot gemv)", DType::Q8_0, q8_0_from_float,
     gemm_q4_0_i8mm},
    {DType::Q8_0, Isa::I8mm, "q8_0.q8_0 smmla 4x4 tile (sdot gemv)", DType::Q8_0, q8_0_from_float,
     gemm_q8_0_i8mm},
    {DType::Q4_K, Isa::I8mm, "q4_K.q8_K smmla 4x4 tile (sdot gemv)", DType::Q8_K, q8_K_from_float,
     gemm_q4_K_i8mm},
    {DType::Q6_K, Isa::I8mm, "q6_K.q8_K smmla 4x4 tile (sdot gemv)", DType::Q8_K, q8_K_from_float,
     gemm_q6_K_i8mm},
};

template <size_t N>
KernelTable table(const MatmulKernel (&k)[N]) {
  return {k, N};
}

}  // namespace

KernelTable isa_kernel_table(Isa isa) {
  switch (isa) {
    case Isa::Neon: return table(kNeon);
    case Isa::Dotprod: return table(kDotprod);
    case Isa::I8mm: return table(kI8mm);
    default: return {};
  }
}

}  // namespace edgellm::kernels
