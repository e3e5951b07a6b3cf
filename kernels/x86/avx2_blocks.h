// Helpers shared by the zero-copy AVX2 kernels of the formats without a
// packed GEMM (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q5_K). Include only from files
// compiled with -mavx2 -mfma -mf16c.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace edgellm::kernels::x86 {

// The 16 bytes of a 32-element block's nibbles as 32 values 0..15: low
// nibbles are elements 0..15, high nibbles elements 16..31.
inline __m256i nibbles_32(const uint8_t* qs) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m128i low4 = _mm_set1_epi8(0x0F);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), low4), _mm_and_si128(v, low4));
}

// Byte i = 0xFF where bit i of the little-endian 32-bit word at p is set.
inline __m256i bits_32(const uint8_t* p) {
  uint32_t bits;
  std::memcpy(&bits, p, 4);
  const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,  //
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), spread);
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  return _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
}

// Bit `from` of every byte of v moved to bit `to` (other bits garbage; the
// caller masks). epi16 shifts are fine: bits crossing from the neighbour byte
// land below `to` (left shift) or above it (right shift) for from, to < 8.
template <int From, int To>
inline __m256i move_bit(__m256i v) {
  if constexpr (From < To) {
    return _mm256_slli_epi16(v, To - From);
  } else if constexpr (From > To) {
    return _mm256_srli_epi16(v, From - To);
  } else {
    return v;
  }
}

// Int16 lanes 0..7 = s[2v], lanes 8..15 = s[2v+1] of 16 int16 scales s
// (the two 16-element sub-blocks a 32-byte vector of quants spans).
inline __m256i pair_scales(__m256i s16, int v) {
  const __m256i dw = _mm256_permutevar8x32_epi32(s16, _mm256_set1_epi32(v));
  const __m256i pick = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,  //
                                        2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
  return _mm256_shuffle_epi8(dw, pick);
}

// The two consecutive fp16 values at p as floats: [p[0], p[1], 0, 0]
// (a Q4_1 / Q5_1 block's d, m; a Q8_1 block's d, s).
inline __m128 half2(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm_cvtph_ps(_mm_cvtsi32_si128(v));
}

// acc += isum * (d*dx) in every lane, + m*s in lane 0, from
// dm_x_ds = [d*dx, m*s, 0, 0] (a Q4_1 / Q5_1 block against Q8_1).
inline __m256 accum_dm(__m256 acc, __m256i isum, __m128 dm_x_ds) {
  acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcastss_ps(dm_x_ds), acc);
  // Element 1 into lane 0, lanes 1-3 zeroed.
  return _mm256_add_ps(acc, _mm256_zextps128_ps256(_mm_insert_ps(dm_x_ds, dm_x_ds, 0x4E)));
}

}  // namespace edgellm::kernels::x86
