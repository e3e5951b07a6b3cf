// Q5_0 weights x Q8_0 activations on the armv8.0-a baseline: products widened
// to int16 (smull/smlal, two per lane) and pairwise into int32; the formats
// are in kernels/arm/neon_blocks.h. Integer block dots are exact.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {

void gemm_q5_0_neon(const GemmArgs& a) { gemm_dispatch<Q5_0Fmt<dot16_neon>, 4, 4, 2>(a); }

}  // namespace edgellm::kernels::arm
