#include "kernels/ref/ops.h"

#include <cmath>

#include "kernels/ref/fp16.h"

namespace edgellm::kernels {

void rms_norm_f32(const float* x, const float* w, float* y, int64_t n, float eps) {
  // Squares in float, summed in double like ggml, but in 4 interleaved
  // partial sums where ggml sums in order (the compiler vectorizes them; one
  // sequential chain cost ~8 instructions per element on aarch64). In double
  // the order changes the sum by ~1e-16 relative: the float mean can differ
  // from ggml's in its last bit only rarely.
  double part[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int l = 0; l < 4; ++l) part[l] += static_cast<double>(x[i + l] * x[i + l]);
  }
  double sum = (part[0] + part[1]) + (part[2] + part[3]);
  for (; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  if (w) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * scale) * w[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale;
  }
}

void layer_norm_f32(const float* x, const float* w, const float* b, float* y, int64_t n,
                    float eps) {
  // As ggml_norm: mean and variance accumulated in double, applied in float.
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  double var = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] - mean;
    y[i] = v;
    var += static_cast<double>(v * v);
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(var / static_cast<double>(n)) + eps);
  for (int64_t i = 0; i < n; ++i) {
    float v = y[i] * scale;
    if (w) v *= w[i];
    if (b) v += b[i];
    y[i] = v;
  }
}

void rope_f32(float* x, int64_t head_dim, int64_t n_rot, int32_t pos, float freq_base,
              float freq_scale, bool neox, const float* freq_factors) {
  rope_f32_heads(x, 1, head_dim, n_rot, pos, freq_base, freq_scale, neox, freq_factors);
}

void rope_f32_heads(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, int32_t pos,
                    float freq_base, float freq_scale, bool neox, const float* freq_factors) {
  // Angles advance by a constant factor per pair, as ggml computes them;
  // pairs are taken in chunks whose cos/sin every head then uses.
  const float theta_scale = std::pow(freq_base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  const int64_t half = n_rot / 2;
  constexpr int64_t kChunk = 64;
  float cs[kChunk], sn[kChunk];
  for (int64_t i0 = 0; i0 < half; i0 += kChunk) {
    const int64_t m = half - i0 < kChunk ? half - i0 : kChunk;
    for (int64_t j = 0; j < m; ++j) {
      const int64_t i = i0 + j;
      const float angle = (freq_factors ? theta / freq_factors[i] : theta) * freq_scale;
      cs[j] = std::cos(angle);
      sn[j] = std::sin(angle);
      theta *= theta_scale;
    }
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + h * head_dim;
      for (int64_t j = 0; j < m; ++j) {
        const int64_t i = i0 + j;
        float* a = neox ? &v[i] : &v[2 * i];
        float* b = neox ? &v[i + half] : &v[2 * i + 1];
        const float x0 = *a;
        const float x1 = *b;
        *a = x0 * cs[j] - x1 * sn[j];
        *b = x0 * sn[j] + x1 * cs[j];
      }
    }
  }
}

void softmax_f32(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - max);
    x[i] = e;
    sum += static_cast<double>(e);
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void swiglu_f32(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    y[i] = (g / (1.0f + std::exp(-g))) * up[i];
  }
}

float gelu_f32(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  const float h = fp16_to_fp32(fp32_to_fp16(x));
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoef = 0.044715f;
  const float g = 0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoef * h * h)));
  return fp16_to_fp32(fp32_to_fp16(g));
}

void geglu_f32(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gelu_f32(gate[i]) * up[i];
}

void softcap_f32(float* x, int64_t n, float cap) {
  const float inv = 1.0f / cap;
  for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i] * inv) * cap;
}

void scale_f32(float* x, int64_t n, float s) {
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

void add_f32(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

}  // namespace edgellm::kernels
