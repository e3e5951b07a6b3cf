// Q6_K weights x Q8_K activations on the armv8.0-a baseline (no sdot).
// Quants are unpacked to signed q-32 in [-32, 31], so no bias term is
// needed; per 16-element sub-block j the products are widened to int16
// (2 per lane: |2*32*127| < 32768) and scaled by the signed 8-bit scale while
// widening to int32 (vmlal_n_s16). Integer sums are exact, as in the
// reference; one float scale d*dx per super-block.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q6_KNeon {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q6_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16j..16j+15 as q-32
    int16_t sc[16];   // signed sub-block scales
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    unpack_q6_K(b, out->q);
    for (int j = 0; j < 16; ++j) out->sc[j] = b.scales[j];
    out->d = fp16_hw(b.d);
  }
  static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    for (int j = 0; j < 16; ++j) {
      const int8x16_t xv = vld1q_s8(x.qs + 16 * j);
      int16x8_t p = vmull_s8(vget_low_s8(w.q[j]), vget_low_s8(xv));
      p = vmlal_high_s8(p, w.q[j], xv);
      s0 = vmlal_n_s16(s0, vget_low_s16(p), w.sc[j]);
      s1 = vmlal_high_n_s16(s1, p, w.sc[j]);
    }
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
  }
};

}  // namespace

void gemm_q6_K_neon(const GemmArgs& a) { gemm_dispatch<Q6_KNeon, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
