// Attention kernels (kernels/attn.h), baseline AArch64 NEON (armv8.0),
// bit-identical to the reference: every score and output element is summed
// in the reference's order with the product rounded before the add (fmul +
// fadd, no fmla), so attention gives the same bits on every path. The
// queries of one call (heads of a GQA group) share every K / V load; each
// query still has its own accumulators, each updated in the same order as
// the single-query loop, so sharing changes no bits.
//
// scores: 4 keys per block, one key per lane. Each step loads 4 dimensions
// of the 4 rows (F16 widened with fcvtl / vcvt_f32_f16, base AArch64, exact
// as fp16_to_fp32) and transposes them (trn1/2 .4s, zip1/2 .2d) once; then,
// for each of up to 8 queries, adds q[d] * K[d] for the 4 dimensions in
// order into that query's accumulator (fmul by element + fadd). A partial block
// repeats the last row in the unused lanes; dimensions past hd & ~3
// continue in scalar per key and query.
// wsum: the output in chunks of 4*NV floats per query, NQ x NV accumulators
// kept in registers while all keys stream past (NV = 4 / 3 / 2 / 1 for 1-2
// / 3 / 4-5 / 6-8 queries, so the accumulators, the NQ weight vectors and
// the hoisted V loads of 4 keys fit in the 32 registers without spilling).
// Each V chunk is loaded (F16: widened) once for all queries; every query's
// lanes add p[j] * V_j[d] in key order, 4 keys at a time with the query's
// 4 weights in one register (fmul by element + fadd). The last hd % 4
// dimensions in scalar.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/attn.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::arm {
namespace {

constexpr int kMaxQ = 8;  // queries per pass (AttnKernels::max_queries)

struct F32Row {
  static constexpr size_t kBytes = 4;
  static float32x4_t load4(const uint8_t* p) { return vld1q_f32(reinterpret_cast<const float*>(p)); }
  static float load1(const uint8_t* p) {
    float f;
    std::memcpy(&f, p, sizeof f);
    return f;
  }
};

struct F16Row {
  static constexpr size_t kBytes = 2;
  static float32x4_t load4(const uint8_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p))));
  }
  static float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return fp16_to_fp32(h);
  }
};

// Low / high 64-bit halves of a and b, combined: {a0, a1, b0, b1} and
// {a2, a3, b2, b3} (one zip1 / zip2 .2d each).
inline float32x4_t zip_lo(float32x4_t a, float32x4_t b) {
  return vreinterpretq_f32_f64(vzip1q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
}
inline float32x4_t zip_hi(float32x4_t a, float32x4_t b) {
  return vreinterpretq_f32_f64(vzip2q_f64(vreinterpretq_f64_f32(a), vreinterpretq_f64_f32(b)));
}

// Scores of NQ queries (one pass). Passes and wsum chunks stay out of line
// (one call per pass / chunk): each instantiation's loops get the registers
// to themselves, and objdump shows each hot loop on its own.
template <typename Row, int NQ>
__attribute__((noinline)) void scores_pass(const float* q, size_t q_stride, const uint8_t* base,
                                           size_t row_stride, int32_t n_keys, int32_t hd,
                                           float scale, float* s, size_t s_stride) {
  const int32_t hd4 = hd & ~3;
  for (int32_t j = 0; j < n_keys; j += 4) {
    const int32_t nk = std::min(4, n_keys - j);
    const uint8_t* rows[4];
    for (int r = 0; r < 4; ++r) {
      rows[r] = base + static_cast<size_t>(j + std::min(r, nk - 1)) * row_stride;
    }
    float32x4_t acc[NQ];
#pragma GCC unroll 8
    for (int i = 0; i < NQ; ++i) acc[i] = vdupq_n_f32(0.0f);
    for (int32_t d = 0; d < hd4; d += 4) {
      const size_t off = static_cast<size_t>(d) * Row::kBytes;
      // Transpose 4 rows x 4 dimensions: c[i] lane r = row r, dimension d + i.
      const float32x4x2_t t01 = vtrnq_f32(Row::load4(rows[0] + off), Row::load4(rows[1] + off));
      const float32x4x2_t t23 = vtrnq_f32(Row::load4(rows[2] + off), Row::load4(rows[3] + off));
      const float32x4_t c0 = zip_lo(t01.val[0], t23.val[0]);
      const float32x4_t c1 = zip_lo(t01.val[1], t23.val[1]);
      const float32x4_t c2 = zip_hi(t01.val[0], t23.val[0]);
      const float32x4_t c3 = zip_hi(t01.val[1], t23.val[1]);
#pragma GCC unroll 8
      for (int i = 0; i < NQ; ++i) {
        const float32x4_t qv = vld1q_f32(q + static_cast<size_t>(i) * q_stride + d);
        acc[i] = vaddq_f32(acc[i], vmulq_laneq_f32(c0, qv, 0));
        acc[i] = vaddq_f32(acc[i], vmulq_laneq_f32(c1, qv, 1));
        acc[i] = vaddq_f32(acc[i], vmulq_laneq_f32(c2, qv, 2));
        acc[i] = vaddq_f32(acc[i], vmulq_laneq_f32(c3, qv, 3));
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < NQ; ++i) {
      const float* qi = q + static_cast<size_t>(i) * q_stride;
      float* si = s + static_cast<size_t>(i) * s_stride;
      if (nk == 4 && hd4 == hd) {
        vst1q_f32(si + j, vmulq_n_f32(acc[i], scale));
        continue;
      }
      float dot[4];
      vst1q_f32(dot, acc[i]);
      for (int r = 0; r < nk; ++r) {
        float x = dot[r];
        for (int32_t d = hd4; d < hd; ++d) x += qi[d] * Row::load1(rows[r] + static_cast<size_t>(d) * Row::kBytes);
        si[j + r] = x * scale;
      }
    }
  }
}

template <typename Row>
void scores(const float* q, size_t q_stride, int32_t nq, const void* k, size_t row_stride,
            int32_t n_keys, int32_t hd, float scale, float* s, size_t s_stride) {
  const uint8_t* base = static_cast<const uint8_t*>(k);
  for (int32_t i0 = 0; i0 < nq; i0 += kMaxQ) {
    const float* qp = q + static_cast<size_t>(i0) * q_stride;
    float* sp = s + static_cast<size_t>(i0) * s_stride;
    switch (std::min(nq - i0, kMaxQ)) {
      case 1: scores_pass<Row, 1>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 2: scores_pass<Row, 2>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 3: scores_pass<Row, 3>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 4: scores_pass<Row, 4>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 5: scores_pass<Row, 5>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 6: scores_pass<Row, 6>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      case 7: scores_pass<Row, 7>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
      default: scores_pass<Row, 8>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
    }
  }
}

// One wsum pass: NQ queries' weights p_i = p + i * p_stride and outputs.
struct WsumArgs {
  const float* p;
  size_t p_stride;
  const uint8_t* v;
  size_t row_stride;
  int32_t n_keys;
  float* o;
  size_t o_stride;
};

// Adds key K of a 4-key group: acc[i * NV + c] += pv[i][K] * V[c].
template <typename Row, int NQ, int NV, int K>
inline void wsum_key(float32x4_t* acc, const float32x4_t* pv, const uint8_t* row) {
#pragma GCC unroll 8
  for (int c = 0; c < NV; ++c) {
    const float32x4_t x = Row::load4(row + 4 * c * Row::kBytes);
#pragma GCC unroll 8
    for (int i = 0; i < NQ; ++i) acc[i * NV + c] = vaddq_f32(acc[i * NV + c], vmulq_laneq_f32(x, pv[i], K));
  }
}

// o_i[d0 : d0 + 4*NV] = sum_j p_i[j] * V_j[same range], i in [0, NQ).
template <typename Row, int NQ, int NV>
__attribute__((noinline)) void wsum_chunk(const WsumArgs& a, int32_t d0) {
  const float* const p = a.p;
  const size_t p_stride = a.p_stride;
  const size_t row_stride = a.row_stride;
  const int32_t n_keys = a.n_keys;
  float32x4_t acc[NQ * NV];
#pragma GCC unroll 32
  for (int i = 0; i < NQ * NV; ++i) acc[i] = vdupq_n_f32(0.0f);
  const uint8_t* row = a.v + static_cast<size_t>(d0) * Row::kBytes;
  int32_t j = 0;
  for (; j + 4 <= n_keys; j += 4, row += 4 * row_stride) {
    float32x4_t pv[NQ];
#pragma GCC unroll 8
    for (int i = 0; i < NQ; ++i) pv[i] = vld1q_f32(p + static_cast<size_t>(i) * p_stride + j);
    wsum_key<Row, NQ, NV, 0>(acc, pv, row);
    wsum_key<Row, NQ, NV, 1>(acc, pv, row + row_stride);
    wsum_key<Row, NQ, NV, 2>(acc, pv, row + 2 * row_stride);
    wsum_key<Row, NQ, NV, 3>(acc, pv, row + 3 * row_stride);
  }
  for (; j < n_keys; ++j, row += row_stride) {
    float32x4_t pv[NQ];
#pragma GCC unroll 8
    for (int i = 0; i < NQ; ++i) pv[i] = vdupq_n_f32(p[static_cast<size_t>(i) * p_stride + j]);
    wsum_key<Row, NQ, NV, 0>(acc, pv, row);
  }
  float* const o = a.o + d0;
#pragma GCC unroll 8
  for (int i = 0; i < NQ; ++i) {
#pragma GCC unroll 8
    for (int c = 0; c < NV; ++c) vst1q_f32(o + static_cast<size_t>(i) * a.o_stride + 4 * c, acc[i * NV + c]);
  }
}

// The r <= NV 4-float blocks left after the full chunks, as one chunk of r
// (the first NV that fits is r). Returns the end.
template <typename Row, int NQ, int NV>
inline int32_t wsum_rest(const WsumArgs& a, int32_t d, int32_t hd) {
  if constexpr (NV >= 1) {
    if (d + 4 * NV <= hd) {
      wsum_chunk<Row, NQ, NV>(a, d);
      return d + 4 * NV;
    }
    return wsum_rest<Row, NQ, NV - 1>(a, d, hd);
  } else {
    return d;
  }
}

// Vectors per chunk: NQ x NV accumulators, NQ weight vectors and the V loads
// of 4 keys (4 x NV: the compiler hoists them) must fit the 32 registers.
// Chosen from the objdump of GCC 12 -O3: no spill in any hot loop; NV 3 at
// 4 queries and NV 2 at 6-7 queries did spill.
template <int NQ>
constexpr int wsum_nv() {
  return NQ <= 2 ? 4 : NQ == 3 ? 3 : NQ <= 5 ? 2 : 1;
}

template <typename Row, int NQ>
void wsum_pass(const WsumArgs& a, int32_t hd) {
  constexpr int NV = wsum_nv<NQ>();
  int32_t d = 0;
  for (; d + 4 * NV <= hd; d += 4 * NV) wsum_chunk<Row, NQ, NV>(a, d);
  d = wsum_rest<Row, NQ, NV - 1>(a, d, hd);
  for (; d < hd; ++d) {
    for (int i = 0; i < NQ; ++i) {
      const float* pi = a.p + static_cast<size_t>(i) * a.p_stride;
      float acc = 0.0f;
      const uint8_t* row = a.v + static_cast<size_t>(d) * Row::kBytes;
      for (int32_t j = 0; j < a.n_keys; ++j, row += a.row_stride) acc += pi[j] * Row::load1(row);
      a.o[static_cast<size_t>(i) * a.o_stride + d] = acc;
    }
  }
}

template <typename Row>
void wsum(const float* p, size_t p_stride, int32_t nq, const void* v, size_t row_stride,
          int32_t n_keys, int32_t hd, float* o, size_t o_stride) {
  for (int32_t i0 = 0; i0 < nq; i0 += kMaxQ) {
    const WsumArgs a{p + static_cast<size_t>(i0) * p_stride, p_stride, static_cast<const uint8_t*>(v),
                     row_stride, n_keys, o + static_cast<size_t>(i0) * o_stride, o_stride};
    switch (std::min(nq - i0, kMaxQ)) {
      case 1: wsum_pass<Row, 1>(a, hd); break;
      case 2: wsum_pass<Row, 2>(a, hd); break;
      case 3: wsum_pass<Row, 3>(a, hd); break;
      case 4: wsum_pass<Row, 4>(a, hd); break;
      case 5: wsum_pass<Row, 5>(a, hd); break;
      case 6: wsum_pass<Row, 6>(a, hd); break;
      case 7: wsum_pass<Row, 7>(a, hd); break;
      default: wsum_pass<Row, 8>(a, hd); break;
    }
  }
}

}  // namespace

void attn_scores_f32_neon(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride) {
  scores<F32Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_scores_f16_neon(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride) {
  scores<F16Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_wsum_f32_neon(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride) {
  wsum<F32Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}
void attn_wsum_f16_neon(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride) {
  wsum<F16Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}

}  // namespace edgellm::kernels::arm
