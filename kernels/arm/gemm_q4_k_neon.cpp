// Q4_K weights x Q8_K activations on the armv8.0-a baseline (no sdot). Per
// 256-element super-block and 32-element sub-block j:
//   d*dx*sc_j*dot(q_j, x_j) - dmin*dx*m_j*sum(x_j),
// integer parts exact as in the reference: the 32 products of a sub-block are
// widened to int16 (vmull/vmlal, 4 per lane: |4*15*127| < 32768), scaled by
// sc_j while widening to int32 (vmlal_n_s16); the mins pair with the
// activation block sums.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q4_KNeon {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q4_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16i..16i+15, unsigned 0..15
    int16_t sc[8];    // sub-block scales
    int16x8_t mins;   // sub-block mins
    float d, dmin;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    unpack_q4_K(b, out->q);
    uint8_t sc[8], mn[8];
    unpack_k4_scales(b.scales, sc, mn);
    for (int j = 0; j < 8; ++j) out->sc[j] = sc[j];
    out->mins = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(mn)));
    out->d = fp16(b.d);
    out->dmin = fp16(b.dmin);
  }
  static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    for (int j = 0; j < 8; ++j) {
      const int8x16_t x0 = vld1q_s8(x.qs + 32 * j);
      const int8x16_t x1 = vld1q_s8(x.qs + 32 * j + 16);
      int16x8_t p = vmull_s8(vget_low_s8(w.q[2 * j]), vget_low_s8(x0));
      p = vmlal_high_s8(p, w.q[2 * j], x0);
      p = vmlal_s8(p, vget_low_s8(w.q[2 * j + 1]), vget_low_s8(x1));
      p = vmlal_high_s8(p, w.q[2 * j + 1], x1);
      s0 = vmlal_n_s16(s0, vget_low_s16(p), w.sc[j]);
      s1 = vmlal_high_n_s16(s1, p, w.sc[j]);
    }
    const int32x4_t m = q4_K_min_sums(w.mins, x);
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(m), -(w.dmin * x.d));
  }
};

}  // namespace

void gemm_q4_K_neon(const GemmArgs& a) { gemm_dispatch<Q4_KNeon, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
