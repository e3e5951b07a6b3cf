// Attention kernels (kernels/attn.h), AVX2+F16C, bit-identical to the
// reference: every score and output element is summed in the reference's
// order with the product rounded before the add (no FMA), so attention
// gives the same bits on every path. The queries of one call (heads of a
// GQA group) share every K / V load; each query still has its own
// accumulators, each updated in the same order as the single-query loop,
// so sharing changes no bits.
//
// scores: 8 keys per block, one key per lane. Each step loads 8 dimensions
// of the 8 rows (F16 widened with vcvtph2ps, exact as fp16_to_fp32) and
// transposes them once; then, for each of up to 4 queries, adds q[d] * K[d]
// for the 8 dimensions in order into that query's accumulator (8
// transposed vectors + 4 accumulators + a broadcast fit the 16 registers).
// A partial block repeats the last row in the unused lanes; dimensions past
// hd & ~7 continue in scalar per key and query.
// wsum: the output in chunks of 8*NV floats per query, NQ x NV accumulators
// kept in registers while all keys stream past (NV = 8 / 4 / 3 / 2 for 1 /
// 2 / 3 / 4 queries): each V vector is loaded once per key and every
// query's lanes add p[j] * V_j[d] in key order; the last hd % 8 dimensions
// in scalar.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/attn.h"
#include "kernels/x86/avx2_util.h"

namespace edgellm::kernels::x86 {
namespace {

constexpr int kMaxQ = 4;  // queries per pass (AttnKernels::max_queries)

struct F32Row {
  static constexpr size_t kBytes = 4;
  static __m256 load8(const uint8_t* p) { return _mm256_loadu_ps(reinterpret_cast<const float*>(p)); }
  static float load1(const uint8_t* p) {
    float f;
    std::memcpy(&f, p, sizeof f);
    return f;
  }
};

struct F16Row {
  static constexpr size_t kBytes = 2;
  static __m256 load8(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, sizeof h);
    return fp16(h);
  }
};

// In place: r[c] lane k = old r[k] lane c.
inline void transpose8(__m256* r) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
  const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
  const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
  const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Scores of NQ queries (one pass).
template <typename Row, int NQ>
__attribute__((noinline)) void scores_pass(const float* q, size_t q_stride, const uint8_t* base,
                                           size_t row_stride, int32_t n_keys, int32_t hd,
                                           float scale, float* s, size_t s_stride) {
  const int32_t hd8 = hd & ~7;
  const __m256 vscale = _mm256_set1_ps(scale);
  for (int32_t j = 0; j < n_keys; j += 8) {
    const int32_t nk = std::min(8, n_keys - j);
    const uint8_t* rows[8];
    for (int r = 0; r < 8; ++r) {
      rows[r] = base + static_cast<size_t>(j + std::min(r, nk - 1)) * row_stride;
    }
    __m256 acc[NQ];
#pragma GCC unroll 4
    for (int i = 0; i < NQ; ++i) acc[i] = _mm256_setzero_ps();
    for (int32_t d = 0; d < hd8; d += 8) {
      __m256 v[8];
      for (int r = 0; r < 8; ++r) v[r] = Row::load8(rows[r] + static_cast<size_t>(d) * Row::kBytes);
      transpose8(v);
#pragma GCC unroll 4
      for (int i = 0; i < NQ; ++i) {
        const float* qi = q + static_cast<size_t>(i) * q_stride + d;
#pragma GCC unroll 8
        for (int c = 0; c < 8; ++c) {
          acc[i] = _mm256_add_ps(acc[i], _mm256_mul_ps(_mm256_set1_ps(qi[c]), v[c]));
        }
      }
    }
#pragma GCC unroll 4
    for (int i = 0; i < NQ; ++i) {
      const float* qi = q + static_cast<size_t>(i) * q_stride;
      float* si = s + static_cast<size_t>(i) * s_stride;
      if (nk == 8 && hd8 == hd) {
        _mm256_storeu_ps(si + j, _mm256_mul_ps(acc[i], vscale));
        continue;
      }
      alignas(32) float dot[8];
      _mm256_store_ps(dot, acc[i]);
      for (int r = 0; r < nk; ++r) {
        float x = dot[r];
        for (int32_t d = hd8; d < hd; ++d) x += qi[d] * Row::load1(rows[r] + static_cast<size_t>(d) * Row::kBytes);
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
      default: scores_pass<Row, 4>(qp, q_stride, base, row_stride, n_keys, hd, scale, sp, s_stride); break;
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

// o_i[d0 : d0 + 8*NV] = sum_j p_i[j] * V_j[same range], i in [0, NQ).
template <typename Row, int NQ, int NV>
__attribute__((noinline)) void wsum_chunk(const WsumArgs& a, int32_t d0) {
  const float* const p = a.p;
  const size_t p_stride = a.p_stride;
  const size_t row_stride = a.row_stride;
  const int32_t n_keys = a.n_keys;
  __m256 acc[NQ * NV];
#pragma GCC unroll 16
  for (int i = 0; i < NQ * NV; ++i) acc[i] = _mm256_setzero_ps();
  const uint8_t* row = a.v + static_cast<size_t>(d0) * Row::kBytes;
  for (int32_t j = 0; j < n_keys; ++j, row += row_stride) {
    __m256 pj[NQ];
#pragma GCC unroll 4
    for (int i = 0; i < NQ; ++i) pj[i] = _mm256_set1_ps(p[static_cast<size_t>(i) * p_stride + j]);
#pragma GCC unroll 8
    for (int c = 0; c < NV; ++c) {
      const __m256 x = Row::load8(row + 8 * c * Row::kBytes);
#pragma GCC unroll 4
      for (int i = 0; i < NQ; ++i) acc[i * NV + c] = _mm256_add_ps(acc[i * NV + c], _mm256_mul_ps(pj[i], x));
    }
  }
  float* const o = a.o + d0;
#pragma GCC unroll 4
  for (int i = 0; i < NQ; ++i) {
#pragma GCC unroll 8
    for (int c = 0; c < NV; ++c) _mm256_storeu_ps(o + static_cast<size_t>(i) * a.o_stride + 8 * c, acc[i * NV + c]);
  }
}

// The 8-blocks left after the full chunks (r < NV + 1 of them) in one chunk
// of r. Returns the end.
template <typename Row, int NQ, int NV>
inline int32_t wsum_rest(const WsumArgs& a, int32_t d, int32_t hd) {
  if constexpr (NV >= 1) {
    if (d + 8 * NV <= hd) {
      wsum_chunk<Row, NQ, NV>(a, d);
      return d + 8 * NV;
    }
    return wsum_rest<Row, NQ, NV - 1>(a, d, hd);
  } else {
    return d;
  }
}

template <typename Row, int NQ>
void wsum_pass(const WsumArgs& a, int32_t hd) {
  constexpr int NV = NQ == 1 ? 8 : NQ == 2 ? 4 : NQ == 3 ? 3 : 2;
  int32_t d = 0;
  for (; d + 8 * NV <= hd; d += 8 * NV) wsum_chunk<Row, NQ, NV>(a, d);
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
      default: wsum_pass<Row, 4>(a, hd); break;
    }
  }
}

}  // namespace

void attn_scores_f32_avx2(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride) {
  scores<F32Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_scores_f16_avx2(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride) {
  scores<F16Row>(q, q_stride, nq, k, row_stride, n_keys, hd, scale, s, s_stride);
}
void attn_wsum_f32_avx2(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride) {
  wsum<F32Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}
void attn_wsum_f16_avx2(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride) {
  wsum<F16Row>(p, p_stride, nq, v, row_stride, n_keys, hd, o, o_stride);
}

}  // namespace edgellm::kernels::x86
