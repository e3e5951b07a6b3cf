// Q4_0 and Q8_0 weights x Q8_0 activations with smmla (armv8.6-a i8mm).
// smmla multiplies a 2x8 by an 8x2 int8 matrix into a 2x2 int32 tile, so a
// block is processed for 2 rows x 2 tokens at once: the 8-byte k-chunks of
// the two rows (and of the two tokens) are interleaved with zip on 64-bit
// lanes. Prefill tiles are 4 rows x 4 tokens (four 2x2 tiles, 16 smmla per
// block); decode (one token) and odd tails use the sdot kernels.
#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"

namespace edgellm::kernels::arm {
namespace {

inline int32x4_t dot16_sdot(int32x4_t acc, int8x16_t a, int8x16_t b) {
  return vdotq_s32(acc, a, b);
}

// Interleaves two 16-byte vectors into the two smmla operands covering them.
inline void pair(int8x16_t a, int8x16_t b, int8x16_t* first, int8x16_t* second) {
  const int64x2_t a64 = vreinterpretq_s64_s8(a), b64 = vreinterpretq_s64_s8(b);
  *first = vreinterpretq_s8_s64(vzip1q_s64(a64, b64));   // a[0:8] b[0:8]
  *second = vreinterpretq_s8_s64(vzip2q_s64(a64, b64));  // a[8:16] b[8:16]
}

struct Pair {
  int8x16_t v[4];  // smmla operands for k-chunks 0-7, 8-15, 16-23, 24-31
  float32x4_t scale_part;
};

template <class F>
void tile_4x4(const uint8_t* w, size_t w_row_bytes, const uint8_t* x, size_t x_row_bytes,
              int64_t nb, float* y, int64_t y_stride) {
  float32x4_t acc[2][2];
  for (auto& row : acc) {
    for (auto& c : row) c = vdupq_n_f32(0.0f);
  }
  for (int64_t ib = 0; ib < nb; ++ib) {
    Pair rows[2], toks[2];
    for (int p = 0; p < 2; ++p) {
      typename F::Dec d0, d1;
      F::decode(reinterpret_cast<const typename F::WBlock*>(w + (2 * p) * w_row_bytes)[ib], &d0);
      F::decode(reinterpret_cast<const typename F::WBlock*>(w + (2 * p + 1) * w_row_bytes)[ib], &d1);
      pair(d0.lo, d1.lo, &rows[p].v[0], &rows[p].v[1]);
      pair(d0.hi, d1.hi, &rows[p].v[2], &rows[p].v[3]);
      // Lanes [r0 t0, r0 t1, r1 t0, r1 t1]: row scales as [d0, d0, d1, d1].
      rows[p].scale_part = vcombine_f32(vdup_n_f32(d0.d), vdup_n_f32(d1.d));
      const auto* x0 = reinterpret_cast<const block_q8_0*>(x + (2 * p) * x_row_bytes) + ib;
      const auto* x1 = reinterpret_cast<const block_q8_0*>(x + (2 * p + 1) * x_row_bytes) + ib;
      pair(vld1q_s8(x0->qs), vld1q_s8(x1->qs), &toks[p].v[0], &toks[p].v[1]);
      pair(vld1q_s8(x0->qs + 16), vld1q_s8(x1->qs + 16), &toks[p].v[2], &toks[p].v[3]);
      // Token scales as [e0, e1, e0, e1].
      const float e[4] = {fp16(x0->d), fp16(x1->d), fp16(x0->d), fp16(x1->d)};
      toks[p].scale_part = vld1q_f32(e);
    }
    for (int rp = 0; rp < 2; ++rp) {
      for (int tp = 0; tp < 2; ++tp) {
        int32x4_t s = vmmlaq_s32(vdupq_n_s32(0), rows[rp].v[0], toks[tp].v[0]);
        s = vmmlaq_s32(s, rows[rp].v[1], toks[tp].v[1]);
        s = vmmlaq_s32(s, rows[rp].v[2], toks[tp].v[2]);
        s = vmmlaq_s32(s, rows[rp].v[3], toks[tp].v[3]);
        const float32x4_t scale = vmulq_f32(rows[rp].scale_part, toks[tp].scale_part);
        acc[rp][tp] = vfmaq_f32(acc[rp][tp], vcvtq_f32_s32(s), scale);
      }
    }
  }
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

template <class F>
void gemm_i8mm(const GemmArgs& a) {
  if (a.n_tokens < 4) {
    gemm_dispatch<F, 4, 4, 4>(a);
    return;
  }
  const int64_t nb = a.k / F::kBlockElems;
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  const int64_t t4 = a.n_tokens - a.n_tokens % 4;
  int64_t r = a.row_begin;
  for (; r + 4 <= a.row_end; r += 4) {
    for (int64_t t = 0; t < t4; t += 4) {
      tile_4x4<F>(w + r * a.w_row_bytes, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                  a.y + t * a.y_stride + r, a.y_stride);
    }
  }
  // Row tail (all tokens) and token tail (the 4-row part) on sdot.
  if (r < a.row_end) gemm_blocks<F, 1, 4>(a, 0, a.n_tokens, r, a.row_end);
  if (t4 < a.n_tokens) gemm_blocks<F, 4, 4>(a, t4, a.n_tokens, a.row_begin, r);
}

}  // namespace

void gemm_q4_0_i8mm(const GemmArgs& a) { gemm_i8mm<Q4_0Fmt<dot16_sdot>>(a); }
void gemm_q8_0_i8mm(const GemmArgs& a) { gemm_i8mm<Q8_0Fmt<dot16_sdot>>(a); }

}  // namespace edgellm::kernels::arm
