// Activation kernel tables (kernels/activations.h). Compiled with the
// baseline flags: it only holds pointers to kernels that run after dispatch
// has checked the CPU.
#include "kernels/activations.h"

#include "kernels/ref/ops.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels {
namespace {

constexpr ActKernels kRef{Isa::Ref, "ref (libm expf)", swiglu_f32, softmax_f32,
                          ref::f16_from_float};
#if defined(__x86_64__)
constexpr ActKernels kAvx2{Isa::Avx2, "avx2 vector exp", x86::swiglu_avx2, x86::softmax_avx2,
                           x86::to_f16_avx2};
#endif
#if defined(__aarch64__)
constexpr ActKernels kNeon{Isa::Neon, "neon vector exp", arm::swiglu_neon, arm::softmax_neon,
                           arm::to_f16_neon};
#endif

}  // namespace

const ActKernels* act_kernels(Isa isa) {
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
