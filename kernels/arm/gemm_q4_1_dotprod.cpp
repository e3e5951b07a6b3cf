// Q4_1 weights x Q8_1 activations with sdot (armv8.2-a dotprod): one
// instruction per 16 byte products into 4 int32 lanes; the formats are in
// kernels/arm/neon_blocks.h. Integer block dots are exact.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

inline int32x4_t dot16_sdot(int32x4_t acc, int8x16_t a, int8x16_t b) {
  return vdotq_s32(acc, a, b);
}

}  // namespace

void gemm_q4_1_dotprod(const GemmArgs& a) { gemm_dispatch<QxFmt1<dot16_sdot, false>, 4, 4, 4>(a); }

}  // namespace edgellm::kernels::arm
