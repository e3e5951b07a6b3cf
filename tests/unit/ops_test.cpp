// Element-wise and per-head ops (kernels/ref/ops.h) against direct formulas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/activations.h"
#include "kernels/dispatch.h"
#include "kernels/ref/ops.h"

namespace edgellm::kernels {
namespace {

// ggml's rotary embedding of one head, written out directly: the angle of
// pair i is pos * base^(-2i/n_rot) advanced by repeated multiplication,
// divided by the pair's frequency factor, times freq_scale.
void rope_one_head(float* v, int64_t n_rot, int32_t pos, float base, float scale, bool neox,
                   const float* ff) {
  const float theta_scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
  float theta = static_cast<float>(pos);
  const int64_t half = n_rot / 2;
  for (int64_t i = 0; i < half; ++i) {
    const float angle = (ff ? theta / ff[i] : theta) * scale;
    const float c = std::cos(angle), s = std::sin(angle);
    float* a = neox ? &v[i] : &v[2 * i];
    float* b = neox ? &v[i + half] : &v[2 * i + 1];
    const float x0 = *a, x1 = *b;
    *a = x0 * c - x1 * s;
    *b = x0 * s + x1 * c;
    theta *= theta_scale;
  }
}

// All heads of a position at once give exactly the per-head results, for
// partial rotation, both pair layouts, frequency factors, and rotary widths
// past the kernel's cos/sin chunk (64 pairs).
TEST(Ops, RopeHeadsBitIdenticalToPerHead) {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  struct Shape {
    int64_t heads, head_dim, n_rot;
  };
  int cases = 0;
  for (const Shape sh : {Shape{1, 64, 64}, Shape{9, 64, 64}, Shape{3, 128, 64}, Shape{5, 96, 32},
                         Shape{2, 256, 256}, Shape{4, 160, 130}}) {
    for (bool neox : {false, true}) {
      for (bool factors : {false, true}) {
        for (int32_t pos : {0, 1, 37, 4095}) {
          std::vector<float> x(static_cast<size_t>(sh.heads * sh.head_dim));
          for (float& v : x) v = nd(rng);
          std::vector<float> ff(static_cast<size_t>(sh.n_rot / 2));
          for (float& f : ff) f = 1.0f + std::fabs(nd(rng));
          std::vector<float> want = x;
          for (int64_t h = 0; h < sh.heads; ++h) {
            rope_one_head(want.data() + h * sh.head_dim, sh.n_rot, pos, 10000.0f, 0.5f, neox,
                          factors ? ff.data() : nullptr);
          }
          rope_f32_heads(x.data(), sh.heads, sh.head_dim, sh.n_rot, pos, 10000.0f, 0.5f, neox,
                         factors ? ff.data() : nullptr);
          ASSERT_EQ(0, std::memcmp(x.data(), want.data(), x.size() * sizeof(float)))
              << "heads " << sh.heads << " head_dim " << sh.head_dim << " n_rot " << sh.n_rot
              << " neox " << neox << " pos " << pos;
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(cases, 6 * 2 * 2 * 4);
}

// Distance in units of the last place of `want` (a float), with values
// below the normal range measured in the smallest subnormal.
double ulps(float got, double want) {
  const double w = static_cast<double>(static_cast<float>(want));
  const int e = w == 0.0 ? -149 : std::max(std::ilogb(w) - 23, -149);
  return std::fabs(static_cast<double>(got) - want) / std::ldexp(1.0, e);
}

std::vector<Isa> act_paths() {
  std::vector<Isa> v;
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa_available(isa) && act_kernels(isa)->isa == isa) v.push_back(isa);
  }
  return v;
}

// Gate values over the whole float range exp sees: typical activations,
// the overflow / underflow edges of exp(-g), subnormals, infinities, NaN.
std::vector<float> gate_values(std::mt19937& rng) {
  std::vector<float> g = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-45f, -1e-45f, 88.0f, -88.0f,
                          88.72f, -88.72f, 88.73f, -88.73f, 89.0f, -89.0f, 87.33f, -87.33f,
                          103.9f, -103.9f, 104.0f, -104.0f, 120.0f, -120.0f, 1e30f, -1e30f,
                          __builtin_inff(), -__builtin_inff(), __builtin_nanf("")};
  std::normal_distribution<float> nd(0.0f, 3.0f);
  std::uniform_real_distribution<float> wide(-110.0f, 110.0f);
  for (int i = 0; i < 20000; ++i) g.push_back(i % 2 ? nd(rng) : wide(rng));
  return g;
}

// SwiGLU of every path against the exact value (double) of
// g / (1 + exp(-g)) * u: within 3 ulp of the rounded result (the exp
// approximation, its 2^n scaling and the division, add and multiply each
// round once) above 1e-30, NaN where it is NaN. Each element's result must not depend
// on where it sits in the row (tails go through a padded vector).
TEST(Ops, SwigluPathsWithinUlpsOfExact) {
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const std::vector<float> g = gate_values(rng);
  std::vector<float> u(g.size());
  for (size_t i = 0; i < u.size(); ++i) u[i] = i % 3 ? nd(rng) : 1.0f;
  for (Isa isa : act_paths()) {
    const ActKernels& ak = *act_kernels(isa);
    std::vector<float> y(g.size());
    ak.swiglu(g.data(), u.data(), y.data(), static_cast<int64_t>(g.size()));
    double worst = 0.0;
    for (size_t i = 0; i < g.size(); ++i) {
      const double gd = g[i];
      const double want = gd / (1.0 + std::exp(-gd)) * static_cast<double>(u[i]);
      if (std::isnan(want)) {
        ASSERT_TRUE(std::isnan(y[i])) << ak.name << " g=" << g[i];
        continue;
      }
      if (std::isinf(want)) {
        ASSERT_EQ(y[i], static_cast<float>(want)) << ak.name << " g=" << g[i];
        continue;
      }
      // Below 1e-30 (where exp(-g) overflows float) only absolute error
      // means anything; libm's reference gives 0 there too.
      if (std::fabs(want) < 1e-30) {
        ASSERT_LE(std::fabs(y[i] - want), 1e-30) << ak.name << " g=" << g[i];
        continue;
      }
      const double err = ulps(y[i], want);
      worst = std::max(worst, err);
      ASSERT_LE(err, 3.0) << ak.name << " g=" << g[i] << " u=" << u[i] << " got " << y[i]
                          << " want " << want;
    }
    // Position independence: every length 1..19 from every offset.
    for (int64_t n = 1; n <= 19; ++n) {
      for (size_t off = 0; off < 40; off += 7) {
        std::vector<float> yn(static_cast<size_t>(n));
        ak.swiglu(g.data() + off, u.data() + off, yn.data(), n);
        ASSERT_EQ(0, std::memcmp(yn.data(), y.data() + off, yn.size() * sizeof(float)))
            << ak.name << " n=" << n << " offset " << off;
      }
    }
    std::printf("[ops] %-7s swiglu (%s): %zu values, worst %.2f ulp from exact\n", isa_name(isa),
                ak.name, g.size(), worst);
  }
}

// Softmax of every path against the exact (double) softmax of the rounded
// differences x - max: within 8 ulp of
// each probability above 1e-30 (each exp within a few ulp, the float sum and the
// reciprocal round), masked (-inf) keys exactly 0, lengths 1..70 to cover
// every tail and 4096 / 32768 keys (a float accumulator fails there).
TEST(Ops, SoftmaxPathsMatchExact) {
  std::mt19937 rng(12);
  std::normal_distribution<float> nd(0.0f, 4.0f);
  for (Isa isa : act_paths()) {
    const ActKernels& ak = *act_kernels(isa);
    double worst = 0.0;
    int rows = 0;
    std::vector<int64_t> lengths;
    for (int64_t n = 1; n <= 70; ++n) lengths.push_back(n);
    lengths.push_back(4096);   // long contexts: the sum's precision matters
    lengths.push_back(32768);
    for (int64_t n : lengths) {
      for (int rep = 0; rep < (n > 70 ? 3 : 20); ++rep) {
        std::vector<float> x(static_cast<size_t>(n));
        for (float& v : x) v = rep % 5 == 4 ? nd(rng) * 20.0f : nd(rng);
        if (n > 2 && rep % 3 == 0) x[static_cast<size_t>(rep) % x.size()] = -__builtin_inff();
        std::vector<double> want(x.size());
        double mx = -HUGE_VAL, sum = 0.0;
        for (float v : x) mx = std::max(mx, static_cast<double>(v));
        // x - max rounded to float as every implementation computes it
        // (that rounding alone moves exp by up to |x - max| * 2^-24).
        for (size_t i = 0; i < x.size(); ++i) {
          sum += want[i] = std::exp(static_cast<double>(x[i] - static_cast<float>(mx)));
        }
        for (double& w : want) w /= sum;
        std::vector<float> got = x;
        ak.softmax(got.data(), n);
        for (size_t i = 0; i < x.size(); ++i) {
          if (std::isinf(x[i])) {
            ASSERT_EQ(got[i], 0.0f);
            continue;
          }
          // Probabilities below 1e-30 pass through subnormal exp values:
          // only absolute error means anything there.
          if (want[i] < 1e-30) {
            ASSERT_LE(std::fabs(got[i] - want[i]), 1e-30) << ak.name << " n=" << n;
            continue;
          }
          const double err = ulps(got[i], want[i]);
          worst = std::max(worst, err);
          ASSERT_LE(err, 8.0) << ak.name << " n=" << n << " i=" << i << " x=" << x[i] << " got "
                              << got[i] << " want " << want[i];
        }
        ++rows;
      }
    }
    std::printf("[ops] %-7s softmax (%s): %d rows, worst %.2f ulp from exact\n", isa_name(isa),
                ak.name, rows, worst);
  }
}

// The F16 KV row store of every path equals the reference converter bit for
// bit: random normals at several scales (normal, subnormal and overflowing
// halves), exact ties in the subnormal and normal ranges and at overflow
// (65520), zeros, infinities and NaNs of both signs, and lengths 1..19
// from several offsets (the tails).
TEST(Ops, ToF16PathsBitIdenticalToReference) {
  std::mt19937 rng(13);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v = {0.0f, -0.0f, 65504.0f, -65504.0f, 65520.0f, 65519.0f, 1e-8f, -1e-8f,
                          6.1e-5f, 5.96e-8f, 2.98e-8f, 2.99e-8f, __builtin_inff(),
                          -__builtin_inff(), __builtin_nanf(""), -__builtin_nanf(""),
                          __builtin_nanf("0x12345"), 1.0f + 0x1p-11f, 1.0f + 0x3p-11f};
  for (float scale : {1.0f, 1e-6f, 1e-3f, 1e3f, 1e5f}) {
    for (int i = 0; i < 4000; ++i) v.push_back(nd(rng) * scale);
  }
  // Exact ties: the smallest subnormal half's half-step (2^-25) and 3x it,
  // a tie between two subnormal halves, a tie at the normal boundary, and
  // every float whose 13 dropped mantissa bits are exactly half (normal
  // halves).
  for (float t : {0x1p-25f, 0x3p-25f, 0x5p-25f, 0x1.002p-15f, 0x1.006p-15f, 0x1.ffep-15f,
                  -0x1p-25f, -0x3p-25f}) {
    v.push_back(t);
  }
  for (uint32_t e = 100; e < 150; ++e) {
    uint32_t bits = (e << 23) | (static_cast<uint32_t>(rng()) & 0x7FE000u) | 0x1000u;
    float f;
    std::memcpy(&f, &bits, 4);
    v.push_back(f);
  }
  const ActKernels& ref = *act_kernels(Isa::Ref);
  std::vector<uint16_t> want(v.size());
  ref.to_f16(v.data(), want.data(), static_cast<int64_t>(v.size()));
  for (Isa isa : act_paths()) {
    const ActKernels& ak = *act_kernels(isa);
    for (int64_t n : {int64_t{1}, int64_t{3}, int64_t{4}, int64_t{7}, int64_t{8}, int64_t{9},
                      int64_t{19}, static_cast<int64_t>(v.size())}) {
      for (size_t off : {size_t{0}, size_t{5}, size_t{13}}) {
        if (off + static_cast<size_t>(n) > v.size()) continue;
        std::vector<uint16_t> got(static_cast<size_t>(n));
        ak.to_f16(v.data() + off, got.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(got[static_cast<size_t>(i)], want[off + static_cast<size_t>(i)])
              << ak.name << " value " << v[off + static_cast<size_t>(i)] << " n=" << n;
        }
      }
    }
    std::printf("[ops] %-7s to_f16: %zu values bit-identical to the reference\n", isa_name(isa),
                v.size());
  }
}

}  // namespace
}  // namespace edgellm::kernels
