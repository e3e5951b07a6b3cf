// Activation quantizers on the armv8.0-a NEON baseline, bit-exact with the
// reference (kernels/ref/quantize.cpp): the same float operations in the
// same order per element, only evaluated 4 lanes at a time. The maxima use
// FMAXNM, which skips a quiet NaN as the reference's comparisons do.
//   Q8_0: d = amax/127, q = round-half-away(x * (1/d))   -> FCVTAS
//   Q8_K: iscale = -127/max (max = first element of largest magnitude),
//         q = min(127, round-half-even(iscale * x))      -> FCVTNS
//         bsums = sums of 16 quants (exact in int16)
//   Q8_0 + scales: the Q8_0 row, then each block's d again as a float (the
//         fp16 value widened), for the repacked kernels' scale multiply.
#include <arm_neon.h>

#include <cmath>
#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::arm {
namespace {

// 16 int32 lanes (in range for int8) narrowed to 16 int8.
inline int8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t lo = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
  const int16x8_t hi = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
  return vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
}

}  // namespace

void quantize_q8_0_neon(const float* x, void* dst, int64_t n) {
  block_q8_0* y = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float32x4_t v[8];
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int j = 0; j < 8; ++j) {
      v[j] = vld1q_f32(x + 4 * j);
      m = vmaxnmq_f32(m, vabsq_f32(v[j]));
    }
    const float amax = vmaxnmvq_f32(m);
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    int32x4_t q[8];
    for (int j = 0; j < 8; ++j) q[j] = vcvtaq_s32_f32(vmulq_n_f32(v[j], id));
    vst1q_s8(y[i].qs, narrow16(q[0], q[1], q[2], q[3]));
    vst1q_s8(y[i].qs + 16, narrow16(q[4], q[5], q[6], q[7]));
  }
}

void quantize_q8_0_scales_neon(const float* x, void* dst, int64_t n) {
  quantize_q8_0_neon(x, dst, n);
  const block_q8_0* y = static_cast<const block_q8_0*>(dst);
  // Only 2-byte aligned when the block count is odd: bytes and memcpy.
  uint8_t* scales = static_cast<uint8_t*>(dst) + (n / kQK) * sizeof(block_q8_0);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float d = fp16_to_fp32(y[i].d);  // the rounded scale, as the blocks hold it
    std::memcpy(scales + 4 * i, &d, sizeof d);
  }
}

void quantize_q8_K_neon(const float* x, void* dst, int64_t n) {
  block_q8_K* y = static_cast<block_q8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int j = 0; j < kQK_K; j += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + j)));
    const float amax = vmaxnmvq_f32(m);
    if (amax == 0.0f) {
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    // The reference keeps the first element of largest magnitude (its sign
    // sets the scale's sign).
    float max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) == amax) {
        max = x[j];
        break;
      }
    }
    const float iscale = -127.f / max;
    const int32x4_t top = vdupq_n_s32(127);
    for (int j = 0; j < kQK_K; j += 16) {
      int32x4_t q[4];
      for (int u = 0; u < 4; ++u) {
        q[u] = vminq_s32(vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + j + 4 * u), iscale)), top);
      }
      const int8x16_t packed = narrow16(q[0], q[1], q[2], q[3]);
      vst1q_s8(y[i].qs + j, packed);
      y[i].bsums[j / 16] = static_cast<int16_t>(vaddlvq_s8(packed));
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace edgellm::kernels::arm
