// Q6_K weights x Q8_K activations with sdot (armv8.2-a dotprod). Quants are
// unpacked to signed q-32 in [-32, 31] (no bias term); one sdot per
// 16-element sub-block, scaled by its signed 8-bit scale (vmla). Integer
// sums are exact, as in the reference; one float scale d*dx per super-block.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q6_KDot {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q6_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16j..16j+15 as q-32
    int32_t sc[16];   // signed sub-block scales
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    unpack_q6_K(b, out->q);
    for (int j = 0; j < 16; ++j) out->sc[j] = b.scales[j];
    out->d = fp16(b.d);
  }
  static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    for (int j = 0; j < 16; j += 2) {
      const int32x4_t p0 = vdotq_s32(vdupq_n_s32(0), w.q[j], vld1q_s8(x.qs + 16 * j));
      const int32x4_t p1 = vdotq_s32(vdupq_n_s32(0), w.q[j + 1], vld1q_s8(x.qs + 16 * j + 16));
      s0 = vmlaq_n_s32(s0, p0, w.sc[j]);
      s1 = vmlaq_n_s32(s1, p1, w.sc[j + 1]);
    }
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
  }
};

}  // namespace

void gemm_q6_K_dotprod(const GemmArgs& a) { gemm_dispatch<Q6_KDot, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
