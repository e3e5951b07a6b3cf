// to_float for the 32-element block formats: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q8_1. Each element is q*d (+ m); the float expressions are evaluated in
// the same order as ggml's dequantize_row_* so results are bit-identical.
#include "kernels/ref/fp_contract.h"

#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::ref {

void q4_0_to_float(const void* src, float* y, int64_t n) {
  const block_q4_0* x = static_cast<const block_q4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int v0 = (x[i].qs[j] & 0xF) - 8;
      const int v1 = (x[i].qs[j] >> 4) - 8;
      y[j] = static_cast<float>(v0) * d;
      y[j + kQK / 2] = static_cast<float>(v1) * d;
    }
  }
}

void q4_1_to_float(const void* src, float* y, int64_t n) {
  const block_q4_1* x = static_cast<const block_q4_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    const float m = fp16_to_fp32(x[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(x[i].qs[j] & 0xF) * d + m;
      y[j + kQK / 2] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
    }
  }
}

// The 5th bits of elements j and j+16 of a Q5 block, positioned as bit 4.
static inline int q5_high(uint32_t qh, int j) { return ((qh >> j) << 4) & 0x10; }
static inline int q5_high2(uint32_t qh, int j) { return (qh >> (j + 12)) & 0x10; }

void q5_0_to_float(const void* src, float* y, int64_t n) {
  const block_q5_0* x = static_cast<const block_q5_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    uint32_t qh;
    std::memcpy(&qh, x[i].qh, sizeof qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int v0 = ((x[i].qs[j] & 0xF) | q5_high(qh, j)) - 16;
      const int v1 = ((x[i].qs[j] >> 4) | q5_high2(qh, j)) - 16;
      y[j] = static_cast<float>(v0) * d;
      y[j + kQK / 2] = static_cast<float>(v1) * d;
    }
  }
}

void q5_1_to_float(const void* src, float* y, int64_t n) {
  const block_q5_1* x = static_cast<const block_q5_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    const float m = fp16_to_fp32(x[i].m);
    uint32_t qh;
    std::memcpy(&qh, x[i].qh, sizeof qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int v0 = (x[i].qs[j] & 0xF) | q5_high(qh, j);
      const int v1 = (x[i].qs[j] >> 4) | q5_high2(qh, j);
      y[j] = static_cast<float>(v0) * d + m;
      y[j + kQK / 2] = static_cast<float>(v1) * d + m;
    }
  }
}

void q8_0_to_float(const void* src, float* y, int64_t n) {
  const block_q8_0* x = static_cast<const block_q8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

void q8_1_to_float(const void* src, float* y, int64_t n) {
  const block_q8_1* x = static_cast<const block_q8_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = fp16_to_fp32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

}  // namespace edgellm::kernels::ref
