// vec_dot for the float weight formats: F32·F32, F16·F16, BF16·BF16.
// As in ggml's scalar code each product is formed in float (exact for
// F16/BF16 inputs) and accumulated in double, then rounded once.
#include "kernels/ref/fp_contract.h"

#include <cstring>

#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::ref {

namespace {

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}

}  // namespace

void vec_dot_f32(int64_t n, float* s, const void* w, const void* x) {
  const float* a = static_cast<const float*>(w);
  const float* b = static_cast<const float*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i] * b[i]);
  *s = static_cast<float>(sum);
}

void vec_dot_f16(int64_t n, float* s, const void* w, const void* x) {
  const uint8_t* a = static_cast<const uint8_t*>(w);
  const uint8_t* b = static_cast<const uint8_t*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(fp16_to_fp32(load_u16(a + 2 * i)) *
                               fp16_to_fp32(load_u16(b + 2 * i)));
  }
  *s = static_cast<float>(sum);
}

void vec_dot_bf16(int64_t n, float* s, const void* w, const void* x) {
  const uint8_t* a = static_cast<const uint8_t*>(w);
  const uint8_t* b = static_cast<const uint8_t*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(bf16_to_fp32(load_u16(a + 2 * i)) *
                               bf16_to_fp32(load_u16(b + 2 * i)));
  }
  *s = static_cast<float>(sum);
}

}  // namespace edgellm::kernels::ref
