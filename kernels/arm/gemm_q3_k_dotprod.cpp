// Q3_K weights x Q8_K activations with sdot (armv8.2-a dotprod). Quants
// unpacked to signed (low 2 bits + 4*hmask bit) - 4 in [-4, 3] (no bias
// term); one sdot per 16-element group, scaled by its signed 6-bit scale
// (mla by element). Integer sums exact, as in the reference; one float
// scale d*dx per super-block.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q3_KDot {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q3_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16j..16j+15, in [-4, 3]
    int32x4_t sc[4];  // signed group scales, 4 per vector
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    unpack_2bit<true>(b.qs, b.hmask, out->q);
    const int8x16_t sc = q3_K_scales(b.scales);
    const int16x8_t lo = vmovl_s8(vget_low_s8(sc)), hi = vmovl_high_s8(sc);
    out->sc[0] = vmovl_s16(vget_low_s16(lo));
    out->sc[1] = vmovl_high_s16(lo);
    out->sc[2] = vmovl_s16(vget_low_s16(hi));
    out->sc[3] = vmovl_high_s16(hi);
    out->d = fp16(b.d);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    unroll<16>([&](auto j_) __attribute__((always_inline)) {
      constexpr int J = decltype(j_)::value;
      const int32x4_t p = vdotq_s32(vdupq_n_s32(0), w.q[J], vld1q_s8(x.qs + 16 * J));
      if constexpr (J % 2 == 0) {
        s0 = vmlaq_laneq_s32(s0, p, w.sc[J / 4], J % 4);
      } else {
        s1 = vmlaq_laneq_s32(s1, p, w.sc[J / 4], J % 4);
      }
    });
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
  }
};

}  // namespace

void gemm_q3_K_dotprod(const GemmArgs& a) { gemm_dispatch<Q3_KDot, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
