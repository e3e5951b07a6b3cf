// The driver of the kernels over weights repacked at load into groups of
// kRows interleaved rows (kernels/x86/gemm_repacked_*.cpp 8-row groups,
// kernels/arm/gemm_repacked_dotprod.cpp 4-row groups): which groups a
// thread's row range touches, how many tokens each pass over a group takes,
// and the partial groups at the range's ends. The per-format kernels do
// the arithmetic.
//
// Everything here has internal linkage on purpose: each per-ISA file
// compiles its own copy with its own flags. Inline functions with external
// linkage would be merged by the linker, and the surviving copy could carry
// one ISA's encodings into another's path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/dispatch.h"

namespace edgellm::kernels {
namespace {  // NOLINT(google-build-namespaces): per-ISA copies, see above
namespace repacked {

// Walks the kRows-row groups touching [row_begin, row_end), P tokens per pass
// over a group (the group's weights stay in L1/L2 across the passes), then
// 4 at a time (when P > 4), then one. run(std::integral_constant<int, T>,
// g, nb, x, x_row_bytes, sums_offset, y, y_stride) writes T tokens' kRows
// row results of group g (nb blocks) to y (T rows of y_stride floats). A group only
// partly inside the range (a thread's split that is not a multiple of kRows,
// or the padded last group) goes through a stack tile and only its rows in
// range are written.
template <int kRows, int P, class Run>
void gemm_groups(const GemmArgs& a, int64_t block_elems, size_t group_block_bytes,
                 size_t sums_offset, Run run) {
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
        run(tokens_tag, g, nb, xt, a.x_row_bytes, sums_offset, a.y + t * a.y_stride + g0,
            a.y_stride);
        return;
      }
      alignas(32) float tile[T * kRows];
      run(tokens_tag, g, nb, xt, a.x_row_bytes, sums_offset, tile, static_cast<int64_t>(kRows));
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

}  // namespace repacked
}  // namespace
}  // namespace edgellm::kernels
