// SwiGLU and softmax with a vector exp (AVX2 + FMA; the algorithm and its
// accuracy are described in kernels/activations.h), and the F16 row store
// of the KV cache (F16C). Tails run through the same vector code on a
// padded copy, so an element's result never depends on its position.
#include <immintrin.h>

#include <cstring>

#include "kernels/activations.h"
#include "kernels/ref/ref_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

inline __m256 exp8(__m256 x) {
  // min(hi, x) / max(lo, x) return x when it is NaN (the second operand).
  x = _mm256_min_ps(_mm256_set1_ps(89.0f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
  const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
  const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shifter);
  const __m256 n = _mm256_sub_ps(z, shifter);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x);    // ln2, high bits
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f), r);        // ln2, the rest
  __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // n (in [-150, 129]) from the shifter's low mantissa bits, split in two
  // halves whose powers of two are normal floats.
  const __m256i ni = _mm256_sub_epi32(_mm256_castps_si256(z), _mm256_castps_si256(shifter));
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256 swiglu8(__m256 g, __m256 u) {
  const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
  return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

}  // namespace

void swiglu_avx2(const float* gate, const float* up, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, swiglu8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
  }
  if (i < n) {
    const size_t m = static_cast<size_t>(n - i);
    alignas(32) float g[8] = {}, u[8] = {}, o[8];
    std::memcpy(g, gate + i, m * sizeof(float));
    std::memcpy(u, up + i, m * sizeof(float));
    _mm256_store_ps(o, swiglu8(_mm256_load_ps(g), _mm256_load_ps(u)));
    std::memcpy(y + i, o, m * sizeof(float));
  }
}

void softmax_avx2(float* x, int64_t n) {
  if (n <= 0) return;
  // Tail lanes padded with -inf: exp gives 0, max and sum are unchanged.
  const size_t tail = static_cast<size_t>(n % 8);
  const int64_t body = n - static_cast<int64_t>(tail);
  alignas(32) float pad[8];
  for (float& v : pad) v = -__builtin_inff();
  std::memcpy(pad, x + body, tail * sizeof(float));
  __m256 mx = _mm256_load_ps(pad);
  for (int64_t i = 0; i < body; i += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(x + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, mx);
  float m = lanes[0];
  for (float v : lanes) m = v > m ? v : m;
  const __m256 mv = _mm256_set1_ps(m);
  // The sum in double lanes, as the reference sums in double: a float
  // accumulator would lose precision with the row length (long contexts).
  __m256d sum_lo = _mm256_setzero_pd(), sum_hi = _mm256_setzero_pd();
  auto add = [&](__m256 e) {
    sum_lo = _mm256_add_pd(sum_lo, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    sum_hi = _mm256_add_pd(sum_hi, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  };
  for (int64_t i = 0; i < body; i += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
    _mm256_storeu_ps(x + i, e);
    add(e);
  }
  const __m256 et = exp8(_mm256_sub_ps(_mm256_load_ps(pad), mv));
  _mm256_store_ps(pad, et);
  add(et);
  alignas(32) double dl[4];
  _mm256_store_pd(dl, _mm256_add_pd(sum_lo, sum_hi));
  const double s = (dl[0] + dl[1]) + (dl[2] + dl[3]);
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / s));
  for (int64_t i = 0; i < body; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  _mm256_store_ps(pad, _mm256_mul_ps(_mm256_load_ps(pad), inv));
  std::memcpy(x + body, pad, tail * sizeof(float));
}

// F16C's vcvtps2ph rounds to nearest even like the reference; only NaN
// differs (the hardware keeps payload bits), so NaN lanes are replaced by
// 0x7E00 with their sign.
void to_f16_avx2(const float* src, void* dst, int64_t n) {
  uint16_t* out = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  const __m128i qnan = _mm_set1_epi16(0x7E00);
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(src + i);
    __m128i h = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256i nan32 = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    const __m128i nan16 = _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
    const __m128i sign = _mm_and_si128(h, _mm_set1_epi16(static_cast<short>(0x8000)));
    h = _mm_blendv_epi8(h, _mm_or_si128(qnan, sign), nan16);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  if (i < n) ref::f16_from_float(src + i, out + i, n - i);
}

}  // namespace edgellm::kernels::x86
