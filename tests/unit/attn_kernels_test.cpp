// Attention kernels (kernels/attn.h) of every available path against the
// reference on random data: head sizes of real models and awkward ones
// (not multiples of any vector width), 1..67 keys (every tail of the key
// blocks), K/V head slices inside longer rows whose other bytes are NaN (a
// kernel reading outside its slice poisons the result).
//
// Tolerance: reference and fast paths compute the same sums in different
// orders (lanes, FMA). For a sum of n terms each order is within
// gamma_n * sum|terms| (gamma_n ~ n * 2^-24) of the exact value, so two of
// them are within 2 * gamma_n of each other; scores add one rounding of the
// scale product on each side. The exact sums are taken in double.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/attn.h"
#include "kernels/dispatch.h"
#include "kernels/ref/fp16.h"
#include "kernels/ref/ops.h"
#include "test_util.h"

namespace edgellm::kernels {
namespace {

constexpr double kU = 0x1.0p-24;
constexpr int32_t kHeadDims[] = {1, 3, 4, 5, 7, 8, 12, 17, 31, 33, 64, 72, 80, 96, 100, 128, 256};
constexpr int32_t kMaxKeys = 67;

// Rows of row_elems values; the head slice [off, off + hd) of row j holds
// vals[j*hd + d], everything else NaN. Returns the bytes; *at = slice start.
std::vector<uint8_t> make_rows(bool f16, const std::vector<float>& vals, int32_t n, int32_t hd,
                               int32_t row_elems, int32_t off, std::vector<float>* stored) {
  const size_t es = f16 ? 2 : 4;
  std::vector<uint8_t> buf(es * static_cast<size_t>(row_elems) * n);
  stored->assign(vals.size(), 0.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int32_t j = 0; j < n; ++j) {
    for (int32_t e = 0; e < row_elems; ++e) {
      const bool in = e >= off && e < off + hd;
      float f = in ? vals[static_cast<size_t>(j) * hd + (e - off)] : nan;
      uint8_t* dst = buf.data() + (static_cast<size_t>(j) * row_elems + e) * es;
      if (f16) {
        const uint16_t h = fp32_to_fp16(f);
        std::memcpy(dst, &h, 2);
        f = fp16_to_fp32(h);
      } else {
        std::memcpy(dst, &f, 4);
      }
      if (in) (*stored)[static_cast<size_t>(j) * hd + (e - off)] = f;
    }
  }
  return buf;
}

void check_path(Isa isa, bool f16) {
  const AttnKernels* ref = attn_kernels(Isa::Ref);
  const AttnKernels* ak = attn_kernels(isa);
  const AttnScoresFn scores = f16 ? ak->scores_f16 : ak->scores_f32;
  const AttnWsumFn wsum = f16 ? ak->wsum_f16 : ak->wsum_f32;
  const AttnScoresFn scores_ref = f16 ? ref->scores_f16 : ref->scores_f32;
  const AttnWsumFn wsum_ref = f16 ? ref->wsum_f16 : ref->wsum_f32;
  int cases = 0;
  uint32_t seed = 1;
  for (int32_t hd : kHeadDims) {
    // A row of 3 heads plus one odd element; the slice is the middle head.
    const int32_t row_elems = 3 * hd + 1, off = hd;
    const size_t stride = (f16 ? 2 : 4) * static_cast<size_t>(row_elems);
    std::vector<float> kq, vq;
    const std::vector<uint8_t> kbuf =
        make_rows(f16, gaussian(static_cast<size_t>(kMaxKeys) * hd, seed++), kMaxKeys, hd, row_elems, off, &kq);
    const std::vector<uint8_t> vbuf =
        make_rows(f16, gaussian(static_cast<size_t>(kMaxKeys) * hd, seed++), kMaxKeys, hd, row_elems, off, &vq);
    const size_t off_bytes = (f16 ? 2 : 4) * static_cast<size_t>(off);
    const std::vector<float> q = gaussian(static_cast<size_t>(hd), seed++);
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    for (int32_t n = 1; n <= kMaxKeys; ++n) {
      SCOPED_TRACE(std::string(ak->name) + (f16 ? " f16" : " f32") + " hd=" + std::to_string(hd) +
                   " n_keys=" + std::to_string(n));
      std::vector<float> s(n), s_ref(n), s_tail(n);
      scores(q.data(), kbuf.data() + off_bytes, stride, n, hd, scale, s.data());
      scores_ref(q.data(), kbuf.data() + off_bytes, stride, n, hd, scale, s_ref.data());
      for (int32_t j = 0; j < n; ++j) {
        double abs_sum = 0.0;
        for (int32_t d = 0; d < hd; ++d) abs_sum += std::fabs(static_cast<double>(q[d]) * kq[static_cast<size_t>(j) * hd + d]);
        const double tol = (2.0 * hd + 4.0) * kU * scale * abs_sum + 1e-30;
        ASSERT_NEAR(s[j], s_ref[j], tol) << "key " << j;
        if (ak->exact) {
          ASSERT_EQ(f32_bits(s[j]), f32_bits(s_ref[j])) << "key " << j;
        }
      }
      // A key's score does not depend on the range it was computed in.
      if (n > 1) {
        scores(q.data(), kbuf.data() + off_bytes + stride, stride, n - 1, hd, scale, s_tail.data());
        for (int32_t j = 1; j < n; ++j) ASSERT_EQ(s[j], s_tail[j - 1]) << "key " << j;
      }
      // Weights: a softmax of the reference scores (positive, sum 1).
      std::vector<float> p = s_ref;
      softmax_f32(p.data(), n);
      std::vector<float> o(static_cast<size_t>(hd), -1.0f), o_ref(static_cast<size_t>(hd), -2.0f);
      wsum(p.data(), vbuf.data() + off_bytes, stride, n, hd, o.data());
      wsum_ref(p.data(), vbuf.data() + off_bytes, stride, n, hd, o_ref.data());
      for (int32_t d = 0; d < hd; ++d) {
        double abs_sum = 0.0;
        for (int32_t j = 0; j < n; ++j) abs_sum += std::fabs(static_cast<double>(p[j]) * vq[static_cast<size_t>(j) * hd + d]);
        const double tol = (2.0 * n + 4.0) * kU * abs_sum + 1e-30;
        ASSERT_NEAR(o[d], o_ref[d], tol) << "dim " << d;
        if (ak->exact) {
          ASSERT_EQ(f32_bits(o[d]), f32_bits(o_ref[d])) << "dim " << d;
        }
      }
      ++cases;
    }
  }
  std::printf("[attn] path %s (kernels %s) %s: %d shapes\n", isa_name(isa), ak->name, f16 ? "f16" : "f32",
              cases);
}

TEST(AttnKernels, EveryPathMatchesReference) {
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (!isa_available(isa)) continue;
    check_path(isa, false);
    check_path(isa, true);
  }
}

TEST(AttnKernels, FallbackFollowsTheFamily) {
  EXPECT_EQ(attn_kernels(Isa::Ref)->isa, Isa::Ref);
#if defined(__x86_64__)
  EXPECT_EQ(attn_kernels(Isa::Avx512)->isa, Isa::Avx2);
  EXPECT_EQ(attn_kernels(Isa::Avx2)->isa, Isa::Avx2);
#elif defined(__aarch64__)
  EXPECT_EQ(attn_kernels(Isa::I8mm)->isa, Isa::Neon);
  EXPECT_EQ(attn_kernels(Isa::Dotprod)->isa, Isa::Neon);
  EXPECT_EQ(attn_kernels(Isa::Neon)->isa, Isa::Neon);
#endif
}

}  // namespace
}  // namespace edgellm::kernels
