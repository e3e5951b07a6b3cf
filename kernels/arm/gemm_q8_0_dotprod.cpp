// Q4_0 and Q8_0 weights x Q8_0 activations with sdot (armv8.2-a dotprod):
// one instruction per 16 byte products into 4 int32 lanes.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

inline int32x4_t dot16_sdot(int32x4_t acc, int8x16_t a, int8x16_t b) {
  return vdotq_s32(acc, a, b);
}

}  // namespace

void gemm_q4_0_dotprod(const GemmArgs& a) { gemm_dispatch<Q4_0Fmt<dot16_sdot>, 4, 4, 4>(a); }
void gemm_q8_0_dotprod(const GemmArgs& a) { gemm_dispatch<Q8_0Fmt<dot16_sdot>, 4, 4, 4>(a); }

}  // namespace edgellm::kernels::arm
