// The aarch64 paths' kernel tables (compiled with baseline flags: data only).
// Activations are converted with the reference quantizers (bit-exact by
// definition; a NEON Q8_0 quantizer is future work).
#include "kernels/arm/arm_kernels.h"
#include "kernels/kernel_tables.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels {
namespace {

using namespace arm;
using ref::q8_0_from_float;
using ref::q8_K_from_float;

constexpr MatmulKernel kNeon[] = {
    {DType::Q4_0, Isa::Neon, "q4_0.q8_0 neon smull 4x2 tile", DType::Q8_0, q8_0_from_float,
     gemm_q4_0_neon},
    {DType::Q8_0, Isa::Neon, "q8_0.q8_0 neon smull 4x2 tile", DType::Q8_0, q8_0_from_float,
     gemm_q8_0_neon},
    {DType::Q4_K, Isa::Neon, "q4_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q4_K_neon},
    {DType::Q6_K, Isa::Neon, "q6_K.q8_K neon smull 2x4 tile", DType::Q8_K, q8_K_from_float,
     gemm_q6_K_neon},
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
};

constexpr MatmulKernel kI8mm[] = {
    {DType::Q4_0, Isa::I8mm, "q4_0.q8_0 smmla 4x4 tile (sdot gemv)", DType::Q8_0, q8_0_from_float,
     gemm_q4_0_i8mm},
    {DType::Q8_0, Isa::I8mm, "q8_0.q8_0 smmla 4x4 tile (sdot gemv)", DType::Q8_0, q8_0_from_float,
     gemm_q8_0_i8mm},
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
