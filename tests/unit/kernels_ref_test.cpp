// Tests for the scalar reference kernels (kernels/ref): bit-exact
// dequantization against llama.cpp goldens, bit-exact re-quantization of the
// F32 fixture tensor against llama-quantize's output, conversion edge cases,
// quantization error bounds, vec_dot against dequantized dot products and
// matmul_ref against direct loops.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/dtype.h"
#include "kernels/kernels.h"
#include "kernels/ref/blocks.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/matmul.h"
#include "tests/unit/test_util.h"

namespace edgellm::kernels {
namespace {

// ---------------------------------------------------------------------------
// Tiny private GGUF tensor locator (keeps this test independent of the
// runtime reader): parses the header, skips metadata, finds one tensor.

bool read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

struct Cursor {
  const std::vector<uint8_t>& b;
  size_t pos = 0;
  bool ok = true;
  template <typename T>
  T get() {
    T v{};
    if (pos + sizeof(T) > b.size()) { ok = false; return v; }
    std::memcpy(&v, b.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  std::string str() {
    const uint64_t n = get<uint64_t>();
    if (!ok || n > b.size() - pos) { ok = false; return ""; }
    std::string s(reinterpret_cast<const char*>(b.data() + pos), n);
    pos += n;
    return s;
  }
  void skip_value(uint32_t type) {
    static const size_t kSizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (type == 8) { str(); return; }
    if (type == 9) {
      const uint32_t et = get<uint32_t>();
      const uint64_t n = get<uint64_t>();
      for (uint64_t i = 0; i < n && ok; ++i) skip_value(et);
      return;
    }
    if (type > 12) { ok = false; return; }
    pos += kSizes[type];
    if (pos > b.size()) ok = false;
  }
};

struct FoundTensor {
  uint32_t type = 0;
  int64_t ne[4] = {1, 1, 1, 1};
  const uint8_t* data = nullptr;
};

bool find_tensor(const std::vector<uint8_t>& file, const std::string& name, FoundTensor* out) {
  Cursor c{file};
  if (c.get<uint32_t>() != 0x46554747u) return false;  // "GGUF"
  c.get<uint32_t>();                                   // version
  const uint64_t n_tensors = c.get<uint64_t>();
  const uint64_t n_kv = c.get<uint64_t>();
  uint64_t alignment = 32;
  for (uint64_t i = 0; i < n_kv && c.ok; ++i) {
    const std::string key = c.str();
    const uint32_t type = c.get<uint32_t>();
    if (key == "general.alignment" && type == 4) {
      alignment = c.get<uint32_t>();
    } else {
      c.skip_value(type);
    }
  }
  bool found = false;
  uint64_t offset = 0;
  for (uint64_t i = 0; i < n_tensors && c.ok; ++i) {
    const std::string tname = c.str();
    const uint32_t nd = c.get<uint32_t>();
    FoundTensor t;
    for (uint32_t d = 0; d < nd && d < 4; ++d) t.ne[d] = static_cast<int64_t>(c.get<uint64_t>());
    t.type = c.get<uint32_t>();
    const uint64_t off = c.get<uint64_t>();
    if (tname == name) { *out = t; offset = off; found = true; }
  }
  if (!c.ok || !found) return false;
  const size_t data_start = (c.pos + alignment - 1) / alignment * alignment;
  if (data_start + offset > file.size()) return false;
  out->data = file.data() + data_start + offset;
  return true;
}

// Value of "key": "..." in a flat JSON object (enough for the fixture files).
std::string json_string(const std::string& json, const std::string& key) {
  const size_t k = json.find("\"" + key + "\"");
  if (k == std::string::npos) return "";
  const size_t q1 = json.find('"', json.find(':', k) + 1);
  const size_t q2 = json.find('"', q1 + 1);
  return json.substr(q1 + 1, q2 - q1 - 1);
}

DType dtype_by_name(const std::string& name) {
  for (uint32_t id = 0; id < 64; ++id) {
    const DTypeInfo* info = dtype_info(id);
    if (info && name == info->name) return info->type;
  }
  ADD_FAILURE() << "unknown type " << name;
  return DType::F32;
}

struct Fixture {
  DType type;
  int64_t ne0 = 0, ne1 = 0;
  std::vector<uint8_t> model;
  FoundTensor tensor;
  std::vector<float> golden;
};

// Loads dequant/<name>.json, its golden floats and the source tensor bytes.
bool load_fixture(const std::string& dir, const std::string& name, Fixture* fx) {
  std::vector<uint8_t> json_bytes;
  if (!read_file(dir + "/dequant/" + name + ".json", &json_bytes)) return false;
  const std::string json(json_bytes.begin(), json_bytes.end());
  fx->type = dtype_by_name(json_string(json, "type"));
  if (!read_file(dir + "/" + json_string(json, "model"), &fx->model)) return false;
  if (!find_tensor(fx->model, json_string(json, "tensor"), &fx->tensor)) return false;
  fx->ne0 = fx->tensor.ne[0];
  fx->ne1 = fx->tensor.ne[1];
  std::vector<uint8_t> g;
  if (!read_file(dir + "/" + json_string(json, "file"), &g)) return false;
  fx->golden.resize(g.size() / sizeof(float));
  std::memcpy(fx->golden.data(), g.data(), fx->golden.size() * sizeof(float));
  return true;
}

#define REQUIRE_FIXTURES(dir)                                                    \
  const std::string dir = fixtures_dir();                                        \
  if (dir.empty()) {                                                             \
    std::fprintf(stderr, "\n*** FIXTURES MISSING: skipped (set EDGELLM_FIXTURES) ***\n\n"); \
    GTEST_SKIP() << "FIXTURES MISSING: skipped";                                 \
  }

const char* const kDequantTypes[] = {"F16",  "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0",
                                     "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"};

TEST(KernelsRefFixtures, DequantizeBitExact) {
  REQUIRE_FIXTURES(dir);
  for (const char* name : kDequantTypes) {
    SCOPED_TRACE(name);
    Fixture fx;
    ASSERT_TRUE(load_fixture(dir, name, &fx)) << "cannot load fixture " << name;
    ASSERT_EQ(fx.tensor.type, static_cast<uint32_t>(fx.type));
    ASSERT_EQ(static_cast<int64_t>(fx.golden.size()), fx.ne0 * fx.ne1);
    const TypeTraits* tt = ref_traits(fx.type);
    ASSERT_NE(tt, nullptr);
    std::vector<float> out(fx.golden.size());
    // Row by row, as the runtime will call it.
    size_t rb = 0;
    ASSERT_TRUE(dtype_row_bytes(fx.type, fx.ne0, &rb));
    for (int64_t r = 0; r < fx.ne1; ++r) {
      tt->to_float(fx.tensor.data + r * rb, out.data() + r * fx.ne0, fx.ne0);
    }
    EXPECT_EQ(0, std::memcmp(out.data(), fx.golden.data(), out.size() * sizeof(float)))
        << name << " dequantization differs from llama.cpp";
  }
}

// llama-quantize (no imatrix) quantizes with the *_ref quantizers, so
// re-quantizing the F32 fixture tensor must reproduce the file's bytes.
TEST(KernelsRefFixtures, QuantizeReproducesLlamaQuantize) {
  REQUIRE_FIXTURES(dir);
  std::vector<uint8_t> f32_model;
  ASSERT_TRUE(read_file(dir + "/models/llama-f32.gguf", &f32_model));
  FoundTensor src;
  ASSERT_TRUE(find_tensor(f32_model, "blk.0.attn_k.weight", &src));
  ASSERT_EQ(src.type, 0u);
  const int64_t n = src.ne[0] * src.ne[1];
  std::vector<float> x(n);
  std::memcpy(x.data(), src.data, n * sizeof(float));
  for (const char* name : {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"}) {
    SCOPED_TRACE(name);
    Fixture fx;
    ASSERT_TRUE(load_fixture(dir, name, &fx));
    const TypeTraits* tt = ref_traits(fx.type);
    ASSERT_NE(tt->from_float, nullptr);
    size_t bytes = 0;
    ASSERT_TRUE(dtype_row_bytes(fx.type, n, &bytes));
    std::vector<uint8_t> q(bytes);
    for (int64_t r = 0; r < src.ne[1]; ++r) {
      size_t rb = bytes / src.ne[1];
      tt->from_float(x.data() + r * src.ne[0], q.data() + r * rb, src.ne[0]);
    }
    EXPECT_EQ(0, std::memcmp(q.data(), fx.tensor.data, bytes));
  }
}

// ---------------------------------------------------------------------------
// fp16 / bf16 conversions.

TEST(KernelsRefFp16, SpecialValues) {
  const float inf = INFINITY;
  EXPECT_EQ(fp32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(fp32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(fp32_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(fp32_to_fp16(65504.0f), 0x7BFF);          // max finite
  EXPECT_EQ(fp32_to_fp16(65519.99f), 0x7BFF);         // below the halfway point
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7C00);          // tie rounds to even = inf
  EXPECT_EQ(fp32_to_fp16(1e10f), 0x7C00);
  EXPECT_EQ(fp32_to_fp16(inf), 0x7C00);
  EXPECT_EQ(fp32_to_fp16(-inf), 0xFC00);
  EXPECT_EQ(fp32_to_fp16(NAN), 0x7E00);
  EXPECT_EQ(fp32_to_fp16(-NAN), 0xFE00);
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);        // min subnormal
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);        // tie to even (0)
  EXPECT_EQ(fp32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);        // 1.5 ulp: tie to even (2)
  EXPECT_EQ(fp32_to_fp16(std::ldexp(3.0f, -26)), 0x0001);        // 0.75 ulp rounds up
  EXPECT_EQ(fp32_to_fp16(std::ldexp(1.0f, -14)), 0x0400);        // min normal
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00); // tie to even
  EXPECT_EQ(fp32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3C02); // tie to even (up)
  EXPECT_EQ(fp16_to_fp32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(fp16_to_fp32(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(fp16_to_fp32(0x7BFF), 65504.0f);
  EXPECT_EQ(fp16_to_fp32(0x7C00), inf);
  EXPECT_EQ(fp16_to_fp32(0xFC00), -inf);
  EXPECT_TRUE(std::isnan(fp16_to_fp32(0x7C01)));
  EXPECT_TRUE(std::signbit(fp16_to_fp32(0x8000)));
}

// Independent decoding of every half value, and exact round trips.
TEST(KernelsRefFp16, ExhaustiveHalfToFloat) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    const float sign = (h & 0x8000) ? -1.0f : 1.0f;
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    if (e == 31) {
      if (m == 0) {
        EXPECT_EQ(f, sign * INFINITY);
      } else {
        EXPECT_TRUE(std::isnan(f));
      }
      const uint16_t back = fp32_to_fp16(f);
      EXPECT_EQ(back, m == 0 ? h : ((h & 0x8000) | 0x7E00)) << h;
      continue;
    }
    const float expect = e == 0 ? sign * std::ldexp(static_cast<float>(m), -24)
                                : sign * std::ldexp(static_cast<float>(1024 + m), e - 25);
    ASSERT_EQ(f, expect) << h;
    ASSERT_EQ(fp32_to_fp16(f), h) << h;
  }
}

// Random floats: the result is the nearest half, ties to an even mantissa.
TEST(KernelsRefFp16, RandomRoundToNearestEven) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = rng();
    // Bias exponents into and around the half range.
    bits = (bits & 0x807FFFFFu) | ((100u + rng() % 60u) << 23);
    const float f = f32_from_bits(bits);
    const uint16_t h = fp32_to_fp16(f);
    const double v = fp16_to_fp32(h);
    if (std::isinf(v)) {
      ASSERT_GE(std::fabs(f), 65520.0f);
      continue;
    }
    const double err = std::fabs(v - f);
    const uint16_t mag = h & 0x7FFF;
    const double up = fp16_to_fp32(static_cast<uint16_t>((h & 0x8000) | (mag + 1)));
    const double dn = mag ? fp16_to_fp32(static_cast<uint16_t>((h & 0x8000) | (mag - 1))) : -v;
    ASSERT_LE(err, std::fabs(up - f)) << f;
    ASSERT_LE(err, std::fabs(dn - f)) << f;
    if (err == std::fabs(up - f) || err == std::fabs(dn - f)) {
      ASSERT_EQ(h & 1, 0) << f;
    }
  }
}

TEST(KernelsRefBf16, SpecialValuesAndRounding) {
  EXPECT_EQ(fp32_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(fp32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);  // tie to even
  EXPECT_EQ(fp32_to_bf16(1.0f + std::ldexp(3.0f, -8)), 0x3F82);  // tie to even (up)
  EXPECT_EQ(fp32_to_bf16(1.0f + std::ldexp(1.0f, -9)), 0x3F80);
  EXPECT_EQ(fp32_to_bf16(INFINITY), 0x7F80);
  EXPECT_EQ(fp32_to_bf16(-INFINITY), 0xFF80);
  EXPECT_EQ(fp32_to_bf16(f32_from_bits(0x7F7FFFFFu)), 0x7F80);  // FLT_MAX rounds to inf
  EXPECT_EQ(fp32_to_bf16(f32_from_bits(0x7F800001u)), 0x7FC0);  // sNaN -> quiet
  EXPECT_EQ(fp32_to_bf16(f32_from_bits(0xFFC12345u)), 0xFFC1);  // payload truncated
  EXPECT_EQ(fp32_to_bf16(f32_from_bits(0x00010000u)), 0x0001);  // subnormal kept
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_fp32(static_cast<uint16_t>(h));
    ASSERT_EQ(f32_bits(f), h << 16);
    if (!std::isnan(f)) {
      ASSERT_EQ(fp32_to_bf16(f), h);
    }
  }
}

// ---------------------------------------------------------------------------
// Quantize -> dequantize error bounds on random data.

std::vector<uint8_t> quantize(DType t, const std::vector<float>& x) {
  size_t bytes = 0;
  EXPECT_TRUE(dtype_row_bytes(t, static_cast<int64_t>(x.size()), &bytes));
  std::vector<uint8_t> q(bytes);
  ref_traits(t)->from_float(x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> dequantize(DType t, const void* q, int64_t n) {
  std::vector<float> y(n);
  ref_traits(t)->to_float(q, y.data(), n);
  return y;
}

// Per block of 32: the largest permitted |x - dequant(quant(x))|.
// 2^-11 terms account for the fp16 rounding of the stored scale d (each
// reconstructed value q*d16 is off by at most |q|*|d|*2^-11) and min m.
double block_bound(DType t, const float* x) {
  float amax = 0, mn = x[0], mx = x[0];
  for (int j = 0; j < 32; ++j) {
    amax = std::max(amax, std::fabs(x[j]));
    mn = std::min(mn, x[j]);
    mx = std::max(mx, x[j]);
  }
  const double u = std::ldexp(1.0, -11);
  switch (t) {
    // Symmetric 4/5-bit: the extreme value maps to -8 / -16 exactly; values of
    // the opposite sign near +amax clamp to +7 / +15, a full step off.
    case DType::Q4_0: return amax / 8.0 * (1.0 + 8 * u) + 1e-7;
    case DType::Q5_0: return amax / 16.0 * (1.0 + 16 * u) + 1e-7;
    // Affine: half a step of rounding, plus fp16 error of d (times q<=15/31)
    // and of the min.
    case DType::Q4_1: { const double d = (mx - mn) / 15.0; return 0.5 * d + 15 * d * u + std::fabs(mn) * u + 1e-6; }
    case DType::Q5_1: { const double d = (mx - mn) / 31.0; return 0.5 * d + 31 * d * u + std::fabs(mn) * u + 1e-6; }
    // Symmetric 8-bit: half a step, plus |q|<=127 times the fp16 error of d.
    case DType::Q8_0:
    case DType::Q8_1: { const double d = amax / 127.0; return 0.5 * d + 127 * d * u + 1e-7; }
    default: return 0;
  }
}

TEST(KernelsRefQuantize, RoundTripErrorBounds) {
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q8_1}) {
    SCOPED_TRACE(dtype_name(t));
    for (int64_t n : {32, 64, 256, 4096}) {
      std::vector<float> x = gaussian(n, static_cast<uint32_t>(n) + 11, 0.7f);
      if (n >= 64) std::fill(x.begin() + 32, x.begin() + 64, 0.0f);  // all-zero block
      if (n >= 256) x[100] = 50.0f;                                  // outlier block
      const std::vector<uint8_t> q = quantize(t, x);
      const std::vector<float> y = dequantize(t, q.data(), n);
      for (int64_t b = 0; b < n / 32; ++b) {
        const double bound = block_bound(t, x.data() + 32 * b);
        for (int j = 0; j < 32; ++j) {
          ASSERT_LE(std::fabs(y[32 * b + j] - x[32 * b + j]), bound) << "n=" << n << " i=" << 32 * b + j;
        }
      }
    }
  }
}

TEST(KernelsRefQuantize, Q8_1SumField) {
  const std::vector<float> x = gaussian(256, 3);
  const std::vector<uint8_t> q = quantize(DType::Q8_1, x);
  const block_q8_1* b = reinterpret_cast<const block_q8_1*>(q.data());
  for (int i = 0; i < 8; ++i) {
    int sum = 0;
    for (int j = 0; j < 32; ++j) sum += b[i].qs[j];
    // ggml multiplies by the float scale, before d itself is rounded to fp16.
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * i + j]));
    EXPECT_EQ(b[i].s, fp32_to_fp16(static_cast<float>(sum) * (amax / 127)));
  }
}

TEST(KernelsRefQuantize, Q8_KBoundsAndBsums) {
  std::vector<float> x = gaussian(1024, 5, 3.0f);
  std::fill(x.begin() + 256, x.begin() + 512, 0.0f);
  const std::vector<uint8_t> q = quantize(DType::Q8_K, x);
  const block_q8_K* b = reinterpret_cast<const block_q8_K*>(q.data());
  const std::vector<float> y = dequantize(DType::Q8_K, q.data(), 1024);
  for (int i = 0; i < 4; ++i) {
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b[i].qs[16 * g + l];
      EXPECT_EQ(b[i].bsums[g], sum);
    }
    // d is kept in fp32: error is half a step (plus float rounding).
    for (int j = 0; j < 256; ++j) {
      ASSERT_LE(std::fabs(y[256 * i + j] - x[256 * i + j]), 0.5 * std::fabs(b[i].d) * 1.0001 + 1e-7);
    }
  }
  EXPECT_EQ(b[1].d, 0.0f);
}

TEST(KernelsRefQuantize, FloatFormatsRoundTrip) {
  const std::vector<float> x = gaussian(1000, 9, 10.0f);
  const std::vector<float> yh = dequantize(DType::F16, quantize(DType::F16, x).data(), 1000);
  const std::vector<float> yb = dequantize(DType::BF16, quantize(DType::BF16, x).data(), 1000);
  for (size_t i = 0; i < x.size(); ++i) {
    // Half an ulp: 2^-11 relative for fp16 (normal range), 2^-8 for bf16.
    EXPECT_LE(std::fabs(yh[i] - x[i]), std::fabs(x[i]) * std::ldexp(1.0, -11) + std::ldexp(1.0, -25));
    EXPECT_LE(std::fabs(yb[i] - x[i]), std::fabs(x[i]) * std::ldexp(1.0, -8));
  }
}

// ---------------------------------------------------------------------------
// vec_dot against dot(dequant(w), dequant(x_conv)) in double.

const DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                              DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                              DType::Q4_K, DType::Q5_K, DType::Q6_K};

bool is_k_quant(DType t) {
  return t == DType::Q2_K || t == DType::Q3_K || t == DType::Q4_K || t == DType::Q5_K ||
         t == DType::Q6_K;
}

void put_half(uint8_t* p, float v) {
  const uint16_t h = fp32_to_fp16(v);
  std::memcpy(p, &h, 2);
}

// Random weights of type t: quantized Gaussians where a quantizer exists,
// otherwise random bits (every bit pattern is a valid K-quant block) with
// sane fp16 super-scales.
std::vector<uint8_t> random_weights(DType t, int64_t n, uint32_t seed) {
  if (!is_k_quant(t)) return quantize(t, gaussian(n, seed, 0.5f));
  std::mt19937 rng(seed);
  size_t bytes = 0;
  dtype_row_bytes(t, n, &bytes);
  std::vector<uint8_t> q(bytes);
  for (uint8_t& v : q) v = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> ud(0.001f, 0.02f);
  const size_t bb = dtype_info(t)->block_bytes;
  for (size_t off = 0; off < bytes; off += bb) {
    uint8_t* blk = q.data() + off;
    switch (t) {
      case DType::Q2_K: put_half(blk + 80, ud(rng)); put_half(blk + 82, ud(rng)); break;
      case DType::Q3_K: put_half(blk + 108, ud(rng)); break;
      case DType::Q4_K:
      case DType::Q5_K: put_half(blk + 0, ud(rng)); put_half(blk + 2, ud(rng)); break;
      case DType::Q6_K: put_half(blk + 208, ud(rng)); break;
      default: break;
    }
  }
  return q;
}

// For Q4_1/Q5_1 the kernel uses the fp16 field s instead of d*sum(q): the
// min term is m*s by design. Returns the exact reference with that term.
double reference_dot(DType wt, const std::vector<uint8_t>& w, const std::vector<uint8_t>& xq,
                     int64_t n) {
  const TypeTraits* tt = ref_traits(wt);
  const std::vector<float> wf = dequantize(wt, w.data(), n);
  const std::vector<float> xf = dequantize(tt->vec_dot_type, xq.data(), n);
  double ref = 0;
  for (int64_t i = 0; i < n; ++i) ref += static_cast<double>(wf[i]) * xf[i];
  if (tt->vec_dot_type == DType::Q8_1) {
    const block_q8_1* xb = reinterpret_cast<const block_q8_1*>(xq.data());
    const size_t bb = dtype_info(wt)->block_bytes;
    for (int64_t b = 0; b < n / 32; ++b) {
      uint16_t mh;
      std::memcpy(&mh, w.data() + b * bb + 2, 2);  // m follows d in q4_1/q5_1
      double xs = 0;
      for (int j = 0; j < 32; ++j) xs += xf[32 * b + j];
      ref += static_cast<double>(fp16_to_fp32(mh)) * (fp16_to_fp32(xb[b].s) - xs);
    }
  }
  return ref;
}

TEST(KernelsRefVecDot, MatchesDequantizedDot) {
  for (DType t : kWeightTypes) {
    SCOPED_TRACE(dtype_name(t));
    const TypeTraits* tt = ref_traits(t);
    ASSERT_NE(tt, nullptr);
    ASSERT_NE(tt->vec_dot, nullptr);
    const std::vector<int64_t> sizes = is_k_quant(t) ? std::vector<int64_t>{256, 512, 1280}
                                                     : std::vector<int64_t>{32, 64, 96, 256, 4096};
    for (int64_t n : sizes) {
      const std::vector<uint8_t> w = random_weights(t, n, static_cast<uint32_t>(n) * 3 + 1);
      std::vector<float> xf = gaussian(n, static_cast<uint32_t>(n) + 77, 2.0f);
      const std::vector<uint8_t> xq = quantize(tt->vec_dot_type, xf);
      float s = 0;
      tt->vec_dot(n, &s, w.data(), xq.data());
      const double ref = reference_dot(t, w, xq, n);
      // Integer block sums are exact; what remains is float rounding of the
      // per-block scale products and the float accumulation over blocks
      // (~(blocks+3) ulps of the magnitude of the terms).
      const std::vector<float> wf = dequantize(t, w.data(), n);
      const std::vector<float> xd = dequantize(tt->vec_dot_type, xq.data(), n);
      double mag = 0;
      for (int64_t i = 0; i < n; ++i) mag += std::fabs(static_cast<double>(wf[i]) * xd[i]);
      const double tol = mag * 1e-6 + 1e-6;
      EXPECT_NEAR(s, ref, tol) << "n=" << n;
    }
  }
}

// ---------------------------------------------------------------------------
// matmul_ref against direct loops over vec_dot and against double dots.

TEST(KernelsRefMatmul, MatchesNaiveLoops) {
  for (DType t : kWeightTypes) {
    SCOPED_TRACE(dtype_name(t));
    const TypeTraits* tt = ref_traits(t);
    const int64_t k = 512, n_rows = 9;
    const std::vector<uint8_t> w = random_weights(t, k * n_rows, 1234);
    size_t w_rb = 0, x_rb = 0;
    ASSERT_TRUE(dtype_row_bytes(t, k, &w_rb));
    ASSERT_TRUE(dtype_row_bytes(tt->vec_dot_type, k, &x_rb));
    for (int64_t n_tokens = 1; n_tokens <= 17; ++n_tokens) {
      const std::vector<float> xf = gaussian(k * n_tokens, static_cast<uint32_t>(n_tokens));
      const std::vector<uint8_t> xq = quantize(tt->vec_dot_type, xf);
      const int64_t y_stride = n_rows + 3;
      for (auto [rb, re] : {std::pair<int64_t, int64_t>{0, n_rows}, {2, 7}, {4, 4}, {8, 9}}) {
        std::vector<float> y(y_stride * n_tokens, NAN);
        matmul_ref(*tt, w.data(), n_rows, k, xq.data(), x_rb, n_tokens, y.data(), y_stride, rb, re);
        for (int64_t tk = 0; tk < n_tokens; ++tk) {
          for (int64_t r = 0; r < y_stride; ++r) {
            const float got = y[tk * y_stride + r];
            if (r < rb || r >= re) {
              ASSERT_TRUE(std::isnan(got)) << "wrote outside rows " << r;
              continue;
            }
            float expect = 0;
            tt->vec_dot(k, &expect, w.data() + r * w_rb, xq.data() + tk * x_rb);
            ASSERT_EQ(got, expect);
            // And the value is the dot product it claims to be.
            const std::vector<uint8_t> wr(w.begin() + r * w_rb, w.begin() + (r + 1) * w_rb);
            const std::vector<uint8_t> xr(xq.begin() + tk * x_rb, xq.begin() + (tk + 1) * x_rb);
            const double ref = reference_dot(t, wr, xr, k);
            ASSERT_NEAR(got, ref, 1e-4 * (1 + std::fabs(ref)));
          }
        }
      }
    }
  }
}

TEST(KernelsRefTraits, Table) {
  EXPECT_EQ(ref_traits(DType::Q4_0)->vec_dot_type, DType::Q8_0);
  EXPECT_EQ(ref_traits(DType::Q5_0)->vec_dot_type, DType::Q8_0);
  EXPECT_EQ(ref_traits(DType::Q8_0)->vec_dot_type, DType::Q8_0);
  EXPECT_EQ(ref_traits(DType::Q4_1)->vec_dot_type, DType::Q8_1);
  EXPECT_EQ(ref_traits(DType::Q5_1)->vec_dot_type, DType::Q8_1);
  EXPECT_EQ(ref_traits(DType::F16)->vec_dot_type, DType::F16);
  EXPECT_EQ(ref_traits(DType::BF16)->vec_dot_type, DType::BF16);
  EXPECT_EQ(ref_traits(DType::F32)->vec_dot_type, DType::F32);
  for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    EXPECT_EQ(ref_traits(t)->vec_dot_type, DType::Q8_K);
  }
  ASSERT_NE(ref_traits(DType::Q8_K), nullptr);
  EXPECT_NE(ref_traits(DType::Q8_K)->from_float, nullptr);
  EXPECT_EQ(ref_traits(DType::Q8_K)->vec_dot, nullptr);
  ASSERT_NE(ref_traits(DType::Q8_1), nullptr);
  EXPECT_EQ(ref_traits(DType::Q8_1)->vec_dot, nullptr);
  EXPECT_EQ(ref_traits(DType::I32), nullptr);
  // Every vec_dot_type offers from_float.
  for (DType t : kWeightTypes) EXPECT_NE(ref_traits(ref_traits(t)->vec_dot_type)->from_float, nullptr);
}

}  // namespace
}  // namespace edgellm::kernels
