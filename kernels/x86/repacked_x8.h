// The x86 8-row repacked layouts (described in gemm_repacked_avx2.cpp) and
// the pieces of arithmetic the AVX2 and AVX-512 kernels over them share
// (AVX2 instructions: include only from files compiled with -mavx2).
//
// Everything here has internal linkage on purpose: each per-ISA file
// compiles its own copy with its own -m flags. Inline functions with
// external linkage would be merged by the linker, and the surviving copy
// could carry AVX-512 encodings into the AVX2 path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <immintrin.h>

#include "kernels/dispatch.h"
#include "kernels/ref/blocks.h"
#include "kernels/repacked_groups.h"

namespace edgellm::kernels::x86 {
namespace {  // NOLINT(google-build-namespaces): per-ISA copies, see above

namespace x8 {

constexpr int kRows = 8;
constexpr size_t kQ4Block = kRows * sizeof(block_q4_0);  // 144 bytes per block of a group
constexpr size_t kQ8Block = kRows * sizeof(block_q8_0);  // 272
constexpr size_t kQ5Block = kRows * sizeof(block_q5_0);  // 176
constexpr size_t kQ5High = 16 + 128;  // the fifth bits after the Q4_0-like part
constexpr size_t kQ4KScales = 32, kQ4KMins = 32 + 128, kQ4KQuants = 32 + 128 + 64;
constexpr size_t kQ4KBlock = kQ4KQuants + kRows * kQK_K / 2;  // 1248
constexpr size_t kQ6KScales = 16, kQ6KLow = 16 + 256, kQ6KHigh = kQ6KLow + 1024;
constexpr size_t kQ6KBlock = kQ6KHigh + 512;  // 1808

// Software prefetch, kPrefetchBytes ahead of the group block being read
// (groups are contiguous, so near a group's end this reaches into the next
// one: what a decode GEMV reads next; a prefill pass reads the same group
// again first, so those few prefetches are early). Issuing a block's lines together keeps
// many misses in flight; without it a decode GEMV on the x86 VM this was
// tuned on read 4-10 GB/s instead of 15-30 (docs/kernels.md, "Prefetch").
// Prefetches never fault, so running past the buffer's end is harmless.
constexpr size_t kPrefetchBytes = 4096;

template <size_t kBlockBytes>
inline void prefetch_ahead(const uint8_t* blk) {
  for (size_t i = 0; i < kBlockBytes; i += 64) {
    _mm_prefetch(reinterpret_cast<const char*>(blk + kPrefetchBytes + i), _MM_HINT_T0);
  }
}

// An empty asm that takes v in a register: GCC then cannot hoist every
// product of a block above the first sum and spill them (what it did at
// -O3 with four tokens' accumulators live).
inline void pin(__m256i& v) { asm("" : "+x"(v)); }

inline int32_t load4(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Rows of quantize_q8_0_sum8_scales_avx2: after the Q8_0 blocks, 8 * sum(x)
// per block (int32), then each block's scale as a float. act_scales(sums,
// nb), given where a row's sums start, is where its scales start; the scale of block b, in all
// 8 lanes, is one vbroadcastss (an fp16 scale would take 3 more uops).
inline const uint8_t* act_scales(const uint8_t* sums, int64_t nb) { return sums + 4 * nb; }
inline __m256 bcast_scale(const uint8_t* scales, int64_t b) {
  float d;
  std::memcpy(&d, scales + 4 * b, 4);
  return _mm256_set1_ps(d);
}

// Q4_K's min term, the same on AVX2 and AVX-512 (VNNI has nothing better
// for it): the group block's mins as 4 int16 vectors (vector p, lanes 2r and
// 2r+1 = row r's mins of sub-blocks 2p and 2p+1) ...
inline void q4_K_mins(const uint8_t* blk, __m256i mins[4]) {
  for (int p = 0; p < 4; ++p) {
    mins[p] = _mm256_cvtepu8_epi16(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kQ4KMins + 16 * p)));
  }
}

// ... and row r's sum_j m_rj * bsum_j against one token's Q8_K block sums.
// hadd: int16 lanes 0-3 = sub-block sums 0-3, lanes 8-11 = 4-7, so int32
// elements 0, 1, 4, 5 are the sub-block pairs 0..3.
inline __m256i q4_K_min_sums(const __m256i mins[4], const int16_t* bsums) {
  const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bsums));
  const __m256i pairs = _mm256_hadd_epi16(bs, bs);
  __m256i msum = _mm256_madd_epi16(mins[0], _mm256_permutevar8x32_epi32(pairs, _mm256_set1_epi32(0)));
  msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mins[1], _mm256_permutevar8x32_epi32(pairs, _mm256_set1_epi32(1))));
  msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mins[2], _mm256_permutevar8x32_epi32(pairs, _mm256_set1_epi32(4))));
  return _mm256_add_epi32(msum, _mm256_madd_epi16(mins[3], _mm256_permutevar8x32_epi32(pairs, _mm256_set1_epi32(5))));
}

}  // namespace x8
}  // namespace
}  // namespace edgellm::kernels::x86
