// Q3_K weights x Q8_K activations on the armv8.0-a baseline (no sdot).
// Quants unpacked to signed (low 2 bits + 4*hmask bit) - 4 in [-4, 3] (no
// bias term); per 16-element group j the products are widened to int16
// (2 per lane) and scaled by the signed 6-bit scale while widening to int32
// (smlal by element). Integer sums exact, as in the reference; one float
// scale d*dx per super-block.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q3_KNeon {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q3_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16j..16j+15, in [-4, 3]
    int16x8_t sc[2];  // signed group scales 0-7, 8-15
    float d;
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    unpack_2bit<true>(b.qs, b.hmask, out->q);
    const int8x16_t sc = q3_K_scales(b.scales);
    out->sc[0] = vmovl_s8(vget_low_s8(sc));
    out->sc[1] = vmovl_high_s8(sc);
    out->d = fp16(b.d);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    unroll<16>([&](auto j_) __attribute__((always_inline)) {
      constexpr int J = decltype(j_)::value;
      const int8x16_t xv = vld1q_s8(x.qs + 16 * J);
      int16x8_t p = vmull_s8(vget_low_s8(w.q[J]), vget_low_s8(xv));
      p = vmlal_high_s8(p, w.q[J], xv);
      s0 = vmlal_laneq_s16(s0, vget_low_s16(p), w.sc[J / 8], J % 8);
      s1 = vmlal_high_laneq_s16(s1, p, w.sc[J / 8], J % 8);
    });
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
  }
};

}  // namespace

void gemm_q3_K_neon(const GemmArgs& a) { gemm_dispatch<Q3_KNeon, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
