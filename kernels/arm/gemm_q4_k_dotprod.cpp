// Q4_K weights x Q8_K activations with sdot (armv8.2-a dotprod). Per
// 256-element super-block and 32-element sub-block j:
//   d*dx*sc_j*dot(q_j, x_j) - dmin*dx*m_j*sum(x_j),
// integer parts exact as in the reference: two sdot per sub-block into 4
// int32 lanes, scaled by sc_j (vmla); the mins pair with the activation
// block sums.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q4_KDot {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q4_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // elements 16i..16i+15, unsigned 0..15
    int32_t sc[8];    // sub-block scales
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
    for (int j = 0; j < 8; j += 2) {
      int32x4_t p0 = vdotq_s32(vdupq_n_s32(0), w.q[2 * j], vld1q_s8(x.qs + 32 * j));
      p0 = vdotq_s32(p0, w.q[2 * j + 1], vld1q_s8(x.qs + 32 * j + 16));
      int32x4_t p1 = vdotq_s32(vdupq_n_s32(0), w.q[2 * j + 2], vld1q_s8(x.qs + 32 * j + 32));
      p1 = vdotq_s32(p1, w.q[2 * j + 3], vld1q_s8(x.qs + 32 * j + 48));
      s0 = vmlaq_n_s32(s0, p0, w.sc[j]);
      s1 = vmlaq_n_s32(s1, p1, w.sc[j + 1]);
    }
    const int32x4_t m = q4_K_min_sums(w.mins, x);
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(vaddq_s32(s0, s1)), w.d * x.d);
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(m), -(w.dmin * x.d));
  }
};

}  // namespace

void gemm_q4_K_dotprod(const GemmArgs& a) { gemm_dispatch<Q4_KDot, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
