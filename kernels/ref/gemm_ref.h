// The reference path's matmul kernels: matmul_ref over the scalar vec_dot,
// activations converted with the reference quantizers.
#pragma once

#include "kernels/dispatch.h"

namespace edgellm::kernels {

// nullptr when the type has no reference vec_dot.
const MatmulKernel* ref_matmul_kernel(DType t);

}  // namespace edgellm::kernels
