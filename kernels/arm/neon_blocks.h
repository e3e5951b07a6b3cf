// Unpacking helpers and 32-element block formats of the zero-copy aarch64
// kernels for Q4_1, Q5_0, Q5_1, Q2_K, Q3_K and Q5_K (armv8.0 NEON only; the
// sdot variants live in the *_dotprod.cpp files). Integer block sums are
// exact, as in the reference.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/arm/neon_util.h"
#include "kernels/ref/blocks.h"

namespace edgellm::kernels::arm {

// f(std::integral_constant<int, I>{}) for I = 0..N-1 (lane indices and
// shift counts of the intrinsics must be constants). Forced inline, as the
// lambdas passed to it (GCC otherwise keeps some out of line).
template <int N, class Fn>
[[gnu::always_inline]] inline void unroll(Fn&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) __attribute__((always_inline)) {
    (f(std::integral_constant<int, I>{}), ...);
  }(std::make_integer_sequence<int, N>{});
}

// Bit `From` of every byte moved to bit `To` (other bits garbage).
template <int From, int To>
inline uint8x16_t move_bit(uint8x16_t v) {
  if constexpr (From < To) {
    return vshlq_n_u8(v, To - From);
  } else if constexpr (From > To) {
    return vshrq_n_u8(v, From - To);
  } else {
    return v;
  }
}

// A 32-element block's nibbles: elements 0..15 (low), 16..31 (high).
inline void unpack_nibbles(const uint8_t* qs, uint8x16_t* lo, uint8x16_t* hi) {
  const uint8x16_t v = vld1q_u8(qs);
  *lo = vandq_u8(v, vdupq_n_u8(0x0F));
  *hi = vshrq_n_u8(v, 4);
}

// 0xFF in byte i where bit i of the little-endian word at p is set:
// elements 0..15 (lo) and 16..31 (hi) of a Q5_0 / Q5_1 block.
inline void unpack_bits32(const uint8_t* p, uint8x16_t* lo, uint8x16_t* hi) {
  uint32_t h;
  std::memcpy(&h, p, 4);
  const uint8x16_t w = vreinterpretq_u8_u32(vdupq_n_u32(h));
  const uint8x16_t i01 = vcombine_u8(vdup_n_u8(0), vdup_n_u8(1));
  const uint8x16_t i23 = vcombine_u8(vdup_n_u8(2), vdup_n_u8(3));
  const uint8x8_t b8 = vcreate_u8(0x8040201008040201ull);
  const uint8x16_t bits = vcombine_u8(b8, b8);
  *lo = vtstq_u8(vqtbl1q_u8(w, i01), bits);
  *hi = vtstq_u8(vqtbl1q_u8(w, i23), bits);
}

// Q4_1 (unsigned 0..15) / Q5_1 (unsigned 0..31) weights x Q8_1 activations:
// d*dx*dot(q, x) + m*s per block (s = dx*sum(x) from the converter).
template <int32x4_t (*Dot16)(int32x4_t, int8x16_t, int8x16_t), bool Five>
struct QxFmt1 {
  static constexpr int kBlockElems = kQK;
  using WBlock = std::conditional_t<Five, block_q5_1, block_q4_1>;
  using XBlock = block_q8_1;
  struct Dec {
    int8x16_t lo, hi;
    float d, m;
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    uint8x16_t lo, hi;
    unpack_nibbles(b.qs, &lo, &hi);
    if constexpr (Five) {
      uint8x16_t hl, hh;
      unpack_bits32(b.qh, &hl, &hh);
      const uint8x16_t b4 = vdupq_n_u8(0x10);
      lo = vorrq_u8(lo, vandq_u8(hl, b4));
      hi = vorrq_u8(hi, vandq_u8(hh, b4));
    }
    out->lo = vreinterpretq_s8_u8(lo);
    out->hi = vreinterpretq_s8_u8(hi);
    out->d = fp16(b.d);
    out->m = fp16(b.m);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s = Dot16(vdupq_n_s32(0), w.lo, vld1q_s8(x.qs));
    s = Dot16(s, w.hi, vld1q_s8(x.qs + 16));
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), w.d * fp16(x.d));
    acc = vaddq_f32(acc, vsetq_lane_f32(w.m * fp16(x.s), vdupq_n_f32(0.0f), 0));
  }
};

// Q5_0 weights x Q8_0 activations: q = (nibble | 16*bit) - 16 in [-16, 15],
// formed as nibble | (bit clear ? 0xF0 : 0).
template <int32x4_t (*Dot16)(int32x4_t, int8x16_t, int8x16_t)>
struct Q5_0Fmt {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q5_0;
  using XBlock = block_q8_0;
  struct Dec {
    int8x16_t lo, hi;
    float d;
  };
  [[gnu::always_inline]] static inline void decode(const WBlock& b, Dec* out) {
    uint8x16_t lo, hi, hl, hh;
    unpack_nibbles(b.qs, &lo, &hi);
    unpack_bits32(b.qh, &hl, &hh);
    const uint8x16_t f0 = vdupq_n_u8(0xF0);
    out->lo = vreinterpretq_s8_u8(vorrq_u8(lo, vbicq_u8(f0, hl)));
    out->hi = vreinterpretq_s8_u8(vorrq_u8(hi, vbicq_u8(f0, hh)));
    out->d = fp16(b.d);
  }
  [[gnu::always_inline]] static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s = Dot16(vdupq_n_s32(0), w.lo, vld1q_s8(x.qs));
    s = Dot16(s, w.hi, vld1q_s8(x.qs + 16));
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), w.d * fp16(x.d));
  }
};

// A Q5_K super-block's quants as 16 vectors in the order of unpack_q4_K
// (q[2j], q[2j+1] = sub-block j), unsigned 0..31: nibble + 16*(bit j of qh).
[[gnu::always_inline]] inline void unpack_q5_K(const block_q5_K& b, int8x16_t q[16]) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F), b4 = vdupq_n_u8(0x10);
  const uint8x16_t h0 = vld1q_u8(b.qh), h1 = vld1q_u8(b.qh + 16);
  unroll<4>([&](auto c_) __attribute__((always_inline)) {
    constexpr int C = decltype(c_)::value;
    const uint8x16_t v0 = vld1q_u8(b.qs + 32 * C);
    const uint8x16_t v1 = vld1q_u8(b.qs + 32 * C + 16);
    q[4 * C + 0] = vreinterpretq_s8_u8(vbslq_u8(b4, move_bit<2 * C, 4>(h0), vandq_u8(v0, low4)));
    q[4 * C + 1] = vreinterpretq_s8_u8(vbslq_u8(b4, move_bit<2 * C, 4>(h1), vandq_u8(v1, low4)));
    q[4 * C + 2] = vreinterpretq_s8_u8(vbslq_u8(b4, move_bit<2 * C + 1, 4>(h0), vshrq_n_u8(v0, 4)));
    q[4 * C + 3] = vreinterpretq_s8_u8(vbslq_u8(b4, move_bit<2 * C + 1, 4>(h1), vshrq_n_u8(v1, 4)));
  });
}

// The 2-bit fields of a Q2_K / Q3_K super-block as 16 vectors: q[i] holds
// elements 16i..16i+15 (the span of scale i), 0..3. With Hmask (Q3_K) the
// high bit is added and the value biased: (low + 4*bit) - 4 in [-4, 3].
template <bool Hmask>
[[gnu::always_inline]] inline void unpack_2bit(const uint8_t* qs, const uint8_t* hmask,
                                                int8x16_t q[16]) {
  const uint8x16_t three = vdupq_n_u8(3);
  uint8x16_t hm0 = vdupq_n_u8(0), hm1 = vdupq_n_u8(0);
  if constexpr (Hmask) {
    hm0 = vld1q_u8(hmask);
    hm1 = vld1q_u8(hmask + 16);
  }
  unroll<2>([&](auto h_) __attribute__((always_inline)) {
    constexpr int H = decltype(h_)::value;
    const uint8x16_t a0 = vld1q_u8(qs + 32 * H), a1 = vld1q_u8(qs + 32 * H + 16);
    unroll<4>([&](auto s_) __attribute__((always_inline)) {
      constexpr int S = decltype(s_)::value;
      constexpr int V = 4 * H + S;
      uint8x16_t u0 = vandq_u8(move_bit<2 * S, 0>(a0), three);
      uint8x16_t u1 = vandq_u8(move_bit<2 * S, 0>(a1), three);
      if constexpr (Hmask) {
        const uint8x16_t b2 = vdupq_n_u8(4);
        const int8x16_t four = vdupq_n_s8(4);
        u0 = vbslq_u8(b2, move_bit<V, 2>(hm0), u0);
        u1 = vbslq_u8(b2, move_bit<V, 2>(hm1), u1);
        q[2 * V] = vsubq_s8(vreinterpretq_s8_u8(u0), four);
        q[2 * V + 1] = vsubq_s8(vreinterpretq_s8_u8(u1), four);
      } else {
        q[2 * V] = vreinterpretq_s8_u8(u0);
        q[2 * V + 1] = vreinterpretq_s8_u8(u1);
      }
    });
  });
}

// The 16 signed scales of a Q3_K super-block (q3k_scales(), vectorized):
// low 4 bits from bytes 0..7 (low nibbles for 0..7, high for 8..15), high
// 2 bits from byte 8 + j%4, bit pair j/4; biased by -32.
inline int8x16_t q3_K_scales(const uint8_t packed[12]) {
  const uint8x8_t p = vld1_u8(packed);
  const uint8x16_t lo = vcombine_u8(vand_u8(p, vdup_n_u8(0x0F)), vshr_n_u8(p, 4));
  uint32_t w;
  std::memcpy(&w, packed + 8, 4);
  const int8x16_t shifts = {0, 0, 0, 0, -2, -2, -2, -2, -4, -4, -4, -4, -6, -6, -6, -6};
  const uint8x16_t hi =
      vandq_u8(vshlq_u8(vreinterpretq_u8_u32(vdupq_n_u32(w)), shifts), vdupq_n_u8(3));
  const uint8x16_t u = vorrq_u8(lo, vshlq_n_u8(hi, 4));
  return vsubq_s8(vreinterpretq_s8_u8(u), vdupq_n_s8(32));
}

// Q2_K: sum over the 16 groups of min_j * bsum_j as 4 int32 lanes (exact).
inline int32x4_t q2_K_min_sums(const uint8x16_t mins, const block_q8_K& x) {
  const int16x8_t m0 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(mins)));
  const int16x8_t m1 = vreinterpretq_s16_u16(vmovl_high_u8(mins));
  const int16x8_t b0 = vld1q_s16(x.bsums), b1 = vld1q_s16(x.bsums + 8);
  int32x4_t s = vmull_s16(vget_low_s16(b0), vget_low_s16(m0));
  s = vmlal_high_s16(s, b0, m0);
  s = vmlal_s16(s, vget_low_s16(b1), vget_low_s16(m1));
  return vmlal_high_s16(s, b1, m1);
}

// Q2_K quants with each group's 4-bit scale folded in (q*sc <= 45, exact in
// int8): the dot products then need no per-group scaling.
[[gnu::always_inline]] inline void unpack_q2_K_scaled(const block_q2_K& b, int8x16_t q[16],
                                                       uint8x16_t* mins) {
  unpack_2bit<false>(b.qs, nullptr, q);
  const uint8x16_t s = vld1q_u8(b.scales);
  const uint8x16_t sc = vandq_u8(s, vdupq_n_u8(0x0F));
  *mins = vshrq_n_u8(s, 4);
  unroll<16>([&](auto i_) __attribute__((always_inline)) {
    constexpr int I = decltype(i_)::value;
    q[I] = vreinterpretq_s8_u8(vmulq_u8(vreinterpretq_u8_s8(q[I]), vdupq_laneq_u8(sc, I)));
  });
}

}  // namespace edgellm::kernels::arm
