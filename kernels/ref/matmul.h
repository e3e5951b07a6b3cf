// Reference GEMM/GEMV over one weight matrix and a batch of activation rows
// already converted to the weight type's vec_dot_type.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"

namespace edgellm::kernels {

// y[t*y_stride + r] = vec_dot(k, row r of w, x_conv row t) for r in
// [row_begin, row_end) and t in [0, n_tokens). Weight row r starts at
// w + r*row_bytes(tt.type, k); activation row t at x_conv + t*x_row_bytes.
// n_rows is the matrix height (row_end <= n_rows). tt.vec_dot must be set.
void matmul_ref(const TypeTraits& tt, const void* w, int64_t n_rows, int64_t k,
                const void* x_conv, size_t x_row_bytes, int64_t n_tokens, float* y,
                int64_t y_stride, int64_t row_begin, int64_t row_end);

}  // namespace edgellm::kernels
