// Declarations of the aarch64 kernels. Each is defined in a file compiled
// for its extension (plain = armv8-a NEON, …_dotprod.cpp, …_i8mm.cpp) and may
// only be called after dispatch has checked the CPU (kernels/dispatch.h).
#pragma once

#include "kernels/dispatch.h"

namespace edgellm::kernels::arm {

void gemm_q4_0_neon(const GemmArgs& a);
void gemm_q8_0_neon(const GemmArgs& a);
void gemm_q4_0_dotprod(const GemmArgs& a);
void gemm_q8_0_dotprod(const GemmArgs& a);
void gemm_q4_0_i8mm(const GemmArgs& a);
void gemm_q8_0_i8mm(const GemmArgs& a);
void gemm_q4_K_neon(const GemmArgs& a);
void gemm_q6_K_neon(const GemmArgs& a);
void gemm_q4_K_dotprod(const GemmArgs& a);
void gemm_q6_K_dotprod(const GemmArgs& a);

}  // namespace edgellm::kernels::arm
