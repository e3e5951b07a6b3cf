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

inline float fp16(uint16_t h) { return fp16_to_fp32(h); }

// Two 16-byte halves of a Q4_0 block as signed values q-8 (low nibbles are
// elements 0..15, high nibbles 16..31).
inline void unpack_q4_0(const block_q4_0& b, int8x16_t* lo, int8x16_t* hi) {
  const uint8x16_t v = vld1q_u8(b.qs);
  const int8x16_t eight = vdupq_n_s8(8);
  *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(v, vdupq_n_u8(0x0F))), eight);
  *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), eight);
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
