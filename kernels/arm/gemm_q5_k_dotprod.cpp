// Q5_K weights x Q8_K activations with sdot (armv8.2-a dotprod). As
// gemm_q4_k_dotprod.cpp with 5-bit quants (nibble + 16*high bit, 0..31):
// two sdot per 32-element sub-block into 4 int32 lanes, scaled by sc_j (mla
// by element); the mins pair with the activation block sums. Integer parts
// exact, as in the reference.
#include <utility>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_blocks.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

struct Q5_KDot {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q5_K;
  using XBlock = block_q8_K;
  struct Dec {
    int8x16_t q[16];   // q[2j], q[2j+1]: sub-block j, unsigned 0..31
    int32x4_t sc[2];   // sub-block scales 0-3, 4-7
    int16x8_t mins;    // sub-block mins
    float32x2_t dm;    // d, dmin
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    unpack_q5_K(b, out->q);
    uint8x8_t sc, mn;
    unpack_k4_scales(b.scales, &sc, &mn);
    const int16x8_t sc16 = vreinterpretq_s16_u16(vmovl_u8(sc));
    out->sc[0] = vmovl_s16(vget_low_s16(sc16));
    out->sc[1] = vmovl_high_s16(sc16);
    out->mins = vreinterpretq_s16_u16(vmovl_u8(mn));
    out->dm = fp16x2(&b);  // d, dmin: the first 4 bytes
  }
  template <int J>
  static inline void sub(int32x4_t& s0, int32x4_t& s1, const Dec& w, const int8_t* xq) {
    int32x4_t p = vdotq_s32(vdupq_n_s32(0), w.q[2 * J], vld1q_s8(xq + 32 * J));
    p = vdotq_s32(p, w.q[2 * J + 1], vld1q_s8(xq + 32 * J + 16));
    if constexpr (J % 2 == 0) {
      s0 = vmlaq_laneq_s32(s0, p, w.sc[J / 4], J % 4);
    } else {
      s1 = vmlaq_laneq_s32(s1, p, w.sc[J / 4], J % 4);
    }
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

void gemm_q5_K_dotprod(const GemmArgs& a) { gemm_dispatch<Q5_KDot, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::arm
