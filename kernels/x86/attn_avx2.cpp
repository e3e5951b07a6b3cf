// Attention kernels (kernels/attn.h), AVX2+F16C, bit-identical to the
// reference: every score and output element is summed in the reference's
// order with the product rounded before the add (no FMA), so attention
// gives the same bits on every path.
//
// scores: 8 keys per block, one key per lane. Each step loads 8 dimensions
// of the 8 rows (F16 widened with vcvtph2ps, exact as fp16_to_fp32),
// transposes them and adds q[d] * K[d] for the 8 dimensions in order. A
// partial block repeats the last row in the unused lanes; dimensions past
// hd & ~7 continue in scalar per key.
// wsum: the output in chunks of up to 64 floats (8 accumulators) kept in
// registers while all keys stream past, each lane adding p[j] * V_j[d] in
// key order; the last hd % 8 dimensions in scalar.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/attn.h"
#include "kernels/x86/avx2_util.h"

namespace edgellm::kernels::x86 {
namespace {

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

template <typename Row>
void scores(const float* q, const void* k, size_t row_stride, int32_t n_keys, int32_t hd,
            float scale, float* s) {
  const uint8_t* base = static_cast<const uint8_t*>(k);
  const int32_t hd8 = hd & ~7;
  const __m256 vscale = _mm256_set1_ps(scale);
  for (int32_t j = 0; j < n_keys; j += 8) {
    const int32_t nk = std::min(8, n_keys - j);
    const uint8_t* rows[8];
    for (int r = 0; r < 8; ++r) {
      rows[r] = base + static_cast<size_t>(j + std::min(r, nk - 1)) * row_stride;
    }
    __m256 acc = _mm256_setzero_ps();
    for (int32_t d = 0; d < hd8; d += 8) {
      __m256 v[8];
      for (int r = 0; r < 8; ++r) v[r] = Row::load8(rows[r] + static_cast<size_t>(d) * Row::kBytes);
      transpose8(v);
      for (int c = 0; c < 8; ++c) {
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(q[d + c]), v[c]));
      }
    }
    if (nk == 8 && hd8 == hd) {
      _mm256_storeu_ps(s + j, _mm256_mul_ps(acc, vscale));
      continue;
    }
    alignas(32) float dot[8];
    _mm256_store_ps(dot, acc);
    for (int r = 0; r < nk; ++r) {
      float x = dot[r];
      for (int32_t d = hd8; d < hd; ++d) x += q[d] * Row::load1(rows[r] + static_cast<size_t>(d) * Row::kBytes);
      s[j + r] = x * scale;
    }
  }
}

// o[d0 : d0 + 8*NV] = sum_j p[j] * V_j[same range].
template <typename Row, int NV>
inline void wsum_chunk(const float* p, const uint8_t* v, size_t row_stride, int32_t n_keys,
                       int32_t d0, float* o) {
  __m256 acc[NV];
  for (int c = 0; c < NV; ++c) acc[c] = _mm256_setzero_ps();
  const uint8_t* row = v + static_cast<size_t>(d0) * Row::kBytes;
  for (int32_t j = 0; j < n_keys; ++j, row += row_stride) {
    const __m256 pj = _mm256_set1_ps(p[j]);
    for (int c = 0; c < NV; ++c) {
      acc[c] = _mm256_add_ps(acc[c], _mm256_mul_ps(pj, Row::load8(row + 8 * c * Row::kBytes)));
    }
  }
  for (int c = 0; c < NV; ++c) _mm256_storeu_ps(o + d0 + 8 * c, acc[c]);
}

template <typename Row>
void wsum(const float* p, const void* v, size_t row_stride, int32_t n_keys, int32_t hd, float* o) {
  const uint8_t* base = static_cast<const uint8_t*>(v);
  int32_t d = 0;
  for (; d + 64 <= hd; d += 64) wsum_chunk<Row, 8>(p, base, row_stride, n_keys, d, o);
  const int32_t n8 = (hd - d) / 8;
  switch (n8) {
    case 7: wsum_chunk<Row, 7>(p, base, row_stride, n_keys, d, o); break;
    case 6: wsum_chunk<Row, 6>(p, base, row_stride, n_keys, d, o); break;
    case 5: wsum_chunk<Row, 5>(p, base, row_stride, n_keys, d, o); break;
    case 4: wsum_chunk<Row, 4>(p, base, row_stride, n_keys, d, o); break;
    case 3: wsum_chunk<Row, 3>(p, base, row_stride, n_keys, d, o); break;
    case 2: wsum_chunk<Row, 2>(p, base, row_stride, n_keys, d, o); break;
    case 1: wsum_chunk<Row, 1>(p, base, row_stride, n_keys, d, o); break;
    default: break;
  }
  d += 8 * n8;
  for (; d < hd; ++d) {
    float acc = 0.0f;
    const uint8_t* row = base + static_cast<size_t>(d) * Row::kBytes;
    for (int32_t j = 0; j < n_keys; ++j, row += row_stride) acc += p[j] * Row::load1(row);
    o[d] = acc;
  }
}

}  // namespace

void attn_scores_f32_avx2(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s) {
  scores<F32Row>(q, k, row_stride, n_keys, hd, scale, s);
}
void attn_scores_f16_avx2(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s) {
  scores<F16Row>(q, k, row_stride, n_keys, hd, scale, s);
}
void attn_wsum_f32_avx2(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o) {
  wsum<F32Row>(p, v, row_stride, n_keys, hd, o);
}
void attn_wsum_f16_avx2(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o) {
  wsum<F16Row>(p, v, row_stride, n_keys, hd, o);
}

}  // namespace edgellm::kernels::x86
