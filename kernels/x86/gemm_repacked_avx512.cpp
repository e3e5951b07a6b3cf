// Q4_0, Q5_0, Q8_0, Q4_K and Q6_K GEMM/GEMV over the 8-row repacked layouts
// (repacked_x8.h; the layouts are described in gemm_repacked_avx2.cpp and
// built by its repack functions) with AVX-512 VNNI on 256-bit vectors
// (AVX512VL): vpdpbusd multiplies the unsigned weight bytes by a token's 4
// signed activation bytes broadcast to all lanes and adds the 4 products
// into each row's int32 lane in one instruction, where AVX2 needs
// vpmaddubsw + vpmaddwd + vpaddd and int16 headroom checks. With 32 vector
// registers, prefill runs 8 tokens per pass over a group for Q4_0, Q5_0 and Q8_0
// (the AVX2 kernels run 4), halving how often each weight vector is loaded
// and unpacked; Q4_K and Q6_K stay at 4, as their per-sub-block partial
// sums of 8 tokens spill (checked in the disassembly).
//
// Integer block dots are exact, as in the reference:
//   Q4_0: nibbles 0..15 as unsigned, minus the activation's precomputed
//         8 * sum(x) per block (quantize_q8_0_sum8_scales_avx2, which
//         also gives the block scales as floats).
//   Q5_0: nibble | fifth bit << 4 (0..31) as unsigned, minus 2 * 8 * sum(x).
//   Q8_0: w + 128 as unsigned (w XOR 0x80), minus 128 * sum(x) = 16 times
//         the same precomputed 8 * sum(x).
//   Q4_K: per 32-element sub-block an int32 dot (|.| <= 32 * 15 * 127),
//         times its 6-bit scale (vpmulld); mins as in the AVX2 kernel.
//   Q6_K: unsigned u = q + 32 per 16-element sub-block (|.| <= 16 * 63 *
//         127), times its int8 scale; the -32 returns through the bsums.
//
// This file is also compiled into the unit tests with EDGELLM_AVX512_EMULATED
// defined: SIMDe (libsimde-dev) then implements the AVX-512 intrinsics with
// AVX2, so the same source is checked against the reference on hosts without
// AVX-512 (tests/emulated/gemm_repacked_avx512_simde.cpp, run by
// Dispatch.Avx512KernelsUnderEmulation). Helpers stay local to this
// file (see repacked_x8.h for why).
#if defined(EDGELLM_AVX512_EMULATED)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define EDGELLM_AVX512_NS x86::emulated
#else
#include <immintrin.h>
#define EDGELLM_AVX512_NS x86
#endif

#include "kernels/ref/blocks.h"
#include "kernels/x86/repacked_x8.h"

namespace edgellm::kernels::EDGELLM_AVX512_NS {
namespace {

using namespace x8;

inline __m256i bcast4(const void* p) { return _mm256_set1_epi32(load4(p)); }

inline __m256i loadv(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The 8 rows' fp16 scales at p as floats.
inline __m256 scales8(const uint8_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Row r's byte at 2r of 16 bytes (the layouts store each scale twice) as
// int32 lanes: zero-extended, or sign-extended for Q6_K's int8 scales.
inline __m256i even_bytes_u32(const uint8_t* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepu16_epi32(_mm_and_si128(v, _mm_set1_epi16(0x00FF)));
}
inline __m256i even_bytes_i32(const uint8_t* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_cvtepi16_epi32(_mm_srai_epi16(_mm_slli_epi16(v, 8), 8));
}

template <int T>
void q4_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xs[t] = x + t * x_row_bytes + sums_offset;
    xd[t] = act_scales(xs[t], nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4Block;
    prefetch_ahead<kQ4Block>(blk);
    __m256i s32[T];
    for (int t = 0; t < T; ++t) s32[t] = _mm256_sub_epi32(_mm256_setzero_si256(), bcast4(xs[t] + 4 * b));
    for (int j = 0; j < 4; ++j) {
      const __m256i v = loadv(blk + 16 + 32 * j);
      const __m256i lo = _mm256_and_si256(v, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
      for (int t = 0; t < T; ++t) {
        s32[t] = _mm256_dpbusd_epi32(s32[t], lo, bcast4(xb[t][b].qs + 4 * j));
        s32[t] = _mm256_dpbusd_epi32(s32[t], hi, bcast4(xb[t][b].qs + 16 + 4 * j));
      }
    }
    const __m256 dv = scales8(blk);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32[t]),
                               _mm256_mul_ps(dv, bcast_scale(xd[t], b)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

// Q5_0: u = nibble | fifth bit << 4 as unsigned (0..31), minus 16 * sum(x)
// = 2 times the precomputed 8 * sum(x). The fifth bits come from the
// layout's 32 bytes as in the AVX2 kernel (bit j of each byte, or 4 + j, to
// bit 4 with one 16-bit shift and an and).
template <int T>
void q5_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xs[t] = x + t * x_row_bytes + sums_offset;
    xd[t] = act_scales(xs[t], nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ5Block;
    prefetch_ahead<kQ5Block>(blk);
    const __m256i h = loadv(blk + kQ5High);
    __m256i s32[T];
    for (int t = 0; t < T; ++t) {
      s32[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(bcast4(xs[t] + 4 * b), 1));
    }
    for (int j = 0; j < 4; ++j) {
      const __m256i v = loadv(blk + 16 + 32 * j);
      const __m256i lo = _mm256_or_si256(_mm256_and_si256(v, low4),
                                         _mm256_and_si256(_mm256_slli_epi16(h, 4 - j), bit4));
      const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4),
                                         _mm256_and_si256(_mm256_srli_epi16(h, j), bit4));
      for (int t = 0; t < T; ++t) {
        s32[t] = _mm256_dpbusd_epi32(s32[t], lo, bcast4(xb[t][b].qs + 4 * j));
        s32[t] = _mm256_dpbusd_epi32(s32[t], hi, bcast4(xb[t][b].qs + 16 + 4 * j));
      }
    }
    const __m256 dv = scales8(blk);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32[t]), _mm256_mul_ps(dv, bcast_scale(xd[t], b)),
                               acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
void q8_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i bias = _mm256_set1_epi8(static_cast<char>(0x80));
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xs[t] = x + t * x_row_bytes + sums_offset;
    xd[t] = act_scales(xs[t], nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ8Block;
    prefetch_ahead<kQ8Block>(blk);
    __m256i s32[T];
    for (int t = 0; t < T; ++t) {
      // -128 * sum(x) = -16 * (8 * sum(x)).
      s32[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(bcast4(xs[t] + 4 * b), 4));
    }
    for (int j = 0; j < 8; ++j) {
      const __m256i u = _mm256_xor_si256(loadv(blk + 16 + 32 * j), bias);  // w + 128
      for (int t = 0; t < T; ++t) {
        s32[t] = _mm256_dpbusd_epi32(s32[t], u, bcast4(xb[t][b].qs + 4 * j));
      }
    }
    const __m256 dv = scales8(blk);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32[t]),
                               _mm256_mul_ps(dv, bcast_scale(xd[t], b)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
void q4_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t /*sums_offset*/, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[T];
  const block_q8_K* xb[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4KBlock;
    prefetch_ahead<kQ4KBlock>(blk);
    __m256i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      const uint8_t* q = blk + kQ4KQuants + (j / 2) * 256;
      __m256i s32[T];
      for (int t = 0; t < T; ++t) s32[t] = _mm256_setzero_si256();
      for (int i = 0; i < 8; ++i) {
        const __m256i v = loadv(q + 32 * i);
        const __m256i u = _mm256_and_si256((j & 1) ? _mm256_srli_epi16(v, 4) : v, low4);
        for (int t = 0; t < T; ++t) {
          s32[t] = _mm256_dpbusd_epi32(s32[t], u, bcast4(xb[t][b].qs + 32 * j + 4 * i));
        }
      }
      const __m256i sc = even_bytes_u32(blk + kQ4KScales + 16 * j);
      for (int t = 0; t < T; ++t) isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(s32[t], sc));
    }
    __m256i mins[4];
    q4_K_mins(blk, mins);
    const __m256 dv = scales8(blk);
    const __m256 dmv = scales8(blk + 16);
    for (int t = 0; t < T; ++t) {
      const __m256i msum = q4_K_min_sums(mins, xb[t][b].bsums);
      const __m256 dx = _mm256_set1_ps(xb[t][b].d);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dv, dx), acc[t]);
      acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_mul_ps(dmv, dx), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
void q6_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t /*sums_offset*/, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), hmask = _mm256_set1_epi8(0x30);
  __m256 acc[T];
  const block_q8_K* xb[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ6KBlock;
    prefetch_ahead<kQ6KBlock>(blk);
    // The offset term first: -32 * sum_g sc_g * bsum_g per row. Row r's
    // scales of sub-blocks 2p and 2p+1 go to int16 lanes 2r, 2r+1, so one
    // vpdpwssd against the broadcast bsum pair adds both products.
    __m256i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
    for (int p = 0; p < 8; ++p) {
      const __m128i s0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kQ6KScales + 32 * p));
      const __m128i s1 =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kQ6KScales + 32 * p + 16));
      const __m128i even = _mm_set1_epi16(0x00FF);
      const __m256i pair = _mm256_cvtepi8_epi16(
          _mm_or_si128(_mm_and_si128(s0, even), _mm_andnot_si128(even, s1)));
      for (int t = 0; t < T; ++t) {
        isum[t] = _mm256_dpwssd_epi32(isum[t], pair, bcast4(xb[t][b].bsums + 2 * p));
      }
    }
    for (int t = 0; t < T; ++t) isum[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(isum[t], 5));
    const uint8_t* lo = blk + kQ6KLow;
    const uint8_t* hi = blk + kQ6KHigh;
    // Sub-block 4q + hh holds the element groups 16q + h, h = 4hh .. 4hh+3:
    // elements 64q + 4h .. 64q + 4h + 3. Their low nibbles are in vector h
    // (q = 0, 2) or h + 16 (q = 1, 3), low half for q < 2, high for q >= 2;
    // the high bit pairs at bits 2q of high vector h.
    for (int hh = 0; hh < 4; ++hh) {
      for (int q = 0; q < 4; ++q) {
        __m256i w[4];
        for (int e = 0; e < 4; ++e) {
          const int h = 4 * hh + e;
          const __m256i lv = loadv(lo + 32 * (h + 16 * (q & 1)));
          const __m256i hv = loadv(hi + 32 * h);
          const __m256i l = _mm256_and_si256(q < 2 ? lv : _mm256_srli_epi16(lv, 4), low4);
          const __m256i hb = q == 0 ? _mm256_slli_epi16(hv, 4)
                           : q == 1 ? _mm256_slli_epi16(hv, 2)
                           : q == 2 ? hv
                                    : _mm256_srli_epi16(hv, 2);
          w[e] = _mm256_or_si256(l, _mm256_and_si256(hb, hmask));
        }
        const __m256i sc = even_bytes_i32(blk + kQ6KScales + 16 * (4 * q + hh));
        const int e0 = 64 * q + 16 * hh;
        for (int t = 0; t < T; ++t) {
          __m256i s32 = _mm256_setzero_si256();
          for (int e = 0; e < 4; ++e) s32 = _mm256_dpbusd_epi32(s32, w[e], bcast4(xb[t][b].qs + e0 + 4 * e));
          isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(s32, sc));
        }
      }
    }
    const __m256 dv = scales8(blk);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]),
                               _mm256_mul_ps(dv, _mm256_set1_ps(xb[t][b].d)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}


// Offset of the precomputed 8 * sum(x) per block after a Q8_0 row.
inline size_t q8_0_sums_offset(int64_t k) { return static_cast<size_t>(k / kQK) * sizeof(block_q8_0); }

}  // namespace

void gemm_q4_0_x8_avx512(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 8>(a, kQK, kQ4Block, q8_0_sums_offset(a.k),
      [](auto tokens, auto... args) { q4_0_group<decltype(tokens)::value>(args...); });
}

void gemm_q5_0_x8_avx512(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 8>(a, kQK, kQ5Block, q8_0_sums_offset(a.k),
      [](auto tokens, auto... args) { q5_0_group<decltype(tokens)::value>(args...); });
}

void gemm_q8_0_x8_avx512(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 8>(a, kQK, kQ8Block, q8_0_sums_offset(a.k),
      [](auto tokens, auto... args) { q8_0_group<decltype(tokens)::value>(args...); });
}

void gemm_q4_K_x8_avx512(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK_K, kQ4KBlock, 0,
      [](auto tokens, auto... args) { q4_K_group<decltype(tokens)::value>(args...); });
}

void gemm_q6_K_x8_avx512(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK_K, kQ6KBlock, 0,
      [](auto tokens, auto... args) { q6_K_group<decltype(tokens)::value>(args...); });
}

}  // namespace edgellm::kernels::EDGELLM_AVX512_NS
