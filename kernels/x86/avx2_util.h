// Shared AVX2 building blocks: horizontal sums, the signed 8-bit dot
// product, and the register-tiled GEMM driver every block format plugs into.
// Include only from files compiled with -mavx2 -mfma -mf16c.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels::x86 {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float fp16(uint16_t h) { return _cvtsh_ss(h); }

// Eight int32 partial sums of a[i]*b[i] over 32 signed bytes. The sign of a
// moves onto b so vpmaddubsw (unsigned x signed) applies; |a| <= 128 and
// |b| <= 127 keep each int16 pair sum within range.
inline __m256i dot_i8(__m256i a, __m256i b) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// Same with |a| precomputed (abs_a = |a| as unsigned bytes).
inline __m256i dot_i8_abs(__m256i abs_a, __m256i a, __m256i b) {
  const __m256i p16 = _mm256_maddubs_epi16(abs_a, _mm256_sign_epi8(b, a));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// The GEMM driver. A format F supplies:
//   F::WBlock, F::XBlock   weight / activation block types (same element count)
//   F::Dec                 a weight block decoded once, reused for every token
//   F::decode(const WBlock&, Dec*)
//   F::accum(__m256& acc, const Dec&, const XBlock&)   acc += partial dot (8 lanes)
// Tiles of R rows x T tokens keep R*T accumulators in registers: each weight
// block is decoded once per tile and used T times, each activation block
// loaded once per row. Activation rows are walked in chunks that stay in L2
// while every row tile of this thread's range streams past them.
// Software prefetch of each row kRowPrefetchBytes ahead of block ib, one
// line at a time (blocks under 64 bytes: every 64/size-th block). With R
// rows in flight per tile that is R streams; docs/kernels.md, "Prefetch".
// Internal linkage (see repacked_groups.h); only AVX2 files include this
// header, whose older helpers are external inline functions.
namespace {  // NOLINT(google-build-namespaces)
constexpr size_t kRowPrefetchBytes = 2048;

template <class WBlock>
inline void prefetch_row_ahead(const uint8_t* row, int64_t ib) {
  const uint8_t* p = row + static_cast<size_t>(ib) * sizeof(WBlock) + kRowPrefetchBytes;
  if constexpr (sizeof(WBlock) >= 64) {
    for (size_t i = 0; i < sizeof(WBlock); i += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(p + i), _MM_HINT_T0);
    }
  } else {
    if (ib % static_cast<int64_t>(64 / sizeof(WBlock)) == 0) {
      _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    }
  }
}
}  // namespace

template <class F, int R, int T>
inline void gemm_tile(const uint8_t* w, size_t w_row_bytes, const uint8_t* x, size_t x_row_bytes,
                      int64_t nb, float* y, int64_t y_stride) {
  __m256 acc[R][T];
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
  }
  for (int64_t ib = 0; ib < nb; ++ib) {
    for (int r = 0; r < R; ++r) {
      prefetch_row_ahead<typename F::WBlock>(w + r * w_row_bytes, ib);
      typename F::Dec d;
      F::decode(reinterpret_cast<const typename F::WBlock*>(w + r * w_row_bytes)[ib], &d);
      for (int t = 0; t < T; ++t) {
        F::accum(acc[r][t], d,
                 reinterpret_cast<const typename F::XBlock*>(x + t * x_row_bytes)[ib]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) y[t * y_stride + r] = hsum(acc[r][t]);
  }
}

template <class F, int R, int T>
void gemm_blocks(const GemmArgs& a) {
  const int64_t nb = a.k / F::kBlockElems;
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  // ~256 KiB of activations per chunk (a multiple of T tokens).
  int64_t chunk = static_cast<int64_t>((256u << 10) / (a.x_row_bytes ? a.x_row_bytes : 1));
  chunk = chunk < T ? T : chunk - chunk % T;
  for (int64_t t0 = 0; t0 < a.n_tokens; t0 += chunk) {
    const int64_t t1 = t0 + chunk < a.n_tokens ? t0 + chunk : a.n_tokens;
    int64_t r = a.row_begin;
    for (; r + R <= a.row_end; r += R) {
      const uint8_t* wr = w + r * a.w_row_bytes;
      int64_t t = t0;
      for (; t + T <= t1; t += T) {
        gemm_tile<F, R, T>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                           a.y + t * a.y_stride + r, a.y_stride);
      }
      for (; t < t1; ++t) {
        gemm_tile<F, R, 1>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                           a.y + t * a.y_stride + r, a.y_stride);
      }
    }
    for (; r < a.row_end; ++r) {
      const uint8_t* wr = w + r * a.w_row_bytes;
      int64_t t = t0;
      for (; t + T <= t1; t += T) {
        gemm_tile<F, 1, T>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                           a.y + t * a.y_stride + r, a.y_stride);
      }
      for (; t < t1; ++t) {
        gemm_tile<F, 1, 1>(wr, a.w_row_bytes, x + t * a.x_row_bytes, a.x_row_bytes, nb,
                           a.y + t * a.y_stride + r, a.y_stride);
      }
    }
  }
}

// Decode (one token) and prefill (many) use different tiles: a GEMV gains
// nothing from token reuse, so it spends registers on more rows in flight.
template <class F, int RGemv, int RGemm, int TGemm>
void gemm_dispatch(const GemmArgs& a) {
  if (a.n_tokens == 1) {
    gemm_blocks<F, RGemv, 1>(a);
  } else {
    gemm_blocks<F, RGemm, TGemm>(a);
  }
}

}  // namespace edgellm::kernels::x86
