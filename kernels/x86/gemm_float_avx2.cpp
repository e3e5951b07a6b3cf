// F32, F16 and BF16 weights x F32 activations, AVX2+FMA+F16C. For F16/BF16
// the activations were already rounded to the weight type (round_*_avx2),
// so each product is exact in float as in the reference; only the
// accumulation differs (8 float lanes instead of one double).
#include <cstring>

#include "kernels/ref/fp16.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct F32W {
  static constexpr size_t kBytes = 4;
  static inline __m256 load8(const uint8_t* p) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  }
  static inline float load1(const uint8_t* p) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
};

struct F16W {
  static constexpr size_t kBytes = 2;
  static inline __m256 load8(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static inline float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return fp16(h);
  }
};

struct BF16W {
  static constexpr size_t kBytes = 2;
  static inline __m256 load8(const uint8_t* p) {
    const __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
  }
  static inline float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return bf16_to_fp32(h);
  }
};

// R rows x T tokens register tile over the whole row; a scalar tail covers
// k % 8 (e.g. stories260K's 172-wide rows).
template <class W, int R, int T>
void tile(const uint8_t* w, size_t w_row_bytes, const float* x, size_t x_stride, int64_t k,
          float* y, int64_t y_stride) {
  __m256 acc[R][T];
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
  }
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    __m256 xv[T];
    for (int t = 0; t < T; ++t) xv[t] = _mm256_loadu_ps(x + t * x_stride + i);
    for (int r = 0; r < R; ++r) {
      const __m256 wv = W::load8(w + r * w_row_bytes + i * W::kBytes);
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_fmadd_ps(wv, xv[t], acc[r][t]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) {
      float s = hsum(acc[r][t]);
      for (int64_t j = i; j < k; ++j) {
        s += W::load1(w + r * w_row_bytes + j * W::kBytes) * x[t * x_stride + j];
      }
      y[t * y_stride + r] = s;
    }
  }
}

template <class W, int R, int T>
void run(const GemmArgs& a) {
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const float* x = static_cast<const float*>(a.x);
  const size_t xs = a.x_row_bytes / sizeof(float);
  int64_t chunk = static_cast<int64_t>((256u << 10) / (a.x_row_bytes ? a.x_row_bytes : 1));
  chunk = chunk < T ? T : chunk - chunk % T;
  for (int64_t t0 = 0; t0 < a.n_tokens; t0 += chunk) {
    const int64_t t1 = t0 + chunk < a.n_tokens ? t0 + chunk : a.n_tokens;
    int64_t r = a.row_begin;
    for (; r < a.row_end; r += R) {
      const bool full = r + R <= a.row_end;
      const uint8_t* wr = w + r * a.w_row_bytes;
      int64_t t = t0;
      for (; t + T <= t1; t += T) {
        if (full) {
          tile<W, R, T>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
        } else {
          for (int64_t rr = r; rr < a.row_end; ++rr) {
            tile<W, 1, T>(w + rr * a.w_row_bytes, a.w_row_bytes, x + t * xs, xs, a.k,
                          a.y + t * a.y_stride + rr, a.y_stride);
          }
        }
      }
      for (; t < t1; ++t) {
        if (full) {
          tile<W, R, 1>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
        } else {
          for (int64_t rr = r; rr < a.row_end; ++rr) {
            tile<W, 1, 1>(w + rr * a.w_row_bytes, a.w_row_bytes, x + t * xs, xs, a.k,
                          a.y + t * a.y_stride + rr, a.y_stride);
          }
        }
      }
    }
  }
}

template <class W>
void gemm(const GemmArgs& a) {
  if (a.n_tokens == 1) {
    run<W, 4, 1>(a);
  } else {
    run<W, 4, 3>(a);
  }
}

}  // namespace

void gemm_f32_avx2(const GemmArgs& a) { gemm<F32W>(a); }
void gemm_f16_avx2(const GemmArgs& a) { gemm<F16W>(a); }
void gemm_bf16_avx2(const GemmArgs& a) { gemm<BF16W>(a); }

void round_f16_avx2(const float* src, void* dst, int64_t n) {
  float* out = static_cast<float*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) out[i] = fp16_to_fp32(fp32_to_fp16(src[i]));
}

void round_bf16_avx2(const float* src, void* dst, int64_t n) {
  float* out = static_cast<float*>(dst);
  for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_fp32(fp32_to_bf16(src[i]));
}

}  // namespace edgellm::kernels::x86
