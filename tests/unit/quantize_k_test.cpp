// K-quant weight quantizers (kernels/ref/quantize_k.cpp): round-trip error
// bounds per type on random data, edge cases (zeros, constants, tiny values),
// and bit-exactness against llama-quantize's output in the shared fixtures.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "kernels/kernels.h"
#include "runtime/gguf/gguf.h"
#include "test_util.h"

namespace edgellm {
namespace {

using kernels::ref_traits;

constexpr DType kKTypes[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::vector<uint8_t> quantize(DType t, const std::vector<float>& x) {
  size_t bytes = 0;
  EXPECT_TRUE(dtype_row_bytes(t, static_cast<int64_t>(x.size()), &bytes));
  std::vector<uint8_t> q(bytes);
  ref_traits(t)->from_float(x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> roundtrip(DType t, const std::vector<float>& x) {
  const std::vector<uint8_t> q = quantize(t, x);
  std::vector<float> y(x.size());
  ref_traits(t)->to_float(q.data(), y.data(), static_cast<int64_t>(x.size()));
  return y;
}

// Relative RMS error: rms(y - x) / rms(x).
double rel_rmse(const std::vector<float>& x, const std::vector<float>& y) {
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    num += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
    den += double(x[i]) * x[i];
  }
  return std::sqrt(num / den);
}

TEST(QuantizeK, TraitsOfferFromFloat) {
  for (DType t : kKTypes) EXPECT_NE(ref_traits(t)->from_float, nullptr) << dtype_name(t);
}

TEST(QuantizeK, GaussianRoundTripWithinBound) {
  std::mt19937 rng(42);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> x(256 * 64);
  for (float& v : x) v = nd(rng);
  // Expected relative RMS error of the reference quantizers on N(0,1) data
  // (measured ~0.33, 0.17, 0.083, 0.041, 0.020), with margin.
  const struct { DType t; double bound; } cases[] = {
      {DType::Q2_K, 0.40}, {DType::Q3_K, 0.21}, {DType::Q4_K, 0.10},
      {DType::Q5_K, 0.05}, {DType::Q6_K, 0.025}};
  for (const auto& c : cases) {
    const std::vector<float> y = roundtrip(c.t, x);
    const double e = rel_rmse(x, y);
    EXPECT_LT(e, c.bound) << dtype_name(c.t);
    EXPECT_GT(e, 0.0) << dtype_name(c.t);
    for (float v : y) ASSERT_TRUE(std::isfinite(v));
  }
}

TEST(QuantizeK, MoreBitsLessError) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> ud(-3.f, 5.f);  // asymmetric range
  std::vector<float> x(256 * 16);
  for (float& v : x) v = ud(rng);
  double prev = 1e9;
  for (DType t : kKTypes) {
    const double e = rel_rmse(x, roundtrip(t, x));
    EXPECT_LT(e, prev) << dtype_name(t);
    prev = e;
  }
}

TEST(QuantizeK, DegenerateBlocks) {
  for (DType t : kKTypes) {
    // All zeros decode to zeros.
    std::vector<float> z(512, 0.f);
    for (float v : roundtrip(t, z)) EXPECT_EQ(v, 0.f) << dtype_name(t);
    // A constant block and tiny values stay finite and close.
    std::vector<float> c(512, 0.75f);
    for (float v : roundtrip(t, c)) EXPECT_NEAR(v, 0.75f, 0.2f) << dtype_name(t);
    std::vector<float> tiny(512);
    for (size_t i = 0; i < tiny.size(); ++i) tiny[i] = 1e-20f * float(int(i % 7) - 3);
    for (float v : roundtrip(t, tiny)) EXPECT_TRUE(std::isfinite(v)) << dtype_name(t);
    // One outlier per block.
    std::vector<float> o(512, 0.01f);
    o[3] = 100.f;
    o[300] = -80.f;
    const std::vector<float> y = roundtrip(t, o);
    EXPECT_NEAR(y[3], 100.f, 100.f * 0.1f) << dtype_name(t);
    EXPECT_NEAR(y[300], -80.f, 80.f * 0.1f) << dtype_name(t);
  }
}

TEST(QuantizeK, Deterministic) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.f, 0.02f);
  std::vector<float> x(1024);
  for (float& v : x) v = nd(rng);
  for (DType t : kKTypes) EXPECT_EQ(quantize(t, x), quantize(t, x)) << dtype_name(t);
}

// llama-quantize (no imatrix) output for every 2-D tensor of the llama
// fixtures whose type we can produce, against quantizing the F32 source.
TEST(QuantizeK, BitExactAgainstLlamaQuantize) {
  const std::string dir = fixtures_dir();
  if (dir.empty()) GTEST_SKIP() << "shared fixtures not found (set EDGELLM_FIXTURES)";
  std::unique_ptr<gguf::File> src;
  ASSERT_TRUE(gguf::File::open(dir + "/models/llama-f32.gguf", &src).ok());
  int compared_k = 0;
  for (const char* stem : {"q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k", "q4_0", "q4_1", "q5_0",
                           "q5_1", "q8_0", "f16", "bf16"}) {
    std::unique_ptr<gguf::File> q;
    ASSERT_TRUE(gguf::File::open(dir + "/models/llama-" + std::string(stem) + ".gguf", &q).ok())
        << stem;
    for (const gguf::TensorInfo& ti : q->tensors()) {
      if (ti.type == DType::F32) continue;
      const gguf::TensorInfo* s = src->tensor(ti.name);
      ASSERT_NE(s, nullptr) << ti.name;
      ASSERT_EQ(s->n_elements(), ti.n_elements());
      std::vector<float> x(static_cast<size_t>(s->n_elements()));
      std::memcpy(x.data(), s->data, x.size() * sizeof(float));
      const std::vector<uint8_t> mine = quantize(ti.type, x);
      ASSERT_EQ(mine.size(), ti.n_bytes) << stem << " " << ti.name;
      EXPECT_EQ(std::memcmp(mine.data(), ti.data, ti.n_bytes), 0)
          << stem << " " << ti.name << " " << dtype_name(ti.type);
      for (DType t : kKTypes) compared_k += ti.type == t;
    }
  }
  EXPECT_GT(compared_k, 40);
}

}  // namespace
}  // namespace edgellm
