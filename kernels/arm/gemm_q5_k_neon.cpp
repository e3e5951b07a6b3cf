// Q5_K weights x Q8_K activations on the armv8.0-a baseline (no sdot). As
// gemm_q4_k_neon.cpp with 5-bit quants (nibble + 16*high bit, 0..31): per
// 32-element sub-block j the products are widened to int16 (smull/smlal,
// 4 per lane: 4*31*127 < 32768), scaled by sc_j while widening to int32
// (smlal by element); the mins pair with the activation block sums.
// Integer parts exact, as in the reference.
#include <utility>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q5_KNeon {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q5_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];  // q[2j], q[2j+1]: sub-block j, unsigned 0..31
    int16x8_t sc;     // sub-block scales
    int16x8_t mins;   // sub-block mins
    float32x2_t dm;   // d, dmin
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    unpack_q5_K(b, out->q);
    uint8x8_t sc, mn;
    unpack_k4_scales(b.scales, &sc, &mn);
    out->sc = vreinterpretq_s16_u16(vmovl_u8(sc));
    out->mins = vreinterpretq_s16_u16(vmovl_u8(mn));
    out->dm = fp16x2(&b);  // d, dmin: the first 4 bytes
  }
  template <int J>
  static inline void sub(int32x4_t& s0, int32x4_t& s1, const Dec& w, const int8_t* xq) {
    const int8x16_t x0 = vld1q_s8(xq + 32 * J);
    const int8x16_t x1 = vld1q_s8(xq + 32 * J + 16);
    int16x8_t p = vmull_s8(vget_low_s8(w.q[2 * J]), vget_low_s8(x0));
    p = vmlal_high_s8(p, w.q[2 * J], x0);
    p = vmlal_s8(p, vget_low_s8(w.q[2 * J + 1]), vget_low_s8(x1));
    p = vmlal_high_s8(p, w.q[2 * J + 1], x1);
    s0 = vmlal_laneq_s16(s0, vget_low_s16(p), w.sc, J);
    s1 = vmlal_high_laneq_s16(s1, p, w.sc, J);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    [&]<int... J>(std::integer_sequence<int, J...>) {
      (sub<J>(s0, s1, w, x.qs), ...);
    }(std::make_integer_sequence<int, 8>{});
    acc = q4_K_accumulate(acc, vaddq_s32(s0, s1), w.mins, w.dm, x);
  }
};

}  // namespace

void gemm_q5_K_neon(const GemmArgs& a) { gemm_dispatch<Q5_KNeon, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
