#include "kernels/ref/matmul.h"

#include <cassert>

namespace edgellm::kernels {

void matmul_ref(const TypeTraits& tt, const void* w, int64_t n_rows, int64_t k,
                const void* x_conv, size_t x_row_bytes, int64_t n_tokens, float* y,
                int64_t y_stride, int64_t row_begin, int64_t row_end) {
  assert(tt.vec_dot != nullptr);
  assert(0 <= row_begin && row_begin <= row_end && row_end <= n_rows);
  (void)n_rows;
  size_t w_row_bytes = 0;
  const bool ok = dtype_row_bytes(tt.type, k, &w_row_bytes);
  assert(ok);
  (void)ok;
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  const uint8_t* xb = static_cast<const uint8_t*>(x_conv);
  // Token-outer so one activation row stays hot across the weight rows.
  for (int64_t t = 0; t < n_tokens; ++t) {
    const void* xr = xb + static_cast<size_t>(t) * x_row_bytes;
    float* yr = y + t * y_stride;
    for (int64_t r = row_begin; r < row_end; ++r) {
      tt.vec_dot(k, &yr[r], wb + static_cast<size_t>(r) * w_row_bytes, xr);
    }
  }
}

}  // namespace edgellm::kernels
