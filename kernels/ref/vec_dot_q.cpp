// vec_dot for the 32-element block formats against 8-bit activations:
// Q4_0·Q8_0, Q5_0·Q8_0, Q8_0·Q8_0, Q4_1·Q8_1, Q5_1·Q8_1. Each block's
// integer dot product is exact; it is scaled and accumulated in float in
// the same order as ggml's scalar ggml_vec_dot_*_q8_*.
#include "kernels/ref/fp_contract.h"

#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::ref {

void vec_dot_q4_0_q8_0(int64_t n, float* s, const void* w, const void* x) {
  const block_q4_0* a = static_cast<const block_q4_0*>(w);
  const block_q8_0* b = static_cast<const block_q8_0*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      sumi += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j];
      sumi += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + kQK / 2];
    }
    sumf += static_cast<float>(sumi) * fp16_to_fp32(a[i].d) * fp16_to_fp32(b[i].d);
  }
  *s = sumf;
}

void vec_dot_q4_1_q8_1(int64_t n, float* s, const void* w, const void* x) {
  const block_q4_1* a = static_cast<const block_q4_1*>(w);
  const block_q8_1* b = static_cast<const block_q8_1*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      sumi += (a[i].qs[j] & 0xF) * b[i].qs[j];
      sumi += (a[i].qs[j] >> 4) * b[i].qs[j + kQK / 2];
    }
    // sum((q*d + m) * qy*dy) = d*dy*sum(q*qy) + m*(dy*sum(qy)) = ... + m*s
    sumf += (fp16_to_fp32(a[i].d) * fp16_to_fp32(b[i].d)) * static_cast<float>(sumi) +
            fp16_to_fp32(a[i].m) * fp16_to_fp32(b[i].s);
  }
  *s = sumf;
}

void vec_dot_q5_0_q8_0(int64_t n, float* s, const void* w, const void* x) {
  const block_q5_0* a = static_cast<const block_q5_0*>(w);
  const block_q8_0* b = static_cast<const block_q8_0*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint32_t qh;
    std::memcpy(&qh, a[i].qh, sizeof qh);
    int sumi = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      const int h0 = static_cast<int>((qh >> j) & 1) << 4;
      const int h1 = static_cast<int>((qh >> (j + 16)) & 1) << 4;
      sumi += (((a[i].qs[j] & 0xF) | h0) - 16) * b[i].qs[j];
      sumi += (((a[i].qs[j] >> 4) | h1) - 16) * b[i].qs[j + kQK / 2];
    }
    sumf += (fp16_to_fp32(a[i].d) * fp16_to_fp32(b[i].d)) * static_cast<float>(sumi);
  }
  *s = sumf;
}

void vec_dot_q5_1_q8_1(int64_t n, float* s, const void* w, const void* x) {
  const block_q5_1* a = static_cast<const block_q5_1*>(w);
  const block_q8_1* b = static_cast<const block_q8_1*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    uint32_t qh;
    std::memcpy(&qh, a[i].qh, sizeof qh);
    int sumi = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      const int h0 = static_cast<int>((qh >> j) & 1) << 4;
      const int h1 = static_cast<int>((qh >> (j + 16)) & 1) << 4;
      sumi += ((a[i].qs[j] & 0xF) | h0) * b[i].qs[j];
      sumi += ((a[i].qs[j] >> 4) | h1) * b[i].qs[j + kQK / 2];
    }
    sumf += (fp16_to_fp32(a[i].d) * fp16_to_fp32(b[i].d)) * static_cast<float>(sumi) +
            fp16_to_fp32(a[i].m) * fp16_to_fp32(b[i].s);
  }
  *s = sumf;
}

void vec_dot_q8_0_q8_0(int64_t n, float* s, const void* w, const void* x) {
  const block_q8_0* a = static_cast<const block_q8_0*>(w);
  const block_q8_0* b = static_cast<const block_q8_0*>(x);
  float sumf = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += a[i].qs[j] * b[i].qs[j];
    sumf += static_cast<float>(sumi) * (fp16_to_fp32(a[i].d) * fp16_to_fp32(b[i].d));
  }
  *s = sumf;
}

}  // namespace edgellm::kernels::ref
