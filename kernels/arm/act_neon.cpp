// SwiGLU and softmax with a vector exp (NEON, armv8.0-a; the algorithm and
// its accuracy are described in kernels/activations.h: every exp step is the
// same fused operation in the same order as kernels/x86/act_avx2.cpp), and
// the F16 row store of the KV cache (FCVTN). Tails run through the same
// vector code on a padded copy.
#include <arm_neon.h>

#include <cstring>

#include "kernels/activations.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::arm {
namespace {

inline float32x4_t exp4(float32x4_t x) {
  // FMIN/FMAX return NaN when either operand is NaN.
  x = vminq_f32(vdupq_n_f32(89.0f), x);
  x = vmaxq_f32(vdupq_n_f32(-104.0f), x);
  const float32x4_t shifter = vdupq_n_f32(0x1.8p23f);
  const float32x4_t z = vfmaq_f32(shifter, x, vdupq_n_f32(0x1.715476p+0f));
  const float32x4_t n = vsubq_f32(z, shifter);
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0x1.62e4p-1f));    // ln2, high bits
  r = vfmsq_f32(r, n, vdupq_n_f32(0x1.7f7d1cp-20f));              // ln2, the rest
  float32x4_t p = vdupq_n_f32(1.0f / 5040.0f);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 720.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 120.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 24.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f / 6.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
  // n (in [-150, 129]) from the shifter's low mantissa bits, split in two
  // halves whose powers of two are normal floats.
  const int32x4_t ni = vsubq_s32(vreinterpretq_s32_f32(z), vreinterpretq_s32_f32(shifter));
  const int32x4_t n1 = vshrq_n_s32(ni, 1);
  const int32x4_t n2 = vsubq_s32(ni, n1);
  const int32x4_t bias = vdupq_n_s32(127);
  const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
  const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}

inline float32x4_t swiglu4(float32x4_t g, float32x4_t u) {
  const float32x4_t e = exp4(vsubq_f32(vdupq_n_f32(0.0f), g));
  return vmulq_f32(vdivq_f32(g, vaddq_f32(vdupq_n_f32(1.0f), e)), u);
}

}  // namespace

void swiglu_neon(const float* gate, const float* up, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, swiglu4(vld1q_f32(gate + i), vld1q_f32(up + i)));
  if (i < n) {
    const size_t m = static_cast<size_t>(n - i);
    float g[4] = {}, u[4] = {}, o[4];
    std::memcpy(g, gate + i, m * sizeof(float));
    std::memcpy(u, up + i, m * sizeof(float));
    vst1q_f32(o, swiglu4(vld1q_f32(g), vld1q_f32(u)));
    std::memcpy(y + i, o, m * sizeof(float));
  }
}

void softmax_neon(float* x, int64_t n) {
  if (n <= 0) return;
  // Tail lanes padded with -inf: exp gives 0, max and sum are unchanged.
  const size_t tail = static_cast<size_t>(n % 4);
  const int64_t body = n - static_cast<int64_t>(tail);
  float pad[4];
  for (float& v : pad) v = -__builtin_inff();
  std::memcpy(pad, x + body, tail * sizeof(float));
  float32x4_t mx = vld1q_f32(pad);
  for (int64_t i = 0; i < body; i += 4) mx = vmaxq_f32(mx, vld1q_f32(x + i));
  const float32x4_t mv = vdupq_n_f32(vmaxvq_f32(mx));
  // The sum in double lanes, as the reference sums in double: a float
  // accumulator would lose precision with the row length (long contexts).
  float64x2_t sum_lo = vdupq_n_f64(0.0), sum_hi = vdupq_n_f64(0.0);
  auto add = [&](float32x4_t e) {
    sum_lo = vaddq_f64(sum_lo, vcvt_f64_f32(vget_low_f32(e)));
    sum_hi = vaddq_f64(sum_hi, vcvt_high_f64_f32(e));
  };
  for (int64_t i = 0; i < body; i += 4) {
    const float32x4_t e = exp4(vsubq_f32(vld1q_f32(x + i), mv));
    vst1q_f32(x + i, e);
    add(e);
  }
  const float32x4_t et = exp4(vsubq_f32(vld1q_f32(pad), mv));
  vst1q_f32(pad, et);
  add(et);
  const float64x2_t s2 = vaddq_f64(sum_lo, sum_hi);
  const double s = vgetq_lane_f64(s2, 0) + vgetq_lane_f64(s2, 1);
  const float32x4_t inv = vdupq_n_f32(static_cast<float>(1.0 / s));
  for (int64_t i = 0; i < body; i += 4) vst1q_f32(x + i, vmulq_f32(vld1q_f32(x + i), inv));
  vst1q_f32(pad, vmulq_f32(vld1q_f32(pad), inv));
  std::memcpy(x + body, pad, tail * sizeof(float));
}

// FCVTN rounds to nearest even like the reference (FPCR's default mode);
// only NaN differs (the hardware keeps payload bits), so NaN lanes are
// replaced by 0x7E00 with their sign.
void to_f16_neon(const float* src, void* dst, int64_t n) {
  uint16_t* out = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  const uint16x4_t qnan = vdup_n_u16(0x7E00), sign_bit = vdup_n_u16(0x8000);
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(src + i);
    const uint16x4_t h = vreinterpret_u16_f16(vcvt_f16_f32(v));
    const uint16x4_t ok = vmovn_u32(vceqq_f32(v, v));  // all ones unless NaN
    const uint16x4_t nan = vorr_u16(qnan, vand_u16(h, sign_bit));
    vst1_u16(out + i, vbsl_u16(ok, h, nan));
  }
  if (i < n) ref::f16_from_float(src + i, out + i, n - i);
}

}  // namespace edgellm::kernels::arm
