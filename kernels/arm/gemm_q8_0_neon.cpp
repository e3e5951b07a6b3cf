// Q4_0 and Q8_0 weights x Q8_0 activations on the armv8.0-a baseline (no
// sdot): products widened to int16 (vmull/vmlal) and pairwise-added into
// int32; exact per block as in the reference.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {

void gemm_q4_0_neon(const GemmArgs& a) { gemm_dispatch<Q4_0Fmt<dot16_neon>, 4, 4, 2>(a); }
void gemm_q8_0_neon(const GemmArgs& a) { gemm_dispatch<Q8_0Fmt<dot16_neon>, 4, 4, 2>(a); }

}  // namespace edgellm::kernels::arm
