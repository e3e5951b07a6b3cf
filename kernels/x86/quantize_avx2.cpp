// Activation quantizers (Q8_0, Q8_K), AVX2, bit-identical to the reference
// from_float: the same scale arithmetic in scalar code, the same products
// x*id in vector lanes (IEEE multiply is exact-rounded either way), and the
// reference's rounding: half away from zero (roundf) for Q8_0, half to even
// (ggml's nearest_int) for Q8_K.
#include <cmath>
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

inline __m256 abs_ps(__m256 v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// roundf(): truncate, then step away from zero when the dropped fraction is
// >= 0.5 (v - trunc(v) is exact for every float).
inline __m256i round_away(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = abs_ps(_mm256_sub_ps(v, t));
  const __m256 up = _mm256_and_ps(_mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ),
                                  _mm256_or_ps(_mm256_set1_ps(1.0f),
                                               _mm256_and_ps(v, _mm256_set1_ps(-0.0f))));
  return _mm256_cvttps_epi32(_mm256_add_ps(t, up));
}

// Packs four vectors of 8 int32 (each within int8 range) into 32 bytes in order.
inline __m256i pack_i32x32(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);  // a0-3 b0-3 | a4-7 b4-7
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i abcd = _mm256_packs_epi16(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

}  // namespace

void quantize_q8_0_avx2(const float* x, void* dst, int64_t n) {
  block_q8_0* y = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    __m256 v[4];
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < 4; ++j) {
      v[j] = _mm256_loadu_ps(x + 8 * j);
      m = _mm256_max_ps(m, abs_ps(v[j]));
    }
    const float amax = hmax(m);
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = fp32_to_fp16(d);
    const __m256 idv = _mm256_set1_ps(id);
    __m256i q[4];
    for (int j = 0; j < 4; ++j) q[j] = round_away(_mm256_mul_ps(v[j], idv));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), pack_i32x32(q[0], q[1], q[2], q[3]));
  }
}

void quantize_q8_K_avx2(const float* x, void* dst, int64_t n) {
  block_q8_K* y = static_cast<block_q8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < kQK_K; j += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + j)));
    const float amax = hmax(m);
    if (amax == 0.0f) {
      std::memset(&y[i], 0, sizeof y[i]);
      continue;
    }
    // The reference keeps the first element of largest magnitude (its sign
    // sets the scale's sign).
    float max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(x[j]) == amax) {
        max = x[j];
        break;
      }
    }
    const float iscale = -127.f / max;
    const __m256 isv = _mm256_set1_ps(iscale);
    for (int j = 0; j < kQK_K; j += 32) {
      __m256i q[4];
      for (int u = 0; u < 4; ++u) {
        const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * u), isv);
        q[u] = _mm256_min_epi32(
            _mm256_cvtps_epi32(_mm256_round_ps(p, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)),
            _mm256_set1_epi32(127));
      }
      const __m256i packed = pack_i32x32(q[0], q[1], q[2], q[3]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + j), packed);
      // Sums of each 16: widen to int16 and add pairs up to 16-element groups.
      const __m256i w16 = _mm256_madd_epi16(
          _mm256_maddubs_epi16(_mm256_set1_epi8(1), packed), _mm256_set1_epi16(1));
      // w16 holds 8 int32 sums of 4: lanes 0-3 = elements 0..15, 4-7 = 16..31.
      alignas(32) int32_t part[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(part), w16);
      y[i].bsums[j / 16] = static_cast<int16_t>(part[0] + part[1] + part[2] + part[3]);
      y[i].bsums[j / 16 + 1] = static_cast<int16_t>(part[4] + part[5] + part[6] + part[7]);
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace edgellm::kernels::x86

namespace edgellm::kernels::x86 {

void quantize_q8_0_sum8_avx2(const float* x, void* dst, int64_t n) {
  quantize_q8_0_avx2(x, dst, n);
  const block_q8_0* q = static_cast<const block_q8_0*>(dst);
  uint8_t* sums = static_cast<uint8_t*>(dst) + (n / kQK) * sizeof(block_q8_0);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q[i].qs));
    const __m256i s32 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), v),
                                          _mm256_set1_epi16(1));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(s32), _mm256_extracti128_si256(s32, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    const int32_t sum8 = 8 * _mm_cvtsi128_si32(s);
    std::memcpy(sums + 4 * i, &sum8, 4);
  }
}

void quantize_q8_0_sum8_scales_avx2(const float* x, void* dst, int64_t n) {
  quantize_q8_0_sum8_avx2(x, dst, n);
  const block_q8_0* q = static_cast<const block_q8_0*>(dst);
  uint8_t* scales = static_cast<uint8_t*>(dst) + (n / kQK) * (sizeof(block_q8_0) + 4);
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float d = fp16_to_fp32(q[i].d);  // the rounded scale, as the blocks hold it
    std::memcpy(scales + 4 * i, &d, 4);
  }
}

}  // namespace edgellm::kernels::x86
