// F32, F16 and BF16 weights x F32 activations on the armv8.0-a baseline
// (fmla; F16 widened with fcvtl/fcvtl2, BF16 with a 16-bit shift). For
// F16/BF16 the activations were already rounded to the weight type
// (round_*_neon), so each product is exact in float as in the reference;
// only the accumulation differs (8 float lanes: two vectors per row x token,
// as the AVX2 kernels).
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/ref/fp16.h"

namespace edgellm::kernels::arm {
namespace {

struct F32W {
  static constexpr size_t kBytes = 4;
  static inline void load8(const uint8_t* p, float32x4_t* a, float32x4_t* b) {
    *a = vld1q_f32(reinterpret_cast<const float*>(p));
    *b = vld1q_f32(reinterpret_cast<const float*>(p) + 4);
  }
  static inline float load1(const uint8_t* p) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
};

struct F16W {
  static constexpr size_t kBytes = 2;
  static inline void load8(const uint8_t* p, float32x4_t* a, float32x4_t* b) {
    const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(reinterpret_cast<const uint16_t*>(p)));
    *a = vcvt_f32_f16(vget_low_f16(h));
    *b = vcvt_high_f32_f16(h);
  }
  static inline float load1(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return fp16_to_fp32(h);
  }
};

struct BF16W {
  static constexpr size_t kBytes = 2;
  static inline void load8(const uint8_t* p, float32x4_t* a, float32x4_t* b) {
    const uint16x8_t v = vld1q_u16(reinterpret_cast<const uint16_t*>(p));
    *a = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(v), 16));
    *b = vreinterpretq_f32_u32(vshll_high_n_u16(v, 16));
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
  float32x4_t acc0[R][T], acc1[R][T];
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) acc0[r][t] = acc1[r][t] = vdupq_n_f32(0.0f);
  }
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    float32x4_t x0[T], x1[T];
    for (int t = 0; t < T; ++t) {
      x0[t] = vld1q_f32(x + t * x_stride + i);
      x1[t] = vld1q_f32(x + t * x_stride + i + 4);
    }
    for (int r = 0; r < R; ++r) {
      float32x4_t w0, w1;
      W::load8(w + r * w_row_bytes + i * W::kBytes, &w0, &w1);
      for (int t = 0; t < T; ++t) {
        acc0[r][t] = vfmaq_f32(acc0[r][t], w0, x0[t]);
        acc1[r][t] = vfmaq_f32(acc1[r][t], w1, x1[t]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int t = 0; t < T; ++t) {
      float s = vaddvq_f32(vaddq_f32(acc0[r][t], acc1[r][t]));
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
  // Activation rows in chunks that stay in L2 while the rows stream past.
  int64_t chunk = static_cast<int64_t>((256u << 10) / (a.x_row_bytes ? a.x_row_bytes : 1));
  chunk = chunk < T ? T : chunk - chunk % T;
  for (int64_t t0 = 0; t0 < a.n_tokens; t0 += chunk) {
    const int64_t t1 = t0 + chunk < a.n_tokens ? t0 + chunk : a.n_tokens;
    int64_t r = a.row_begin;
    for (; r + R <= a.row_end; r += R) {
      const uint8_t* wr = w + r * a.w_row_bytes;
      int64_t t = t0;
      for (; t + T <= t1; t += T) {
        tile<W, R, T>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
      }
      for (; t < t1; ++t) {
        tile<W, R, 1>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
      }
    }
    for (; r < a.row_end; ++r) {
      const uint8_t* wr = w + r * a.w_row_bytes;
      int64_t t = t0;
      for (; t + T <= t1; t += T) {
        tile<W, 1, T>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
      }
      for (; t < t1; ++t) {
        tile<W, 1, 1>(wr, a.w_row_bytes, x + t * xs, xs, a.k, a.y + t * a.y_stride + r, a.y_stride);
      }
    }
  }
}

template <class W>
void gemm(const GemmArgs& a) {
  if (a.n_tokens == 1) {
    run<W, 4, 1>(a);
  } else {
    run<W, 4, 2>(a);
  }
}

}  // namespace

void gemm_f32_neon(const GemmArgs& a) { gemm<F32W>(a); }
void gemm_f16_neon(const GemmArgs& a) { gemm<F16W>(a); }
void gemm_bf16_neon(const GemmArgs& a) { gemm<BF16W>(a); }

// fcvtn rounds to nearest even as fp32_to_fp16 does (finite values and
// infinities identical; a NaN stays a NaN), fcvtl widens exactly.
void round_f16_neon(const float* src, void* dst, int64_t n) {
  float* out = static_cast<float*>(dst);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    vst1q_f32(out + i, vcvt_f32_f16(vcvt_f16_f32(vld1q_f32(src + i))));
  }
  for (; i < n; ++i) out[i] = fp16_to_fp32(fp32_to_fp16(src[i]));
}

void round_bf16_neon(const float* src, void* dst, int64_t n) {
  float* out = static_cast<float*>(dst);
  for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_fp32(fp32_to_bf16(src[i]));
}

}  // namespace edgellm::kernels::arm
