// Q4_1 weights x Q8_1 activations on the armv8.0-a baseline: products widened
// to int16 (smull/smlal, two per lane) and pairwise into int32; the formats
// are in kernels/arm/neon_blocks.h. Integer block dots are exact.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {

void gemm_q4_1_neon(const GemmArgs& a) { gemm_dispatch<QxFmt1<dot16_neon, false>, 4, 4, 2>(a); }

}  // namespace edgellm::kernels::arm
