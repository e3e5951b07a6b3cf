// Attention kernels (kernels/attn.h) of every available path against the
// reference on random data: head sizes of real models and awkward ones
// (not multiples of any vector width), 1..17 keys (every tail of the key
// blocks) and longer ranges, 1..9 queries per call (every pass size and a
// split), query / score / weight / output rows at strides other than hd or
// n_keys, K/V head slices inside longer rows, and every byte a kernel must
// not read NaN (a kernel reading outside its data poisons the result) or
// must not write a sentinel it checks.
//
// Each query of a call is compared with the reference run on that query
// alone: exact kernel sets (all current ones) must match it bit for bit
// (memcmp), so results never depend on how many queries share a call. For a
// set not marked exact the tolerance would be: reference and fast paths
// compute the same sums in different orders (lanes, FMA); for a sum of n
// terms each order is within gamma_n * sum|terms| (gamma_n ~ n * 2^-24) of
// the exact value, so two of them are within 2 * gamma_n of each other;
// scores add one rounding of the scale product on each side. The exact sums
// are taken in double.
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
constexpr int32_t kKeyCounts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 64, 100};
constexpr int32_t kMaxKeys = 100;
constexpr int32_t kMaxQueries = 9;

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

// n_rows rows of `stride` floats, the first `len` of each from vals (row r
// at vals[r * len]), the rest NaN.
std::vector<float> padded_rows(const std::vector<float>& vals, int32_t n_rows, int32_t len,
                               size_t stride) {
  std::vector<float> out(stride * n_rows, std::numeric_limits<float>::quiet_NaN());
  for (int32_t r = 0; r < n_rows; ++r) {
    std::memcpy(out.data() + r * stride, vals.data() + static_cast<size_t>(r) * len,
                sizeof(float) * static_cast<size_t>(len));
  }
  return out;
}

constexpr float kSentinel = -12345.0f;

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
    const uint8_t* k = kbuf.data() + (f16 ? 2 : 4) * static_cast<size_t>(off);
    const uint8_t* v = vbuf.data() + (f16 ? 2 : 4) * static_cast<size_t>(off);
    // kMaxQueries queries, hd + 3 floats apart (NaN between).
    const size_t q_stride = static_cast<size_t>(hd) + 3;
    const std::vector<float> qv = gaussian(static_cast<size_t>(kMaxQueries) * hd, seed++);
    const std::vector<float> q = padded_rows(qv, kMaxQueries, hd, q_stride);
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    for (int32_t n : kKeyCounts) {
      // Reference, one query at a time: scores, then weights (a softmax of
      // the reference scores: positive, sum 1), then outputs.
      std::vector<float> s_ref(static_cast<size_t>(kMaxQueries) * n);
      std::vector<float> o_ref(static_cast<size_t>(kMaxQueries) * hd);
      for (int32_t i = 0; i < kMaxQueries; ++i) {
        scores_ref(q.data() + i * q_stride, q_stride, 1, k, stride, n, hd, scale,
                   s_ref.data() + static_cast<size_t>(i) * n, static_cast<size_t>(n));
      }
      std::vector<float> p = s_ref;
      for (int32_t i = 0; i < kMaxQueries; ++i) softmax_f32(p.data() + static_cast<size_t>(i) * n, n);
      // Weights n + 2 floats apart (NaN between).
      const size_t p_stride = static_cast<size_t>(n) + 2;
      const std::vector<float> pp = padded_rows(p, kMaxQueries, n, p_stride);
      for (int32_t i = 0; i < kMaxQueries; ++i) {
        wsum_ref(pp.data() + i * p_stride, p_stride, 1, v, stride, n, hd,
                 o_ref.data() + static_cast<size_t>(i) * hd, static_cast<size_t>(hd));
      }
      for (int32_t nq = 1; nq <= kMaxQueries; ++nq) {
        SCOPED_TRACE(std::string(ak->name) + (f16 ? " f16" : " f32") + " hd=" + std::to_string(hd) +
                     " n_keys=" + std::to_string(n) + " nq=" + std::to_string(nq));
        // The last nq queries, so the first query of a call varies.
        const int32_t first = kMaxQueries - nq;
        // Scores n + 5 floats apart, outputs hd + 1 apart; the gaps must
        // keep their sentinel.
        const size_t s_stride = static_cast<size_t>(n) + 5, o_stride = static_cast<size_t>(hd) + 1;
        std::vector<float> s(s_stride * nq, kSentinel), o(o_stride * nq, kSentinel);
        scores(q.data() + first * q_stride, q_stride, nq, k, stride, n, hd, scale, s.data(), s_stride);
        wsum(pp.data() + first * p_stride, p_stride, nq, v, stride, n, hd, o.data(), o_stride);
        for (int32_t i = 0; i < nq; ++i) {
          SCOPED_TRACE("query " + std::to_string(i));
          const float* si = s.data() + i * s_stride;
          const float* si_ref = s_ref.data() + static_cast<size_t>(first + i) * n;
          const float* oi = o.data() + i * o_stride;
          const float* oi_ref = o_ref.data() + static_cast<size_t>(first + i) * hd;
          for (size_t j = static_cast<size_t>(n); j < s_stride; ++j) ASSERT_EQ(si[j], kSentinel) << "score gap " << j;
          for (size_t d = static_cast<size_t>(hd); d < o_stride; ++d) ASSERT_EQ(oi[d], kSentinel) << "output gap " << d;
          if (ak->exact) {
            ASSERT_EQ(std::memcmp(si, si_ref, sizeof(float) * static_cast<size_t>(n)), 0) << "scores differ";
            ASSERT_EQ(std::memcmp(oi, oi_ref, sizeof(float) * static_cast<size_t>(hd)), 0) << "outputs differ";
            continue;
          }
          const float* qi = qv.data() + static_cast<size_t>(first + i) * hd;
          const float* pi = p.data() + static_cast<size_t>(first + i) * n;
          for (int32_t j = 0; j < n; ++j) {
            double abs_sum = 0.0;
            for (int32_t d = 0; d < hd; ++d) {
              abs_sum += std::fabs(static_cast<double>(qi[d]) * kq[static_cast<size_t>(j) * hd + d]);
            }
            ASSERT_NEAR(si[j], si_ref[j], (2.0 * hd + 4.0) * kU * scale * abs_sum + 1e-30) << "key " << j;
          }
          for (int32_t d = 0; d < hd; ++d) {
            double abs_sum = 0.0;
            for (int32_t j = 0; j < n; ++j) {
              abs_sum += std::fabs(static_cast<double>(pi[j]) * vq[static_cast<size_t>(j) * hd + d]);
            }
            ASSERT_NEAR(oi[d], oi_ref[d], (2.0 * n + 4.0) * kU * abs_sum + 1e-30) << "dim " << d;
          }
        }
        // A key's score does not depend on the range it was computed in.
        if (n > 1) {
          std::vector<float> s_tail(s_stride * nq, kSentinel);
          scores(q.data() + first * q_stride, q_stride, nq, k + stride, stride, n - 1, hd, scale, s_tail.data(), s_stride);
          for (int32_t i = 0; i < nq; ++i) {
            ASSERT_EQ(std::memcmp(s_tail.data() + i * s_stride, s.data() + i * s_stride + 1,
                                  sizeof(float) * static_cast<size_t>(n - 1)), 0) << "query " << i;
          }
        }
        ++cases;
      }
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

TEST(AttnKernels, MaxQueriesWithinTheScratchBound) {
  for (int i = 0; i < kIsaCount; ++i) {
    const AttnKernels* ak = attn_kernels(static_cast<Isa>(i));
    EXPECT_GE(ak->max_queries, 1) << ak->name;
    EXPECT_LE(ak->max_queries, kAttnMaxQueries) << ak->name;
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
