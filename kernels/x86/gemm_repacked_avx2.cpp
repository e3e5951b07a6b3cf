// Q4_0, Q5_0, Q8_0, Q4_K and Q6_K GEMM/GEMV over weights repacked once at
// load (AVX2).
//
// Layout (x8): rows are taken in groups of 8 (the matrix is padded to whole
// groups with zero rows); group g starts where row 8g started in the
// original matrix and holds, per 32-element block b, an interleaved block of
// the same bytes as the 8 original blocks:
//   8 fp16 scales (row 0..7), then the quants as 32-byte vectors whose bytes
//   4r..4r+3 belong to row r:
//   Q4_0: 4 vectors, vector j = original bytes qs[4j..4j+3] of each row, i.e.
//         low nibbles = elements 4j..4j+3, high nibbles = elements 16+4j..
//   Q8_0: 8 vectors, vector j = elements 4j..4j+3 of each row.
//   Q5_0 (176 bytes = 8 rows * 22): the scales and nibble vectors as Q4_0,
//         then 32 bytes of fifth bits: byte 4r+i, bit j (j < 4) = the fifth
//         bit of row r's element 4j+i, bit 4+j = that of element 16+4j+i,
//         so vector j's fifth bits come out with one shift and one and.
//   Q4_K (per 256-element super-block, 1248 bytes = 8 rows * 156):
//         d[8], dmin[8] (fp16); the 6-bit scales unpacked, 16 bytes per
//         sub-block j (bytes 2r, 2r+1 = row r's scale); the 6-bit mins, 16
//         bytes per sub-block pair p (bytes 2r, 2r+1 = row r's mins of
//         sub-blocks 2p, 2p+1); then 32 vectors of quants, vector 8c+i =
//         original bytes qs[32c+4i..32c+4i+3] of each row (low nibbles:
//         sub-block 2c, high: 2c+1).
//   Q6_K (per super-block, 1808 bytes = 8 rows * 226): d[8] (fp16); the
//         int8 scales, 16 bytes per 16-element sub-block g (bytes 2r, 2r+1 =
//         row r's scale); 32 vectors of low nibbles (vector v: low nibbles =
//         elements 4v..4v+3 of each row, high nibbles = elements 128+4v..);
//         16 vectors of high bit pairs (vector h, bits 2q..2q+1 = high bits
//         of elements 64q+4h..64q+4h+3). Values are the unsigned u = q+32;
//         the -32 comes back as 32 * sum_g(sc_g * bsum_g) per row.
// One vpmaddubs against a token's 4 activation quants broadcast to all lanes
// gives the 8 rows' partial sums at once, the 8 row results of a block land
// in one vector (no horizontal sums), and the kernels read the weights
// straight from the repacked buffer: no packing per call, and the same code
// serves decode (1 token) and prefill (4 tokens per pass over a group).
//
// Integer block dots are exact (as in the reference); only the float
// accumulation order differs. Q4_0 uses unsigned nibbles and subtracts the
// activation's precomputed 8*sum(x) per block; its int16 sums stay below
// 8 * 2 * 15 * 127 < 32768 over a block. Q8_0 moves each weight's sign onto
// the activation (vpsignb) and widens the int16 pairs (up to 2 * 128 * 127)
// after every step. Q4_0, Q5_0 and Q8_0 read rows of
// quantize_q8_0_sum8_scales_avx2: the Q8_0 blocks, those sums, then each
// block's scale as a float (one vbroadcastss per token and block instead of
// an fp16 convert).
#include <cstring>

#include "kernels/q6_k_values.h"
#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/repacked_x8.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

using namespace x8;

template <int T>
inline void q4_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                       size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xs[t] = x + t * x_row_bytes + sums_offset;
    xd[t] = act_scales(xs[t], nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4Block;
    prefetch_ahead<kQ4Block>(blk);
    __m256i s16[T];
    for (int t = 0; t < T; ++t) s16[t] = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 16 + 32 * j));
      const __m256i lo = _mm256_and_si256(v, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
      for (int t = 0; t < T; ++t) {
        const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_set1_epi32(load4(xb[t][b].qs + 4 * j)));
        const __m256i ph =
            _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load4(xb[t][b].qs + 16 + 4 * j)));
        s16[t] = _mm256_add_epi16(s16[t], _mm256_add_epi16(pl, ph));
        pin(s16[t]);
      }
    }
    const __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk)));
    for (int t = 0; t < T; ++t) {
      const __m256i i32 = _mm256_sub_epi32(_mm256_madd_epi16(s16[t], ones),
                                           _mm256_set1_epi32(load4(xs[t] + 4 * b)));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32),
                               _mm256_mul_ps(dv, bcast_scale(xd[t], b)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

// Q5_0: unsigned u = nibble | fifth bit << 4 in 0..31, the -16 comes back
// as 2 * the activation's precomputed 8*sum(x). Two vectors' products
// (4 vpmaddubs, <= 4 * 2 * 31 * 127 < 32768) are summed in int16, then
// widened.
template <int T>
inline void q5_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                       size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xs[t] = x + t * x_row_bytes + sums_offset;
    xd[t] = act_scales(xs[t], nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ5Block;
    prefetch_ahead<kQ5Block>(blk);
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + kQ5High));
    __m256i s32[T];
    for (int t = 0; t < T; ++t) s32[t] = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
      __m256i s16[T];
      for (int t = 0; t < T; ++t) s16[t] = _mm256_setzero_si256();
      for (int j = 2 * half; j < 2 * half + 2; ++j) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 16 + 32 * j));
        // Bit j of each byte to bit 4 (low elements), bit 4+j to bit 4 (high);
        // bits shifted in from the neighbouring byte never reach bit 4.
        const __m256i lo = _mm256_or_si256(_mm256_and_si256(v, low4),
                                           _mm256_and_si256(_mm256_slli_epi16(h, 4 - j), bit4));
        const __m256i hi =
            _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4),
                            _mm256_and_si256(_mm256_srli_epi16(h, j), bit4));
        for (int t = 0; t < T; ++t) {
          const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_set1_epi32(load4(xb[t][b].qs + 4 * j)));
          const __m256i ph =
              _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load4(xb[t][b].qs + 16 + 4 * j)));
          s16[t] = _mm256_add_epi16(s16[t], _mm256_add_epi16(pl, ph));
          pin(s16[t]);
        }
      }
      for (int t = 0; t < T; ++t) {
        s32[t] = _mm256_add_epi32(s32[t], _mm256_madd_epi16(s16[t], ones));
        pin(s32[t]);
      }
    }
    const __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk)));
    for (int t = 0; t < T; ++t) {
      const __m256i i32 =
          _mm256_sub_epi32(s32[t], _mm256_slli_epi32(_mm256_set1_epi32(load4(xs[t] + 4 * b)), 1));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32),
                               _mm256_mul_ps(dv, bcast_scale(xd[t], b)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
inline void q8_0_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                       size_t sums_offset, float* y, int64_t y_stride) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc[T];
  const block_q8_0* xb[T];
  const uint8_t* xd[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes);
    xd[t] = act_scales(x + t * x_row_bytes + sums_offset, nb);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ8Block;
    prefetch_ahead<kQ8Block>(blk);
    __m256i s32[T];
    for (int t = 0; t < T; ++t) s32[t] = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 16 + 32 * j));
      const __m256i aw = _mm256_sign_epi8(wv, wv);  // -128 -> 0x80 = 128 unsigned: exact
      for (int t = 0; t < T; ++t) {
        const __m256i sx = _mm256_sign_epi8(_mm256_set1_epi32(load4(xb[t][b].qs + 4 * j)), wv);
        s32[t] = _mm256_add_epi32(s32[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sx), ones));
        pin(s32[t]);
      }
    }
    const __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk)));
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32[t]),
                               _mm256_mul_ps(dv, bcast_scale(xd[t], b)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
inline void q4_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                       size_t /*sums_offset*/, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[T];
  const block_q8_K* xb[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4KBlock;
    prefetch_ahead<kQ4KBlock>(blk);
    __m256i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      const uint8_t* q = blk + kQ4KQuants + (j / 2) * 256;
      __m256i s16[T];
      for (int t = 0; t < T; ++t) s16[t] = _mm256_setzero_si256();
      for (int i = 0; i < 8; ++i) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32 * i));
        const __m256i u = _mm256_and_si256((j & 1) ? _mm256_srli_epi16(v, 4) : v, low4);
        for (int t = 0; t < T; ++t) {
          // 8 steps of 2 * 15 * 127 stay within int16.
          s16[t] = _mm256_add_epi16(
              s16[t],
              _mm256_maddubs_epi16(u, _mm256_set1_epi32(load4(xb[t][b].qs + 32 * j + 4 * i))));
          pin(s16[t]);
        }
      }
      const __m256i sc = _mm256_cvtepu8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kQ4KScales + 16 * j)));
      for (int t = 0; t < T; ++t) isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(s16[t], sc));
    }
    __m256i mins[4];
    q4_K_mins(blk, mins);
    const __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk)));
    const __m256 dmv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + 16)));
    for (int t = 0; t < T; ++t) {
      const __m256i msum = q4_K_min_sums(mins, xb[t][b].bsums);
      const __m256 dx = _mm256_set1_ps(xb[t][b].d);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_mul_ps(dv, dx), acc[t]);
      acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_mul_ps(dmv, dx), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}

template <int T>
inline void q6_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                       size_t /*sums_offset*/, float* y, int64_t y_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), hmask = _mm256_set1_epi8(0x30);
  __m256 acc[T];
  const block_q8_K* xb[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = _mm256_setzero_ps();
    xb[t] = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ6KBlock;
    prefetch_ahead<kQ6KBlock>(blk);
    auto scales = [&](int sub) {
      return _mm256_cvtepi8_epi16(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + kQ6KScales + 16 * sub)));
    };
    // The offset term first: -32 * sum_g sc_g * bsum_g per row, a pair of
    // sub-blocks per step: the blend puts row r's scale of sub-block 2p in
    // int16 lane 2r and of 2p+1 in lane 2r+1, against bsums 2p, 2p+1.
    __m256i isum[T];
    for (int t = 0; t < T; ++t) isum[t] = _mm256_setzero_si256();
    for (int p = 0; p < 8; ++p) {
      const __m256i sc = _mm256_blend_epi16(scales(2 * p), scales(2 * p + 1), 0xAA);
      for (int t = 0; t < T; ++t) {
        isum[t] = _mm256_add_epi32(
            isum[t], _mm256_madd_epi16(sc, _mm256_set1_epi32(load4(xb[t][b].bsums + 2 * p))));
        pin(isum[t]);
      }
    }
    for (int t = 0; t < T; ++t) isum[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(isum[t], 5));
    const uint8_t* lo = blk + kQ6KLow;
    const uint8_t* hi = blk + kQ6KHigh;
    for (int h = 0; h < 16; h += 2) {
      __m256i l0[2], l1[2], hv[2];
      for (int e = 0; e < 2; ++e) {
        l0[e] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo + 32 * (h + e)));
        l1[e] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo + 32 * (h + e + 16)));
        hv[e] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi + 32 * (h + e)));
      }
      for (int q = 0; q < 4; ++q) {
        // Group of 4 elements G = 16q + h (+1): sub-block 4q + h/4.
        __m256i w[2];
        for (int e = 0; e < 2; ++e) {
          const __m256i l = q == 0 ? _mm256_and_si256(l0[e], low4)
                          : q == 1 ? _mm256_and_si256(l1[e], low4)
                          : q == 2 ? _mm256_and_si256(_mm256_srli_epi16(l0[e], 4), low4)
                                   : _mm256_and_si256(_mm256_srli_epi16(l1[e], 4), low4);
          const __m256i hb = q == 0 ? _mm256_slli_epi16(hv[e], 4)
                           : q == 1 ? _mm256_slli_epi16(hv[e], 2)
                           : q == 2 ? hv[e]
                                    : _mm256_srli_epi16(hv[e], 2);
          w[e] = _mm256_or_si256(l, _mm256_and_si256(hb, hmask));
        }
        const __m256i sc = scales(4 * q + h / 4);
        const int e0 = 64 * q + 4 * h;
        for (int t = 0; t < T; ++t) {
          // Two steps of 2 * 63 * 127 stay within int16.
          const __m256i p0 = _mm256_maddubs_epi16(w[0], _mm256_set1_epi32(load4(xb[t][b].qs + e0)));
          const __m256i p1 =
              _mm256_maddubs_epi16(w[1], _mm256_set1_epi32(load4(xb[t][b].qs + e0 + 4)));
          isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(_mm256_add_epi16(p0, p1), sc));
          pin(isum[t]);
        }
      }
    }
    const __m256 dv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk)));
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]),
                               _mm256_mul_ps(dv, _mm256_set1_ps(xb[t][b].d)), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) _mm256_storeu_ps(y + t * y_stride, acc[t]);
}


// Q4_0 / Q5_0 / Q8_0 block of row r in a group block: the scale, then Vec
// 4-byte groups of quants (4 for 16 bytes of nibbles, 8 for Q8_0's 32).
template <class Block, int Vec>
inline void put_x8(uint8_t* blk, int r, const Block& s) {
  std::memcpy(blk + 2 * r, &s.d, 2);
  for (int j = 0; j < Vec; ++j) std::memcpy(blk + 16 + 32 * j + 4 * r, s.qs + 4 * j, 4);
}

template <class Block, int Vec>
inline void get_x8(const uint8_t* blk, int r, Block& o) {
  std::memcpy(&o.d, blk + 2 * r, 2);
  for (int j = 0; j < Vec; ++j) std::memcpy(o.qs + 4 * j, blk + 16 + 32 * j + 4 * r, 4);
}

template <class Block, int Vec>
void repack_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, Block>(src, row_bytes, rows, k / kQK, kRows * sizeof(Block), dst,
                                        put_x8<Block, Vec>);
}

template <class Block, int Vec>
void unrepack_x8(const void* repacked, int64_t k, int64_t row, void* dst) {
  repacked::unrepack_blocks<kRows, Block>(repacked, k / kQK, kRows * sizeof(Block), row, dst,
                                          get_x8<Block, Vec>);
}

}  // namespace

void unrepack_q4_0_x8(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  unrepack_x8<block_q4_0, 4>(repacked, k, row, dst);
}

void unrepack_q8_0_x8(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  unrepack_x8<block_q8_0, 8>(repacked, k, row, dst);
}

// Q5_0: the Q4_0-like part, then the fifth bits (repacked::q5_bit).
void unrepack_q5_0_x8(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  repacked::unrepack_blocks<kRows, block_q5_0>(
      repacked, k / kQK, kQ5Block, row, dst, [](const uint8_t* blk, int r, block_q5_0& o) {
        get_x8<block_q5_0, 4>(blk, r, o);
        uint32_t qh = 0;
        for (int e = 0; e < kQK; ++e) {
          qh |= static_cast<uint32_t>((blk[kQ5High + 4 * r + e % 4] >> repacked::q5_bit(e)) & 1) << e;
        }
        std::memcpy(o.qh, &qh, 4);
      });
}

void unrepack_q4_K_x8(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row,
                      void* dst) {
  repacked::unrepack_blocks<kRows, block_q4_K>(
      repacked, k / kQK_K, kQ4KBlock, row, dst, [](const uint8_t* blk, int r, block_q4_K& o) {
        std::memcpy(&o.d, blk + 2 * r, 2);
        std::memcpy(&o.dmin, blk + 16 + 2 * r, 2);
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; ++j) {
          sc[j] = blk[kQ4KScales + 16 * j + 2 * r];
          mn[j] = blk[kQ4KMins + 16 * (j / 2) + 2 * r + (j & 1)];
        }
        k4_pack_scale_min(sc, mn, o.scales);
        for (int c = 0; c < 4; ++c) {
          for (int i = 0; i < 8; ++i) {
            std::memcpy(o.qs + 32 * c + 4 * i, blk + kQ4KQuants + 256 * c + 32 * i + 4 * r, 4);
          }
        }
      });
}

void unrepack_q6_K_x8(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row,
                      void* dst) {
  repacked::unrepack_blocks<kRows, block_q6_K>(
      repacked, k / kQK_K, kQ6KBlock, row, dst, [](const uint8_t* blk, int r, block_q6_K& o) {
        std::memcpy(&o.d, blk + 2 * r, 2);
        for (int sub = 0; sub < 16; ++sub) {
          o.scales[sub] = static_cast<int8_t>(blk[kQ6KScales + 16 * sub + 2 * r]);
        }
        uint8_t u[kQK_K];  // the 256 unsigned 6-bit values in element order
        for (int v = 0; v < 32; ++v) {
          for (int i = 0; i < 4; ++i) {
            const uint8_t lo = blk[kQ6KLow + 32 * v + 4 * r + i];
            u[4 * v + i] = lo & 0xF;
            u[128 + 4 * v + i] = lo >> 4;
          }
        }
        for (int h = 0; h < 16; ++h) {
          for (int i = 0; i < 4; ++i) {
            const uint8_t bits = blk[kQ6KHigh + 32 * h + 4 * r + i];
            for (int q = 0; q < 4; ++q) {
              u[64 * q + 4 * h + i] |= static_cast<uint8_t>(((bits >> (2 * q)) & 3) << 4);
            }
          }
        }
        q6k::from_values(u, &o);
      });
}

void repack_q4_K_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q4_K>(
      src, row_bytes, rows, k / kQK_K, kQ4KBlock, dst, [](uint8_t* blk, int r, const block_q4_K& s) {
        std::memcpy(blk + 2 * r, &s.d, 2);
        std::memcpy(blk + 16 + 2 * r, &s.dmin, 2);
        for (int j = 0; j < 8; ++j) {
          uint8_t sc, mn;
          k4_scale_min(j, s.scales, &sc, &mn);
          blk[kQ4KScales + 16 * j + 2 * r] = sc;
          blk[kQ4KScales + 16 * j + 2 * r + 1] = sc;
          blk[kQ4KMins + 16 * (j / 2) + 2 * r + (j & 1)] = mn;
        }
        for (int c = 0; c < 4; ++c) {
          for (int i = 0; i < 8; ++i) {
            std::memcpy(blk + kQ4KQuants + 256 * c + 32 * i + 4 * r, s.qs + 32 * c + 4 * i, 4);
          }
        }
      });
}

void gemm_q4_K_x8_avx2(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK_K, kQ4KBlock, 0,
      [](auto tokens, auto... args) { q4_K_group<decltype(tokens)::value>(args...); });
}

void repack_q6_K_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q6_K>(
      src, row_bytes, rows, k / kQK_K, kQ6KBlock, dst, [](uint8_t* blk, int r, const block_q6_K& s) {
        std::memcpy(blk + 2 * r, &s.d, 2);
        for (int sub = 0; sub < 16; ++sub) {
          blk[kQ6KScales + 16 * sub + 2 * r] = static_cast<uint8_t>(s.scales[sub]);
          blk[kQ6KScales + 16 * sub + 2 * r + 1] = static_cast<uint8_t>(s.scales[sub]);
        }
        uint8_t u[kQK_K];  // the 256 unsigned 6-bit values in element order
        q6k::to_values(s, u);
        for (int v = 0; v < 32; ++v) {
          for (int i = 0; i < 4; ++i) {
            blk[kQ6KLow + 32 * v + 4 * r + i] =
                static_cast<uint8_t>((u[4 * v + i] & 0xF) | ((u[128 + 4 * v + i] & 0xF) << 4));
          }
        }
        for (int h = 0; h < 16; ++h) {
          for (int i = 0; i < 4; ++i) {
            uint8_t bits = 0;
            for (int q = 0; q < 4; ++q) bits |= static_cast<uint8_t>((u[64 * q + 4 * h + i] >> 4) << (2 * q));
            blk[kQ6KHigh + 32 * h + 4 * r + i] = bits;
          }
        }
      });
}

void gemm_q6_K_x8_avx2(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK_K, kQ6KBlock, 0,
      [](auto tokens, auto... args) { q6_K_group<decltype(tokens)::value>(args...); });
}

void repack_q4_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repack_x8<block_q4_0, 4>(src, row_bytes, rows, k, dst);
}

void repack_q8_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repack_x8<block_q8_0, 8>(src, row_bytes, rows, k, dst);
}

void repack_q5_0_x8(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q5_0>(
      src, row_bytes, rows, k / kQK, kQ5Block, dst, [](uint8_t* blk, int r, const block_q5_0& s) {
        put_x8<block_q5_0, 4>(blk, r, s);
        uint32_t qh;
        std::memcpy(&qh, s.qh, 4);
        for (int e = 0; e < kQK; ++e) {
          blk[kQ5High + 4 * r + e % 4] |= static_cast<uint8_t>(((qh >> e) & 1) << repacked::q5_bit(e));
        }
      });
}

void gemm_q5_0_x8_avx2(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK, kQ5Block, static_cast<size_t>(a.k / kQK) * sizeof(block_q8_0),
      [](auto tokens, auto... args) { q5_0_group<decltype(tokens)::value>(args...); });
}

void gemm_q4_0_x8_avx2(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK, kQ4Block, static_cast<size_t>(a.k / kQK) * sizeof(block_q8_0),
      [](auto tokens, auto... args) { q4_0_group<decltype(tokens)::value>(args...); });
}

void gemm_q8_0_x8_avx2(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 4>(a, kQK, kQ8Block, static_cast<size_t>(a.k / kQK) * sizeof(block_q8_0),
      [](auto tokens, auto... args) { q8_0_group<decltype(tokens)::value>(args...); });
}

}  // namespace edgellm::kernels::x86
