// The driver of the kernels over weights repacked at load into groups of
// kRows interleaved rows (kernels/x86/gemm_repacked_*.cpp 8-row groups,
// kernels/arm/gemm_repacked_dotprod.cpp 4-row groups): which groups a
// thread's row range touches, how many tokens each pass over a group takes,
// and the partial groups at the range's ends; and the walk over group
// blocks that every layout's repack / unrepack shares. The per-format
// kernels do the arithmetic and say where a row's block goes.
//
// Everything here has internal linkage on purpose: each per-ISA file
// compiles its own copy with its own flags. Inline functions with external
// linkage would be merged by the linker, and the surviving copy could carry
// one ISA's encodings into another's path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Repacking at load, the walk every layout shares: group g's block b
// (group_block_bytes, zeroed first) sits at (g * nb + b) * group_block_bytes;
// fill(blk, r, s) writes the source block s of the group's row r into it
// (s all zero for the padding rows past `rows`).
template <int kRows, class Block, class Fill>
void repack_blocks(const void* src, size_t row_bytes, int64_t rows, int64_t nb,
                   size_t group_block_bytes, void* dst, Fill fill) {
  const int64_t groups = (rows + kRows - 1) / kRows;
  const uint8_t* in = static_cast<const uint8_t*>(src);
  uint8_t* out = static_cast<uint8_t*>(dst);
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* blk = out + (static_cast<size_t>(g) * nb + b) * group_block_bytes;
      std::memset(blk, 0, group_block_bytes);
      for (int r = 0; r < kRows; ++r) {
        const int64_t row = g * kRows + r;
        Block s{};
        if (row < rows) std::memcpy(&s, in + row * row_bytes + b * sizeof(Block), sizeof(Block));
        fill(blk, r, static_cast<const Block&>(s));
      }
    }
  }
}

// The inverse for one row (the file's bytes of row `row` into dst):
// take(blk, r, out) rebuilds the row's block from each of its group blocks.
template <int kRows, class Block, class Take>
void unrepack_blocks(const void* repacked, int64_t nb, size_t group_block_bytes, int64_t row,
                     void* dst, Take take) {
  const uint8_t* in = static_cast<const uint8_t*>(repacked);
  const int r = static_cast<int>(row % kRows);
  Block* out = static_cast<Block*>(dst);
  for (int64_t b = 0; b < nb; ++b) {
    take(in + (static_cast<size_t>(row / kRows) * nb + b) * group_block_bytes, r, out[b]);
  }
}

// Q5_0's fifth bits in both layouts: element e's bit sits in byte e % 4 of
// its row's 4 bytes, at bit e / 4 (e < 16) or 4 + (e - 16) / 4, so one
// shift per vector brings a vector's bits to the same position.
constexpr int q5_bit(int e) { return e < 16 ? e / 4 : 4 + (e - 16) / 4; }

}  // namespace repacked
}  // namespace
}  // namespace edgellm::kernels
