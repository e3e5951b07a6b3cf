// The x86 8-row repacked layouts (described in gemm_repacked_avx2.cpp) and
// the group driver shared by the AVX2 and AVX-512 kernels over them.
//
// Everything here has internal linkage on purpose: each per-ISA file
// compiles its own copy with its own -m flags. Inline functions with
// external linkage would be merged by the linker, and the surviving copy
// could carry AVX-512 encodings into the AVX2 path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/dispatch.h"
#include "kernels/ref/blocks.h"

namespace edgellm::kernels::x86 {
namespace {  // NOLINT(google-build-namespaces): per-ISA copies, see above

namespace x8 {

constexpr int kRows = 8;
constexpr size_t kQ4Block = kRows * sizeof(block_q4_0);  // 144 bytes per block of a group
constexpr size_t kQ8Block = kRows * sizeof(block_q8_0);  // 272
constexpr size_t kQ4KScales = 32, kQ4KMins = 32 + 128, kQ4KQuants = 32 + 128 + 64;
constexpr size_t kQ4KBlock = kQ4KQuants + kRows * kQK_K / 2;  // 1248
constexpr size_t kQ6KScales = 16, kQ6KLow = 16 + 256, kQ6KHigh = kQ6KLow + 1024;
constexpr size_t kQ6KBlock = kQ6KHigh + 512;  // 1808

inline int32_t load4(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Walks the 8-row groups touching [row_begin, row_end), P tokens per pass
// over a group (the group's weights stay in L1/L2 across the passes), then
// 4 at a time (when P > 4), then one. Group<T>::run(g, nb, x, x_row_bytes,
// sums_offset, y, y_stride) writes T tokens' 8 row results. A group only
// partly inside the range (a thread's split that is not a multiple of 8, or
// the padded last group) goes through a stack tile and only its rows in
// range are written.
template <template <int> class Group, int P>
void gemm_groups(const GemmArgs& a, int64_t block_elems, size_t group_block_bytes,
                 size_t sums_offset) {
  static_assert(P == 4 || P == 8, "passes of 4 or 8 tokens");
  const int64_t nb = a.k / block_elems;
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  for (int64_t g0 = a.row_begin / kRows * kRows; g0 < a.row_end; g0 += kRows) {
    const uint8_t* g = w + static_cast<size_t>(g0 / kRows) * nb * group_block_bytes;
    const bool whole = g0 >= a.row_begin && g0 + kRows <= a.row_end;
    auto pass = [&](auto tokens_tag, int64_t t) {
      constexpr int T = decltype(tokens_tag)::value;
      const uint8_t* xt = x + t * a.x_row_bytes;
      if (whole) {
        Group<T>::run(g, nb, xt, a.x_row_bytes, sums_offset, a.y + t * a.y_stride + g0,
                      a.y_stride);
        return;
      }
      alignas(32) float tile[T * kRows];
      Group<T>::run(g, nb, xt, a.x_row_bytes, sums_offset, tile, kRows);
      const int64_t r0 = g0 > a.row_begin ? g0 : a.row_begin;
      const int64_t r1 = g0 + kRows < a.row_end ? g0 + kRows : a.row_end;
      for (int tt = 0; tt < T; ++tt) {
        for (int64_t r = r0; r < r1; ++r) a.y[(t + tt) * a.y_stride + r] = tile[tt * kRows + (r - g0)];
      }
    };
    int64_t t = 0;
    for (; t + P <= a.n_tokens; t += P) pass(std::integral_constant<int, P>{}, t);
    if constexpr (P > 4) {
      for (; t + 4 <= a.n_tokens; t += 4) pass(std::integral_constant<int, 4>{}, t);
    }
    for (; t < a.n_tokens; ++t) pass(std::integral_constant<int, 1>{}, t);
  }
}

}  // namespace x8
}  // namespace
}  // namespace edgellm::kernels::x86
