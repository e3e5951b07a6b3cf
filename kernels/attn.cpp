// Attention kernel tables (kernels/attn.h). Compiled with the baseline
// flags: it only holds pointers to kernels that run after dispatch has
// checked the CPU.
#include "kernels/attn.h"

namespace edgellm::kernels {
namespace {

constexpr AttnKernels kRef{Isa::Ref, "ref", true, kAttnMaxQueries, ref::attn_scores_f32, ref::attn_scores_f16,
                           ref::attn_wsum_f32, ref::attn_wsum_f16};
#if defined(__x86_64__)
constexpr AttnKernels kAvx2{Isa::Avx2, "avx2", true, 4, x86::attn_scores_f32_avx2,
                            x86::attn_scores_f16_avx2, x86::attn_wsum_f32_avx2,
                            x86::attn_wsum_f16_avx2};
#endif
#if defined(__aarch64__)
constexpr AttnKernels kNeon{Isa::Neon, "neon", true, 8, arm::attn_scores_f32_neon,
                            arm::attn_scores_f16_neon, arm::attn_wsum_f32_neon,
                            arm::attn_wsum_f16_neon};
#endif

}  // namespace

const AttnKernels* attn_kernels(Isa isa) {
  switch (isa) {
#if defined(__x86_64__)
    case Isa::Avx2:
    case Isa::Avx512: return &kAvx2;
#endif
#if defined(__aarch64__)
    case Isa::Neon:
    case Isa::Dotprod:
    case Isa::I8mm: return &kNeon;
#endif
    default: return &kRef;
  }
}

}  // namespace edgellm::kernels
