// Q4_K and Q6_K weights x Q8_K activations with smmla (armv8.6-a i8mm),
// zero-copy (the file's blocks read in place).
//
// smmla multiplies a 2x8 by an 8x2 int8 matrix into a 2x2 int32 tile with
// lanes [r0 t0, r0 t1, r1 t0, r1 t1]; the 8-byte k-chunks of two rows (and of
// two tokens) are interleaved with zip on 64-bit lanes. The K-quant
// sub-block scales differ per row, so the smmla tiles of one sub-block are
// summed into int32 and then multiply-accumulated by the lane vector
// [sc_r0, sc_r0, sc_r1, sc_r1]. Prefill tiles are 4 rows x 4 tokens (four
// 2x2 tiles); the nibble / 6-bit unpacking runs on the already interleaved
// weight bytes (it is bytewise, so it commutes with the zip).
//   Q4_K: per 32-element sub-block 4 smmla per 2x2 tile, unsigned 0..15
//         quants; the mins pair with the activation block sums
//         (sum_j m_rj * (bsums[2j] + bsums[2j+1]), exact int32, reduced to
//         the tile's lanes with pairwise adds).
//   Q6_K: per 16-element sub-block 2 smmla per tile on 4*(q-32) (the low
//         and high bits placed at bits 2..7 with shift / shift-insert, the
//         -32 folded in by flipping the top bit of each qh pair).
// Integer super-block sums are exact as in the reference; only the float
// accumulation order differs. Decode (fewer than 4 tokens) and the row /
// token tails use the sdot kernels.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

// Interleaves two 16-byte vectors into the two smmla operands covering them.
inline void pair(int8x16_t a, int8x16_t b, int8x16_t* first, int8x16_t* second) {
  const int64x2_t a64 = vreinterpretq_s64_s8(a), b64 = vreinterpretq_s64_s8(b);
  *first = vreinterpretq_s8_s64(vzip1q_s64(a64, b64));   // a[0:8] b[0:8]
  *second = vreinterpretq_s8_s64(vzip2q_s64(a64, b64));  // a[8:16] b[8:16]
}
inline void pair_u8(const uint8_t* a, const uint8_t* b, uint8x16_t* first, uint8x16_t* second) {
  const uint64x2_t a64 = vreinterpretq_u64_u8(vld1q_u8(a));
  const uint64x2_t b64 = vreinterpretq_u64_u8(vld1q_u8(b));
  *first = vreinterpretq_u8_u64(vzip1q_u64(a64, b64));
  *second = vreinterpretq_u8_u64(vzip2q_u64(a64, b64));
}
inline void pair_x(const int8_t* a, const int8_t* b, int8x16_t* first, int8x16_t* second) {
  pair(vld1q_s8(a), vld1q_s8(b), first, second);
}

// Interleaved 16-bit scales [a0 b0 a1 b1 a2 b2 a3 b3] -> int32 lane vectors
// [a0 a0 b0 b0] and [a1 a1 b1 b1], [a2 ..], [a3 ..].
inline void lane_scales(int16x8_t ab, int32x4_t out[4]) {
  const int16x8_t d0 = vzip1q_s16(ab, ab), d1 = vzip2q_s16(ab, ab);
  out[0] = vmovl_s16(vget_low_s16(d0));
  out[1] = vmovl_high_s16(d0);
  out[2] = vmovl_s16(vget_low_s16(d1));
  out[3] = vmovl_high_s16(d1);
}

// Row-pair float factors [f_a, f_a, f_b, f_b] / token-pair [g_0, g_1, g_0, g_1].
inline float32x4_t rows2(float32x2_t a, float32x2_t b, int lane) {
  return lane == 0 ? vcombine_f32(vdup_lane_f32(a, 0), vdup_lane_f32(b, 0))
                   : vcombine_f32(vdup_lane_f32(a, 1), vdup_lane_f32(b, 1));
}
inline float32x4_t toks2(float a, float b) {
  const float32x2_t e = vset_lane_f32(b, vdup_n_f32(a), 1);
  return vcombine_f32(e, e);
}

// Exact int32 sum over 8 lanes of m * bs, as 4 partial lanes.
inline int32x4_t dot8_s16(int16x8_t m, int16x8_t bs) {
  return vmlal_high_s16(vmull_s16(vget_low_s16(m), vget_low_s16(bs)), m, bs);
}

inline void store_tile(float* y, int64_t y_stride, const float32x4_t acc[2][2]) {
  for (int rp = 0; rp < 2; ++rp) {
    for (int tp = 0; tp < 2; ++tp) {
      const int r = 2 * rp, t = 2 * tp;
      y[t * y_stride + r] = vgetq_lane_f32(acc[rp][tp], 0);
      y[(t + 1) * y_stride + r] = vgetq_lane_f32(acc[rp][tp], 1);
      y[t * y_stride + r + 1] = vgetq_lane_f32(acc[rp][tp], 2);
      y[(t + 1) * y_stride + r + 1] = vgetq_lane_f32(acc[rp][tp], 3);
    }
  }
}

void q4_K_tile(const uint8_t* w, size_t w_row_bytes, const uint8_t* x, size_t x_row_bytes,
               int64_t nb, float* y, int64_t y_stride) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  float32x4_t acc[2][2];
  for (auto& row : acc) {
    for (auto& c : row) c = vdupq_n_f32(0.0f);
  }
  for (int64_t ib = 0; ib < nb; ++ib) {
    const block_q4_K* b[4];
    const block_q8_K* xb[4];
    for (int i = 0; i < 4; ++i) {
      b[i] = reinterpret_cast<const block_q4_K*>(w + i * w_row_bytes) + ib;
      xb[i] = reinterpret_cast<const block_q8_K*>(x + i * x_row_bytes) + ib;
    }
    int32x4_t scv[2][8];
    int16x8_t mins[4];
    float32x4_t d_rows[2], m_rows[2], d_toks[2];
    for (int p = 0; p < 2; ++p) {
      uint8x8_t sa, ma, sb, mb;
      unpack_k4_scales(b[2 * p]->scales, &sa, &ma);
      unpack_k4_scales(b[2 * p + 1]->scales, &sb, &mb);
      lane_scales(vreinterpretq_s16_u16(vmovl_u8(vzip1_u8(sa, sb))), scv[p]);
      lane_scales(vreinterpretq_s16_u16(vmovl_u8(vzip2_u8(sa, sb))), scv[p] + 4);
      mins[2 * p] = vreinterpretq_s16_u16(vmovl_u8(ma));
      mins[2 * p + 1] = vreinterpretq_s16_u16(vmovl_u8(mb));
      const float32x2_t dma = fp16x2(b[2 * p]), dmb = fp16x2(b[2 * p + 1]);  // (d, dmin)
      d_rows[p] = rows2(dma, dmb, 0);
      m_rows[p] = rows2(dma, dmb, 1);
      d_toks[p] = toks2(xb[2 * p]->d, xb[2 * p + 1]->d);
    }
    int32x4_t isum[2][2];
    for (auto& row : isum) {
      for (auto& c : row) c = vdupq_n_s32(0);
    }
    for (int c = 0; c < 4; ++c) {  // sub-blocks 2c (low nibbles) and 2c+1 (high)
      int32x4_t s_lo[2][2], s_hi[2][2];
      for (int p = 0; p < 2; ++p) {
        for (int q = 0; q < 2; ++q) s_lo[p][q] = s_hi[p][q] = vdupq_n_s32(0);
      }
      for (int h = 0; h < 2; ++h) {  // 16-byte halves of the 32 quant bytes
        int8x16_t xl[2][2], xh[2][2];
        for (int q = 0; q < 2; ++q) {
          const int8_t* x0 = xb[2 * q]->qs + 64 * c + 16 * h;
          const int8_t* x1 = xb[2 * q + 1]->qs + 64 * c + 16 * h;
          pair_x(x0, x1, &xl[q][0], &xl[q][1]);
          pair_x(x0 + 32, x1 + 32, &xh[q][0], &xh[q][1]);
        }
        for (int p = 0; p < 2; ++p) {
          uint8x16_t z0, z1;
          pair_u8(b[2 * p]->qs + 32 * c + 16 * h, b[2 * p + 1]->qs + 32 * c + 16 * h, &z0, &z1);
          const int8x16_t lo0 = vreinterpretq_s8_u8(vandq_u8(z0, low4));
          const int8x16_t lo1 = vreinterpretq_s8_u8(vandq_u8(z1, low4));
          const int8x16_t hi0 = vreinterpretq_s8_u8(vshrq_n_u8(z0, 4));
          const int8x16_t hi1 = vreinterpretq_s8_u8(vshrq_n_u8(z1, 4));
          for (int q = 0; q < 2; ++q) {
            s_lo[p][q] = vmmlaq_s32(vmmlaq_s32(s_lo[p][q], lo0, xl[q][0]), lo1, xl[q][1]);
            s_hi[p][q] = vmmlaq_s32(vmmlaq_s32(s_hi[p][q], hi0, xh[q][0]), hi1, xh[q][1]);
          }
        }
      }
      for (int p = 0; p < 2; ++p) {
        for (int q = 0; q < 2; ++q) {
          isum[p][q] = vmlaq_s32(isum[p][q], s_lo[p][q], scv[p][2 * c]);
          isum[p][q] = vmlaq_s32(isum[p][q], s_hi[p][q], scv[p][2 * c + 1]);
        }
      }
    }
    int16x8_t bs[4];
    for (int t = 0; t < 4; ++t) {
      bs[t] = vpaddq_s16(vld1q_s16(xb[t]->bsums), vld1q_s16(xb[t]->bsums + 8));
    }
    for (int p = 0; p < 2; ++p) {
      for (int q = 0; q < 2; ++q) {
        const int16x8_t ma = mins[2 * p], mb = mins[2 * p + 1];
        const int16x8_t b0 = bs[2 * q], b1 = bs[2 * q + 1];
        const int32x4_t ms = vpaddq_s32(vpaddq_s32(dot8_s16(ma, b0), dot8_s16(ma, b1)),
                                        vpaddq_s32(dot8_s16(mb, b0), dot8_s16(mb, b1)));
        acc[p][q] = vfmaq_f32(acc[p][q], vcvtq_f32_s32(isum[p][q]), vmulq_f32(d_rows[p], d_toks[q]));
        acc[p][q] = vfmsq_f32(acc[p][q], vcvtq_f32_s32(ms), vmulq_f32(m_rows[p], d_toks[q]));
      }
    }
  }
  store_tile(y, y_stride, acc);
}

void q6_K_tile(const uint8_t* w, size_t w_row_bytes, const uint8_t* x, size_t x_row_bytes,
               int64_t nb, float* y, int64_t y_stride) {
  const uint8x16_t flip = vdupq_n_u8(0xAA), mid4 = vdupq_n_u8(0x3C);
  float32x4_t acc[2][2];
  for (auto& row : acc) {
    for (auto& c : row) c = vdupq_n_f32(0.0f);
  }
  for (int64_t ib = 0; ib < nb; ++ib) {
    const block_q6_K* b[4];
    const block_q8_K* xb[4];
    for (int i = 0; i < 4; ++i) {
      b[i] = reinterpret_cast<const block_q6_K*>(w + i * w_row_bytes) + ib;
      xb[i] = reinterpret_cast<const block_q8_K*>(x + i * x_row_bytes) + ib;
    }
    int32x4_t scv[2][16];
    float32x4_t d_rows[2], d_toks[2];
    for (int p = 0; p < 2; ++p) {
      const int8x16_t sa = vld1q_s8(b[2 * p]->scales), sb = vld1q_s8(b[2 * p + 1]->scales);
      const int8x16_t z0 = vzip1q_s8(sa, sb), z1 = vzip2q_s8(sa, sb);
      lane_scales(vmovl_s8(vget_low_s8(z0)), scv[p]);
      lane_scales(vmovl_high_s8(z0), scv[p] + 4);
      lane_scales(vmovl_s8(vget_low_s8(z1)), scv[p] + 8);
      lane_scales(vmovl_high_s8(z1), scv[p] + 12);
      const float32x2_t da = vdup_n_f32(fp16_hw(b[2 * p]->d));
      const float32x2_t db = vdup_n_f32(fp16_hw(b[2 * p + 1]->d));
      d_rows[p] = vcombine_f32(da, db);
      d_toks[p] = toks2(xb[2 * p]->d, xb[2 * p + 1]->d);
    }
    int32x4_t isum[2][2];
    for (auto& row : isum) {
      for (auto& c : row) c = vdupq_n_s32(0);
    }
    for (int h = 0; h < 2; ++h) {
      for (int s = 0; s < 2; ++s) {
        // Bytes 16s..16s+15 of this half's ql (l0), ql+32 (l1) and qh of both
        // rows of each pair, interleaved; outputs o = 0..3 are the elements
        // 128h + 16s + 32o + (0..15), sub-block 8h + s + 2o.
        uint8x16_t l0[2][2], l1[2][2], hb[2][2];
        for (int p = 0; p < 2; ++p) {
          const block_q6_K& ba = *b[2 * p];
          const block_q6_K& bb = *b[2 * p + 1];
          pair_u8(ba.ql + 64 * h + 16 * s, bb.ql + 64 * h + 16 * s, &l0[p][0], &l0[p][1]);
          pair_u8(ba.ql + 64 * h + 32 + 16 * s, bb.ql + 64 * h + 32 + 16 * s, &l1[p][0],
                  &l1[p][1]);
          pair_u8(ba.qh + 32 * h + 16 * s, bb.qh + 32 * h + 16 * s, &hb[p][0], &hb[p][1]);
          // Flipping the top bit of each 2-bit group makes low4 | high2 << 4
          // the 6-bit two's complement of q-32.
          hb[p][0] = veorq_u8(hb[p][0], flip);
          hb[p][1] = veorq_u8(hb[p][1], flip);
        }
        for (int o = 0; o < 4; ++o) {
          const int j = 8 * h + s + 2 * o;
          int8x16_t xt[2][2];
          for (int q = 0; q < 2; ++q) {
            pair_x(xb[2 * q]->qs + 16 * j, xb[2 * q + 1]->qs + 16 * j, &xt[q][0], &xt[q][1]);
          }
          for (int p = 0; p < 2; ++p) {
            int8x16_t wq[2];
            for (int e = 0; e < 2; ++e) {
              // 4*(q-32) as int8: the 4 low bits at bits 2..5, the 2 high
              // bits inserted at bits 6..7 (sli keeps the low 6 bits).
              const uint8x16_t hx = hb[p][e];
              uint8x16_t u;
              switch (o) {
                case 0: u = vsliq_n_u8(vshlq_n_u8(l0[p][e], 2), hx, 6); break;
                case 1: u = vsliq_n_u8(vshlq_n_u8(l1[p][e], 2), vshrq_n_u8(hx, 2), 6); break;
                case 2: u = vsliq_n_u8(vandq_u8(vshrq_n_u8(l0[p][e], 2), mid4), vshrq_n_u8(hx, 4), 6); break;
                default: u = vsliq_n_u8(vandq_u8(vshrq_n_u8(l1[p][e], 2), mid4), vshrq_n_u8(hx, 6), 6); break;
              }
              wq[e] = vreinterpretq_s8_u8(u);
            }
            for (int q = 0; q < 2; ++q) {
              const int32x4_t sj =
                  vmmlaq_s32(vmmlaq_s32(vdupq_n_s32(0), wq[0], xt[q][0]), wq[1], xt[q][1]);
              isum[p][q] = vmlaq_s32(isum[p][q], sj, scv[p][j]);
            }
          }
        }
      }
    }
    for (int p = 0; p < 2; ++p) {
      for (int q = 0; q < 2; ++q) {
        // isum is 4x the integer sum (|isum| <= 16*16*128*128*128 < 2^31);
        // the fixed-point convert divides by 4 exactly.
        acc[p][q] = vfmaq_f32(acc[p][q], vcvtq_n_f32_s32(isum[p][q], 2),
                              vmulq_f32(d_rows[p], d_toks[q]));
      }
    }
  }
  store_tile(y, y_stride, acc);
}

using TileFn = void (*)(const uint8_t*, size_t, const uint8_t*, size_t, int64_t, float*, int64_t);

// 4x4 smmla tiles over [row_begin, row_end) x the first n_tokens - n_tokens%4
// tokens; the rest (and all of decode) on the sdot kernel.
template <TileFn Tile, GemmFn Sdot>
void gemm_i8mm(const GemmArgs& a) {
  if (a.n_tokens < 4) {
    Sdot(a);
    return;
  }
  const int64_t nb = a.k / kQK_K;
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  const int64_t t4 = a.n_tokens - a.n_tokens % 4;
  int64_t r = a.row_begin;
  for (; r + 4 <= a.row_end; r += 4) {
    for (int64_t t = 0; t < t4; t += 4) {
      Tile(w + r * a.w_row_bytes, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
           a.y + t * a.y_stride + r, a.y_stride);
    }
  }
  if (r < a.row_end) {  // row tail, all tokens
    GemmArgs rest = a;
    rest.row_begin = r;
    Sdot(rest);
  }
  if (t4 < a.n_tokens && r > a.row_begin) {  // token tail of the 4-row part
    GemmArgs rest = a;
    rest.row_end = r;
    rest.x = x + t4 * a.x_row_bytes;
    rest.y = a.y + t4 * a.y_stride;
    rest.n_tokens = a.n_tokens - t4;
    Sdot(rest);
  }
}

}  // namespace

void gemm_q4_K_i8mm(const GemmArgs& a) { gemm_i8mm<q4_K_tile, gemm_q4_K_dotprod>(a); }
void gemm_q6_K_i8mm(const GemmArgs& a) { gemm_i8mm<q6_K_tile, gemm_q6_K_dotprod>(a); }

}  // namespace edgellm::kernels::arm
