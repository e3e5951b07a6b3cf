// Q2_K weights x Q8_K activations on the armv8.0-a baseline (no sdot). The
// 4-bit group scales are folded into the 2-bit quants at decode (q*sc <= 45,
// exact in int8), so two 16-element groups' products share int16 lanes
// (smull/smlal, 4 per lane: 4*45*127 < 32768) and are widened pairwise into
// int32; the mins pair with the activation block sums:
//   d*dx*sum_j sc_j*dot(q_j, x_j) - dmin*dx*sum_j m_j*bsum_j.
// Integer parts exact, as in the reference.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q2_KNeon {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q2_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];   // elements 16j..16j+15 times scale j
    uint8x16_t mins;   // group mins
    float d, dmin;
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    unpack_q2_K_scaled(b, out->q, &out->mins);
    out->d = fp16(b.d);
    out->dmin = fp16(b.dmin);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s = vdupq_n_s32(0);
    unroll<8>([&](auto j_) __attribute__((always_inline)) {
      constexpr int J = decltype(j_)::value;
      const int8x16_t x0 = vld1q_s8(x.qs + 32 * J), x1 = vld1q_s8(x.qs + 32 * J + 16);
      int16x8_t p = vmull_s8(vget_low_s8(w.q[2 * J]), vget_low_s8(x0));
      p = vmlal_high_s8(p, w.q[2 * J], x0);
      p = vmlal_s8(p, vget_low_s8(w.q[2 * J + 1]), vget_low_s8(x1));
      p = vmlal_high_s8(p, w.q[2 * J + 1], x1);
      s = vpadalq_s16(s, p);
    });
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), w.d * x.d);
    acc = vfmsq_n_f32(acc, vcvtq_f32_s32(q2_K_min_sums(w.mins, x)), w.dmin * x.d);
  }
};

}  // namespace

void gemm_q2_K_neon(const GemmArgs& a) { gemm_dispatch<Q2_KNeon, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
