// Shared NEON building blocks: the register-tiled GEMM driver every block
// format plugs into (the aarch64 twin of kernels/x86/avx2_util.h), and the
// 32-element signed 8-bit dot products with and without sdot.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/dispatch.h"
#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::arm {

// A half as float with the scalar FCVT of armv8.0 (2 instructions instead of
// the portable bit manipulation): exact for every finite half and infinity.
inline float fp16(uint16_t h) {
  __fp16 f;
  std::memcpy(&f, &h, sizeof f);
  return f;
}

// Two 16-byte halves of a Q4_0 block as signed values q-8 (low nibbles are
// elements 0..15, high nibbles 16..31).
inline void unpack_q4_0(const block_q4_0& b, int8x16_t* lo, int8x16_t* hi) {
  const uint8x16_t v = vld1q_u8(b.qs);
  const int8x16_t eight = vdupq_n_s8(8);
  *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0F))), eight);
  *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), eight);
}

// A Q4_K super-block's 4-bit quants as 16 vectors: q[2j], q[2j+1] are the
// 32 elements of sub-block j (low nibbles of bytes 32c..32c+31 are sub-block
// 2c, high nibbles sub-block 2c+1), unsigned 0..15 in int8 lanes.
inline void unpack_q4_K(const block_q4_K& b, int8x16_t q[16]) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  for (int c = 0; c < 4; ++c) {
    const uint8x16_t v0 = vld1q_u8(b.qs + 32 * c);
    const uint8x16_t v1 = vld1q_u8(b.qs + 32 * c + 16);
    q[4 * c + 0] = vreinterpretq_s8_u8(vandq_u8(v0, low4));
    q[4 * c + 1] = vreinterpretq_s8_u8(vandq_u8(v1, low4));
    q[4 * c + 2] = vreinterpretq_s8_u8(vshrq_n_u8(v0, 4));
    q[4 * c + 3] = vreinterpretq_s8_u8(vshrq_n_u8(v1, 4));
  }
}

// The 8 6-bit scales and 8 6-bit mins of a Q4_K / Q5_K super-block
// (k4_scale_min() for all j at once, on three 32-bit words), one per byte.
inline void unpack_k4_scales(const uint8_t packed[12], uint8x8_t* sc, uint8x8_t* mn) {
  uint32_t u[3];
  std::memcpy(u, packed, 12);
  constexpr uint32_t k6 = 0x3F3F3F3Fu, k4 = 0x0F0F0F0Fu, k2 = 0x03030303u;
  const uint64_t s0 = u[0] & k6, s1 = (u[2] & k4) | (((u[0] >> 6) & k2) << 4);
  const uint64_t m0 = u[1] & k6, m1 = ((u[2] >> 4) & k4) | (((u[1] >> 6) & k2) << 4);
  *sc = vcreate_u8(s0 | (s1 << 32));
  *mn = vcreate_u8(m0 | (m1 << 32));
}

// fp16 values as floats with the hardware conversion (FCVTL, armv8.0):
// exact for every finite half, as fp16_to_fp32. Lanes 0, 1 = the two
// consecutive halves at p (e.g. a Q4_K block's d, dmin).
inline float32x2_t fp16x2(const void* p) {
  uint32_t u;
  std::memcpy(&u, p, 4);
  return vget_low_f32(vcvt_f32_f16(vreinterpret_f16_u32(vdup_n_u32(u))));
}
inline float fp16_hw(uint16_t h) {
  return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}

// A Q6_K super-block's quants as 16 vectors of signed values q-32 in
// [-32, 31]: q[j] holds elements 16j..16j+15 (the span of scale j).
inline void unpack_q6_K(const block_q6_K& b, int8x16_t q[16]) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  const uint8x16_t hi2 = vdupq_n_u8(0x30);
  const int8x16_t bias = vdupq_n_s8(32);
  for (int h = 0; h < 2; ++h) {
    for (int s = 0; s < 2; ++s) {  // 16-byte halves of the 32-element groups
      const uint8x16_t l0 = vld1q_u8(b.ql + 64 * h + 16 * s);
      const uint8x16_t l1 = vld1q_u8(b.ql + 64 * h + 32 + 16 * s);
      const uint8x16_t hb = vld1q_u8(b.qh + 32 * h + 16 * s);
      // Bits 2g..2g+1 of qh are the high bits of group g (of 32) of the half.
      const uint8x16_t u0 = vorrq_u8(vandq_u8(l0, low4), vandq_u8(vshlq_n_u8(hb, 4), hi2));
      const uint8x16_t u1 = vorrq_u8(vandq_u8(l1, low4), vandq_u8(vshlq_n_u8(hb, 2), hi2));
      const uint8x16_t u2 = vorrq_u8(vshrq_n_u8(l0, 4), vandq_u8(hb, hi2));
      const uint8x16_t u3 = vorrq_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(hb, 2), hi2));
      int8x16_t* o = q + 8 * h + s;
      o[0] = vsubq_s8(vreinterpretq_s8_u8(u0), bias);
      o[2] = vsubq_s8(vreinterpretq_s8_u8(u1), bias);
      o[4] = vsubq_s8(vreinterpretq_s8_u8(u2), bias);
      o[6] = vsubq_s8(vreinterpretq_s8_u8(u3), bias);
    }
  }
}

// Q4_K: sum over the 8 sub-blocks of mn_j * (bsums[2j] + bsums[2j+1]) as 4
// int32 lanes (exact: pair sums of bsums fit int16).
inline int32x4_t q4_K_min_sums(const int16x8_t mins, const block_q8_K& x) {
  const int16x8_t bs = vpaddq_s16(vld1q_s16(x.bsums), vld1q_s16(x.bsums + 8));
  return vmlal_high_s16(vmull_s16(vget_low_s16(bs), vget_low_s16(mins)), bs, mins);
}

// Q4_K super-block into acc: d*dx*sum_j(sc_j*dot_j) - dmin*dx*sum_j(m_j*bsum_j),
// with the scaled dot products already summed as 4 int32 lanes (scaled) and
// dm = (d, dmin).
inline float32x4_t q4_K_accumulate(float32x4_t acc, int32x4_t scaled, const int16x8_t mins,
                                   float32x2_t dm, const block_q8_K& x) {
  const float32x2_t dx = vmul_n_f32(dm, x.d);  // d*dx, dmin*dx
  acc = vfmaq_lane_f32(acc, vcvtq_f32_s32(scaled), dx, 0);
  return vfmsq_lane_f32(acc, vcvtq_f32_s32(q4_K_min_sums(mins, x)), dx, 1);
}

// Exact int32 partial sums of a[i]*b[i] over 16 bytes. Without sdot: widen
// products to int16; two products per int16 lane stay within range because
// activations are in [-127, 127] (|sum| <= 2*128*127 < 32768).
inline int32x4_t dot16_neon(int32x4_t acc, int8x16_t a, int8x16_t b) {
  int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
  p = vmlal_s8(p, vget_high_s8(a), vget_high_s8(b));
  return vpadalq_s16(acc, p);
}

// The GEMM driver: F supplies WBlock/XBlock/Dec/decode/accum (accum adds a
// float32x4 partial of one block's dot to acc). R rows x T tokens per tile.
template <class F, int R, int T>
inline void gemm_tile(const uint8_t* w, size_t w_row_bytes, const uint8_t* x, size_t x_row_bytes,
                      int64_t nb, float* y, int64_t y_stride) {
  float32x4_t acc[R][T];
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) acc[r][t] = vdupq_n_f32(0.0f);
  }
  for (int64_t ib = 0; ib < nb; ++ib) {
    for (int r = 0; r < R; ++r) {
      typename F::Dec d;
      F::decode(reinterpret_cast<const typename F::WBlock*>(w + r * w_row_bytes)[ib], &d);
      for (int t = 0; t < T; ++t) {
        F::accum(acc[r][t], d,
                 reinterpret_cast<const typename F::XBlock*>(x + t * x_row_bytes)[ib]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) y[t * y_stride + r] = vaddvq_f32(acc[r][t]);
  }
}

template <class F, int R, int T>
void gemm_blocks(const GemmArgs& a, int64_t t_begin, int64_t t_end, int64_t r_begin,
                 int64_t r_end) {
  const int64_t nb = a.k / F::kBlockElems;
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  int64_t r = r_begin;
  auto run_rows = [&](auto rows_tag, int64_t rr) {
    constexpr int RR = decltype(rows_tag)::value;
    const uint8_t* wr = w + rr * a.w_row_bytes;
    int64_t t = t_begin;
    for (; t + T <= t_end; t += T) {
      gemm_tile<F, RR, T>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                          a.y + t * a.y_stride + rr, a.y_stride);
    }
    for (; t < t_end; ++t) {
      gemm_tile<F, RR, 1>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                          a.y + t * a.y_stride + rr, a.y_stride);
    }
  };
  for (; r + R <= r_end; r += R) run_rows(std::integral_constant<int, R>{}, r);
  for (; r < r_end; ++r) run_rows(std::integral_constant<int, 1>{}, r);
}

template <class F, int RGemv, int RGemm, int TGemm>
void gemm_dispatch(const GemmArgs& a) {
  if (a.n_tokens == 1) {
    gemm_blocks<F, RGemv, 1>(a, 0, 1, a.row_begin, a.row_end);
  } else {
    gemm_blocks<F, RGemm, TGemm>(a, 0, a.n_tokens, a.row_begin, a.row_end);
  }
}

// Q4_0 / Q8_0 weight formats over Q8_0 activations, parameterized by the
// 16-byte dot product (NEON widening or sdot).
template <int32x4_t (*Dot16)(int32x4_t, int8x16_t, int8x16_t)>
struct Q4_0Fmt {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q4_0;
  using XBlock = block_q8_0;
  struct Dec {
    int8x16_t lo, hi;
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    unpack_q4_0(b, &out->lo, &out->hi);
    out->d = fp16(b.d);
  }
  static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s = Dot16(vdupq_n_s32(0), w.lo, vld1q_s8(x.qs));
    s = Dot16(s, w.hi, vld1q_s8(x.qs + 16));
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), w.d * fp16(x.d));
  }
};

template <int32x4_t (*Dot16)(int32x4_t, int8x16_t, int8x16_t)>
struct Q8_0Fmt {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q8_0;
  using XBlock = block_q8_0;
  struct Dec {
    int8x16_t lo, hi;
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    out->lo = vld1q_s8(b.qs);
    out->hi = vld1q_s8(b.qs + 16);
    out->d = fp16(b.d);
  }
  static inline void accum(float32x4_t& acc, const Dec& w, const XBlock& x) {
    int32x4_t s = Dot16(vdupq_n_s32(0), w.lo, vld1q_s8(x.qs));
    s = Dot16(s, w.hi, vld1q_s8(x.qs + 16));
    acc = vfmaq_n_f32(acc, vcvtq_f32_s32(s), w.d * fp16(x.d));
  }
};

}  // namespace edgellm::kernels::arm
