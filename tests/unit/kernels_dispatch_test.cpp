// Run-time dispatch (kernels/dispatch.h) and every dispatched matmul kernel
// against the scalar reference on random data with awkward shapes: row
// counts that are not multiples of any tile, the smallest k of each format,
// 1..17 tokens, partial row ranges (as a thread gets), strided outputs.
// The test log names the path each case ran on.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/kernels.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/gemm_ref.h"
#if defined(EDGELLM_TEST_AVX512_EMULATED)
#include "kernels/x86/avx512_table.h"
#endif

namespace edgellm::kernels {
namespace {

constexpr DType kWeightTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                                  DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                                  DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::vector<Isa> available_paths() {
  std::vector<Isa> v;
  for (int i = 0; i < kIsaCount; ++i) {
    if (isa_available(static_cast<Isa>(i))) v.push_back(static_cast<Isa>(i));
  }
  return v;
}

// Byte offsets of the fp16 scale fields of one block (set to small finite
// values; every other byte of a quantized block is random: all bit patterns
// are valid quants, including Q8_0's -128).
std::vector<size_t> fp16_fields(DType t) {
  switch (t) {
    case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: return {0};
    case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: return {0, 2};
    case DType::Q2_K: return {80, 82};
    case DType::Q3_K: return {108};
    case DType::Q6_K: return {208};
    default: return {};
  }
}

void random_weights(DType t, int64_t rows, int64_t k, std::mt19937& rng, std::vector<uint8_t>* out) {
  size_t row_bytes = 0;
  ASSERT_TRUE(dtype_row_bytes(t, k, &row_bytes));
  out->assign(row_bytes * rows, 0);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  if (t == DType::F32 || t == DType::F16 || t == DType::BF16) {
    std::vector<float> f(static_cast<size_t>(k));
    for (int64_t r = 0; r < rows; ++r) {
      for (float& v : f) v = nd(rng);
      ref_traits(t)->from_float(f.data(), out->data() + r * row_bytes, k);
    }
    return;
  }
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : *out) b = static_cast<uint8_t>(byte(rng));
  const DTypeInfo* info = dtype_info(t);
  std::uniform_real_distribution<float> scale(0.001f, 0.05f);
  for (size_t off = 0; off < out->size(); off += info->block_bytes) {
    for (size_t f : fp16_fields(t)) {
      const uint16_t h = fp32_to_fp16(scale(rng));
      std::memcpy(out->data() + off + f, &h, 2);
    }
  }
}

// Sum of |w_i * x_i| over a row, from the dequantized values: the natural
// scale of the rounding error of any summation order.
double abs_dot(DType wt, const uint8_t* w, DType xt, const uint8_t* x, int64_t k) {
  std::vector<float> wf(k), xf(k);
  ref_traits(wt)->to_float(w, wf.data(), k);
  ref_traits(xt)->to_float(x, xf.data(), k);
  double s = 0;
  for (int64_t i = 0; i < k; ++i) s += std::fabs(static_cast<double>(wf[i]) * xf[i]);
  return s;
}

TEST(Dispatch, NamesRoundTrip) {
  for (int i = 0; i < kIsaCount; ++i) {
    Isa isa;
    ASSERT_TRUE(isa_from_name(isa_name(static_cast<Isa>(i)), &isa));
    EXPECT_EQ(static_cast<int>(isa), i);
  }
  Isa isa;
  EXPECT_FALSE(isa_from_name("sse2", &isa));
  EXPECT_FALSE(isa_from_name(nullptr, &isa));
}

TEST(Dispatch, ResolveRefusesUnavailableAndUnknown) {
  char err[256];
  Isa isa;
  ASSERT_TRUE(resolve_isa(nullptr, &isa, err, sizeof err));
  EXPECT_EQ(isa, best_isa());
  ASSERT_TRUE(resolve_isa("ref", &isa, err, sizeof err));
  EXPECT_EQ(isa, Isa::Ref);
  EXPECT_FALSE(resolve_isa("bogus", &isa, err, sizeof err));
  EXPECT_NE(std::strstr(err, "bogus"), nullptr);
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa want = static_cast<Isa>(i);
    const bool ok = resolve_isa(isa_name(want), &isa, err, sizeof err);
    EXPECT_EQ(ok, isa_available(want)) << isa_name(want);
    if (!ok) {
      EXPECT_NE(std::strstr(err, "cannot run"), nullptr) << err;
    }
  }
  // One of the two families can never run here.
#if defined(__x86_64__)
  EXPECT_FALSE(resolve_isa("neon", &isa, err, sizeof err));
#else
  EXPECT_FALSE(resolve_isa("avx2", &isa, err, sizeof err));
#endif
  std::printf("[dispatch] best path: %s\n", isa_name(best_isa()));
}

TEST(Dispatch, EveryWeightTypeHasAKernelOnEveryPath) {
  for (int i = 0; i < kIsaCount; ++i) {
    for (DType t : kWeightTypes) {
      const MatmulKernel* k = matmul_kernel(t, static_cast<Isa>(i));
      ASSERT_NE(k, nullptr) << dtype_name(t) << " on " << isa_name(static_cast<Isa>(i));
      EXPECT_EQ(k->type, t);
      EXPECT_GT(act_row_bytes(*k, 256), 0u);
    }
  }
  char buf[4096];
  const size_t n = describe_cpu(buf, sizeof buf);
  ASSERT_LT(n, sizeof buf);
  std::printf("%s\n", buf);
  EXPECT_NE(std::strstr(buf, "Q4_0:"), nullptr);
}

// Fast activation converters must write exactly what the reference writes
// (so the integer block dot products are identical to the reference's).
TEST(Dispatch, ActivationConversionMatchesReference) {
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 3.0f);
  for (Isa isa : available_paths()) {
    for (DType t : kWeightTypes) {
      const MatmulKernel& fast = *matmul_kernel(t, isa);
      const MatmulKernel& ref = *ref_matmul_kernel(t);
      const int64_t k = 512;
      std::vector<float> x(k);
      for (float& v : x) v = nd(rng);
      x[3] = 0.5f;  // exact ties for the scale of this block are unlikely; zeros:
      for (int i = 256; i < 288; ++i) x[i] = 0.0f;
      x[300] = -100.0f;  // a negative extreme sets Q8_K's scale sign
      x[301] = 100.0f;
      std::vector<uint8_t> a(act_row_bytes(fast, k)), b(act_row_bytes(ref, k));
      fast.quantize_act(x.data(), a.data(), k);
      ref.quantize_act(x.data(), b.data(), k);
      if (fast.act_type == ref.act_type) {
        // Kernel-private extras (act_extra_per_block) follow the shared part.
        a.resize(b.size());
        EXPECT_EQ(a, b) << dtype_name(t) << " on " << isa_name(isa);
      } else {
        // Widened F16/BF16 rows: must equal the reference's values.
        std::vector<float> wide(k);
        ref_traits(ref.act_type)->to_float(b.data(), wide.data(), k);
        ASSERT_EQ(fast.act_type, DType::F32);
        EXPECT_EQ(std::memcmp(a.data(), wide.data(), k * sizeof(float)), 0)
            << dtype_name(t) << " on " << isa_name(isa);
      }
    }
  }
}

// One kernel against the reference (when fast.repack is set, over weights
// it repacked first).
void check_kernel(const MatmulKernel& fast, int64_t rows, int64_t k, int64_t n,
                  std::mt19937& rng) {
  const DType t = fast.type;
  const Isa isa = fast.isa;
  const MatmulKernel& ref = *ref_matmul_kernel(t);
  std::vector<uint8_t> w;
  random_weights(t, rows, k, rng, &w);
  size_t w_row_bytes = 0;
  dtype_row_bytes(t, k, &w_row_bytes);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> xf(static_cast<size_t>(n * k));
  for (float& v : xf) v = nd(rng);
  const size_t fa = act_row_bytes(fast, k), ra = act_row_bytes(ref, k);
  std::vector<uint8_t> xa(fa * n), xr(ra * n);
  for (int64_t t0 = 0; t0 < n; ++t0) {
    fast.quantize_act(xf.data() + t0 * k, xa.data() + t0 * fa, k);
    ref.quantize_act(xf.data() + t0 * k, xr.data() + t0 * ra, k);
  }
  // Output with a stride wider than the rows; untouched cells must stay NaN.
  const int64_t ys = rows + 3;
  std::vector<float> yf(ys * n, NAN), yr(ys * n, NAN);
  std::vector<uint8_t> packed;
  const uint8_t* wf = w.data();
  if (fast.repack) {
    // Garbage first: the repacking must write every byte the kernel reads.
    packed.assign(repacked_size(fast, rows, k), 0xA5);
    fast.repack(w.data(), w_row_bytes, rows, k, packed.data());
    wf = packed.data();
  }
  // Two row ranges as two threads would get them.
  const int64_t split = rows / 2;
  for (auto [b, e] : {std::pair<int64_t, int64_t>{0, split}, {split, rows}}) {
    fast.gemm({wf, w_row_bytes, k, xa.data(), fa, n, yf.data(), ys, b, e});
    ref.gemm({w.data(), w_row_bytes, k, xr.data(), ra, n, yr.data(), ys, b, e});
  }
  for (int64_t tk = 0; tk < n; ++tk) {
    for (int64_t r = 0; r < ys; ++r) {
      const float got = yf[tk * ys + r], want = yr[tk * ys + r];
      if (r >= rows) {
        ASSERT_TRUE(std::isnan(got)) << "wrote past the rows";
        continue;
      }
      // Both sides sum the same exact products (integer block dots, or
      // float products of already-rounded values) in different orders: the
      // difference is bounded by a few hundred float ulps of sum|w*x| for
      // these k (<= 2048 terms, pairwise over 8 lanes vs sequential). 2e-5
      // relative leaves margin over that bound (~1.5e-5 worst case) and is
      // far below any real bug (a wrong element costs ~1/k of the sum).
      const double scale = abs_dot(t, w.data() + r * w_row_bytes, ref.act_type,
                                   xr.data() + tk * ra, k);
      ASSERT_NEAR(got, want, 2e-5 * scale + 1e-30)
          << dtype_name(t) << " on " << isa_name(isa) << " (" << fast.name << ") rows=" << rows
          << " k=" << k << " n=" << n << " row " << r << " token " << tk;
    }
  }
}

// The kernel path isa dispatches for t (repacked: the one over weights
// repacked at load, repacked_kernel, instead of the zero-copy one).
void check_gemm(Isa isa, DType t, int64_t rows, int64_t k, int64_t n, std::mt19937& rng,
                bool repacked = false) {
  check_kernel(repacked ? *repacked_kernel(t, isa) : *matmul_kernel(t, isa), rows, k, n, rng);
}

TEST(Dispatch, EveryKernelMatchesReference) {
  std::mt19937 rng(1234);
  for (Isa isa : available_paths()) {
    if (isa == Isa::Ref) continue;
    for (DType t : kWeightTypes) {
      const MatmulKernel& fast = *matmul_kernel(t, isa);
      if (fast.isa == Isa::Ref) continue;  // falls back: nothing new to test
      const int64_t blk = dtype_info(t)->block_size;
      // Plain types: odd k exercise the scalar tails; blocks: 1, 2, 5 blocks.
      const std::vector<int64_t> ks = blk == 1 ? std::vector<int64_t>{1, 7, 8, 13, 172}
                                               : std::vector<int64_t>{blk, 2 * blk, 5 * blk};
      int cases = 0;
      for (int64_t rows : {1, 3, 5, 7, 13}) {
        for (int64_t k : ks) {
          for (int64_t n = 1; n <= 17; ++n) {
            check_gemm(isa, t, rows, k, n, rng);
            if (HasFatalFailure()) return;
            ++cases;
          }
        }
      }
      std::printf("[kernels] path %-7s %-5s %-36s %d shapes match the reference\n",
                  isa_name(isa), dtype_name(t), fast.name, cases);
    }
  }
}

// Kernels over repacked weights: row counts around the 8-row groups (padded
// last group, splits inside a group), 1..17 tokens.
TEST(Dispatch, RepackedKernelsMatchReference) {
  std::mt19937 rng(4321);
  for (Isa isa : available_paths()) {
    for (DType t : kWeightTypes) {
      const MatmulKernel* fast = repacked_kernel(t, isa);
      if (!fast) continue;
      ASSERT_EQ(fast->type, t);
      ASSERT_NE(fast->repack, nullptr);
      EXPECT_EQ(fast->act_type, matmul_kernel(t, isa)->act_type);
      const int64_t blk = dtype_info(t)->block_size;
      int cases = 0;
      for (int64_t rows : {1, 7, 8, 13, 16, 27}) {
        for (int64_t k : {blk, 3 * blk}) {
          for (int64_t n = 1; n <= 17; ++n) {
            check_gemm(isa, t, rows, k, n, rng, /*repacked=*/true);
            if (HasFatalFailure()) return;
            ++cases;
          }
        }
      }
      check_gemm(isa, t, 37, 2304, 1, rng, true);
      check_gemm(isa, t, 37, 2304, 9, rng, true);
      if (HasFatalFailure()) return;
      std::printf("[kernels] path %-7s %-5s %-36s %d shapes match the reference\n",
                  isa_name(isa), dtype_name(t), fast->name, cases + 2);
      // Unrepacking a row gives back the file's bytes (random bytes: every
      // bit of these formats is significant, so any mix-up shows).
      if (fast->unrepack_row) {
        for (int64_t rows : {1, 5, 8, 13}) {
          for (int64_t k : {blk, 3 * blk}) {
            size_t row_bytes = 0;
            ASSERT_TRUE(dtype_row_bytes(t, k, &row_bytes));
            std::vector<uint8_t> src(row_bytes * static_cast<size_t>(rows));
            for (uint8_t& b : src) b = static_cast<uint8_t>(rng());
            std::vector<uint8_t> packed(repacked_size(*fast, rows, k));
            fast->repack(src.data(), row_bytes, rows, k, packed.data());
            std::vector<uint8_t> row(row_bytes);
            for (int64_t r = 0; r < rows; ++r) {
              fast->unrepack_row(packed.data(), row_bytes, k, r, row.data());
              ASSERT_EQ(0, std::memcmp(row.data(), src.data() + r * row_bytes, row_bytes))
                  << fast->name << " row " << r << " of " << rows << ", k " << k;
            }
          }
        }
        std::printf("[kernels] path %-7s %-5s unrepacked rows equal the original bytes\n",
                    isa_name(isa), dtype_name(t));
      }
    }
  }
}

// A long row and a full decode-sized tile count, once per kernel.
TEST(Dispatch, LargeShapesMatchReference) {
  std::mt19937 rng(99);
  for (Isa isa : available_paths()) {
    if (isa == Isa::Ref) continue;
    for (DType t : kWeightTypes) {
      if (matmul_kernel(t, isa)->isa == Isa::Ref) continue;
      check_gemm(isa, t, 37, 2304, 1, rng);  // 72 blocks: spans packed chunks
      check_gemm(isa, t, 37, 2304, 9, rng);
      if (HasFatalFailure()) return;
    }
  }
}

// The AVX-512 path's kernels on hosts without AVX-512: the same source
// (kernels/x86/gemm_repacked_avx512.cpp) compiled over SIMDe, which
// implements each AVX-512 intrinsic with AVX2 or scalar code
// (tests/emulated/; built when libsimde-dev is installed). On an AVX-512
// host the native kernels also run in the tests above.
#if defined(EDGELLM_TEST_AVX512_EMULATED)
}  // namespace
namespace x86::emulated {
void gemm_q4_0_x8_avx512(const GemmArgs& a);
void gemm_q5_0_x8_avx512(const GemmArgs& a);
void gemm_q8_0_x8_avx512(const GemmArgs& a);
void gemm_q4_K_x8_avx512(const GemmArgs& a);
void gemm_q6_K_x8_avx512(const GemmArgs& a);
}  // namespace x86::emulated
namespace {
constexpr MatmulKernel kAvx512Emulated[] = {EDGELLM_AVX512_KERNELS(x86::emulated)};
#endif

#if defined(__x86_64__)
TEST(Dispatch, Avx512KernelsUnderEmulation) {
#if !defined(EDGELLM_TEST_AVX512_EMULATED)
  GTEST_SKIP() << "SKIPPED: AVX-512 kernels not checked on this host: no native AVX-512 and no "
                  "SIMDe emulation in this build (x86-64 with libsimde-dev only)";
#else
  if (!isa_available(Isa::Avx2)) GTEST_SKIP() << "SKIPPED: the emulation is built with AVX2";
  std::mt19937 rng(512);
  for (const MatmulKernel& fast : kAvx512Emulated) {
    ASSERT_EQ(fast.isa, Isa::Avx512);
    ASSERT_NE(fast.repack, nullptr);
    const int64_t blk = dtype_info(fast.type)->block_size;
    int cases = 0;
    for (int64_t rows : {1, 7, 8, 13, 16, 27}) {
      for (int64_t k : {blk, 3 * blk}) {
        for (int64_t n = 1; n <= 19; ++n) {
          check_kernel(fast, rows, k, n, rng);
          if (HasFatalFailure()) return;
          ++cases;
        }
      }
    }
    for (int64_t n : {1, 9, 16}) check_kernel(fast, 37, 2304, n, rng);
    if (HasFatalFailure()) return;
    std::printf("[kernels] path avx512 (SIMDe emulation) %-5s %-44s %d shapes match the reference\n",
                dtype_name(fast.type), fast.name, cases + 3);
  }
#endif
}
#endif  // __x86_64__

}  // namespace
}  // namespace edgellm::kernels
