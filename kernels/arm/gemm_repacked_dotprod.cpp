// Q4_0, Q5_0, Q8_0, Q4_K and Q6_K GEMM/GEMV over weights repacked once at
// load, with the by-element form of sdot (armv8.2-a dotprod).
//
// Layout (x4): rows in groups of 4 (the matrix is padded to whole groups
// with zero rows); group g starts where row 4g started in the original
// matrix and holds, per 32-element block, the same bytes as the 4 original
// blocks, interleaved:
//   4 fp16 scales (row 0..3), then 16-byte vectors whose bytes 4r..4r+3
//   belong to row r:
//   Q4_0: 4 vectors, vector j = original bytes qs[4j..4j+3] of each row XOR
//         0x88 (low nibbles = elements 4j..4j+3, high nibbles = 16+4j..).
//         Flipping the top bit of each nibble turns the unsigned q into the
//         4-bit two's complement of q-8, so `v << 4` and `v & 0xF0` read as
//         int8 are 16*(q-8) of the low and high elements: no subtraction.
//   Q5_0: 4 vectors of the file's nibbles (as Q4_0, not flipped), then 16
//         bytes of inverted fifth bits: byte 4r+i, bit j = NOT the fifth bit
//         of row r's element 4j+i, bit 4+j = NOT that of element 16+4j+i.
//         q-16 as a 5-bit two's complement is the nibble under the inverted
//         fifth bit, so a shift and one sli #7 give 8*(q-16) as int8.
//   Q8_0: 8 vectors, vector j = elements 4j..4j+3 of each row.
//   Q4_K (per 256-element super-block, 592 bytes = 4 rows * 148): d[4],
//         dmin[4] (fp16); the 6-bit scales unpacked, 4 bytes per sub-block
//         j (byte r = row r's scale); the 6-bit mins the same way; then 32
//         vectors of quants, vector 8c+i = original bytes qs[32c+4i..+3] of
//         each row (low nibbles: sub-block 2c, high: 2c+1), unsigned 0..15.
//         The mins pair with the activation's 16-element sums (exact int32).
//   Q6_K (per super-block, 840 bytes = 4 rows * 210): d[4] (fp16); the
//         int8 scales, 4 bytes per 16-element sub-block (byte r = row r);
//         32 vectors of low nibbles (vector v: low nibbles = elements
//         4v..4v+3 of each row, high nibbles = 128+4v..); 16 vectors of
//         high bit pairs (vector h, bits 2q..2q+1 = the high bits, XOR 2,
//         of elements 64q+4h..64q+4h+3). q-32 as a 6-bit two's complement
//         is the low nibble under the high pair XOR 2, so a shift and one
//         sli #6 give 4*(q-32) as int8 (scvtf #2 scales back).
// `sdot v.4s, w.16b, x.4b[j]` multiplies the 4 rows' 4 quants of vector j
// with the token's quants 4j..4j+3 (one lane of the activation vector), so
// one instruction gives the 4 rows' partial sums side by side: a block is 8
// sdot per token, the 4 row results land in one vector (no horizontal sums)
// and the float scaling is one fmla for 4 rows. The decode GEMV takes one
// token, the prefill GEMM 8 tokens per pass over a group (then 4, then 1 for
// the rest), the group's unpacked weights reused from registers; the driver
// is kernels/repacked_groups.h.
//
// Q4_0 / Q5_0 / Q8_0 read activation rows of quantize_q8_0_scales_neon: the
// Q8_0 blocks, then every block's scale again as a float, so a token's block
// costs one load for its scale instead of a load and an fp16 convert.
//
// Integer block sums are exact (Q4_0: 16 * sum, |sum| <= 32*8*127, scaled
// back by the fixed-point convert); only the float accumulation order
// differs from the reference.
#include <arm_neon.h>

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_util.h"
#include "kernels/q6_k_values.h"
#include "kernels/repacked_groups.h"

namespace edgellm::kernels::arm {
namespace {

// GCC's pre-register-allocation scheduler off for one function (see
// q8_0_act_pass); other compilers have no such attribute.
#if defined(__GNUC__) && !defined(__clang__)
#define EDGELLM_NO_PRESCHED __attribute__((optimize("no-schedule-insns")))
#else
#define EDGELLM_NO_PRESCHED
#endif

constexpr int kRows = 4;
constexpr size_t kQ4Block = kRows * sizeof(block_q4_0);  // 72 bytes per block of a group
constexpr size_t kQ8Block = kRows * sizeof(block_q8_0);  // 136
constexpr size_t kQ5Block = kRows * sizeof(block_q5_0);  // 88
constexpr size_t kQ5High = 8 + 64;  // the fifth bits after scales and nibbles
constexpr size_t kQ4KScales = 16, kQ4KMins = 48, kQ4KQuants = 80;
constexpr size_t kQ4KBlock = kQ4KQuants + kRows * kQK_K / 2;  // 592
constexpr size_t kQ6KScales = 8, kQ6KLow = 8 + 64, kQ6KHigh = kQ6KLow + 512;
constexpr size_t kQ6KBlock = kQ6KHigh + 256;  // 840 = 4 rows * 210

inline float32x4_t row_scales(const uint8_t* blk) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(blk))));
}

// Q4_0 and Q5_0 share the token loop; Unpack turns a group block into
// the 8 int8 vectors (lo: elements 4j..4j+3 of each row, hi: 16+4j..)
// holding 2^Frac times the signed quants, and the exact int32 sums are
// scaled back by the fixed-point convert.
struct UnpackQ4_0 {
  static constexpr size_t kBlock = kQ4Block;
  static constexpr int kFrac = 4;  // 16 * (q - 8)
  static constexpr bool kPostIndexLoads = true;
  static inline void unpack(const uint8_t* blk, int8x16_t lo[4], int8x16_t hi[4]) {
    const uint8x16_t high4 = vdupq_n_u8(0xF0);
    const uint8x16x4_t v = vld1q_u8_x4(blk + 8);  // one ld1 of 4 registers
    for (int j = 0; j < 4; ++j) {
      lo[j] = vreinterpretq_s8_u8(vshlq_n_u8(v.val[j], 4));
      hi[j] = vreinterpretq_s8_u8(vandq_u8(v.val[j], high4));
    }
  }
};

// Q5_0: u - 16 as a 5-bit two's complement is the nibble with the fifth
// bit inverted on top; placed in a byte's top 5 bits it reads as 8*(u-16).
// The repack stores the inverted fifth bits, so each vector is a shift of
// the nibbles and one sli (shift left and insert) of the fifth bit into
// bit 7.
struct UnpackQ5_0 {
  static constexpr size_t kBlock = kQ5Block;
  static constexpr int kFrac = 3;  // 8 * (q - 16)
  static constexpr bool kPostIndexLoads = false;
  template <int J>
  static inline void vec(uint8x16_t v, uint8x16_t h, int8x16_t& lo, int8x16_t& hi) {
    const uint8x16_t hl = J == 0 ? h : vshrq_n_u8(h, J == 0 ? 1 : J);
    lo = vreinterpretq_s8_u8(vsliq_n_u8(vshlq_n_u8(v, 3), hl, 7));
    hi = vreinterpretq_s8_u8(
        vsliq_n_u8(vandq_u8(vshrq_n_u8(v, 1), vdupq_n_u8(0x78)), vshrq_n_u8(h, 4 + J), 7));
  }
  static inline void unpack(const uint8_t* blk, int8x16_t lo[4], int8x16_t hi[4]) {
    const uint8x16x4_t v = vld1q_u8_x4(blk + 8);
    const uint8x16_t h = vld1q_u8(blk + kQ5High);
    vec<0>(v.val[0], h, lo[0], hi[0]);
    vec<1>(v.val[1], h, lo[1], hi[1]);
    vec<2>(v.val[2], h, lo[2], hi[2]);
    vec<3>(v.val[3], h, lo[3], hi[3]);
  }
};

// One token's block: the 8 sdot of the 4 rows against the token's 32 quants
// (x0: elements 0..15, x1: 16..31), then acc += sums * 2^-Frac * scale
// (scale = the rows' scales times the token's).
template <int Frac>
inline void token_block(const int8x16_t lo[4], const int8x16_t hi[4], int8x16_t x0, int8x16_t x1,
                        float32x4_t scale, float32x4_t& acc) {
  int32x4_t s = vdotq_laneq_s32(vdupq_n_s32(0), lo[0], x0, 0);
  s = vdotq_laneq_s32(s, lo[1], x0, 1);
  s = vdotq_laneq_s32(s, lo[2], x0, 2);
  s = vdotq_laneq_s32(s, lo[3], x0, 3);
  s = vdotq_laneq_s32(s, hi[0], x1, 0);
  s = vdotq_laneq_s32(s, hi[1], x1, 1);
  s = vdotq_laneq_s32(s, hi[2], x1, 2);
  s = vdotq_laneq_s32(s, hi[3], x1, 3);
  const float32x4_t sums = Frac == 0 ? vcvtq_f32_s32(s) : vcvtq_n_f32_s32(s, Frac == 0 ? 1 : Frac);
  acc = vfmaq_f32(acc, sums, scale);
}
template <int Frac>
inline void token_block(const int8x16_t lo[4], const int8x16_t hi[4], const int8_t* xq,
                        float32x4_t scale, float32x4_t& acc) {
  const int8x16x2_t xv = vld1q_s8_x2(xq);
  token_block<Frac>(lo, hi, xv.val[0], xv.val[1], scale, acc);
}

// Rows x of quantize_q8_0_scales_neon: Q8_0 blocks, then the block scales
// as floats at scales_offset (only 2-byte aligned when the block count is
// odd, hence the byte loads). In the kernels below, Block gives the 8 int8
// vectors of a group block (2^Frac times the signed quants).
inline float act_scale(const uint8_t* x, size_t scales_offset, int64_t b) {
  float d;
  std::memcpy(&d, x + scales_offset + b * sizeof(float), sizeof d);
  return d;
}
inline const int8_t* act_quants(const uint8_t* x, int64_t b) {
  return reinterpret_cast<const int8_t*>(x + b * sizeof(block_q8_0) + offsetof(block_q8_0, qs));
}

// The decode GEMV (one token): two blocks per iteration, their two scales
// one load, halve the loop overhead (Q4_0: 56 instructions per 2 blocks).
template <class Block>
void q8_0_act_gemv(const uint8_t* g, int64_t nb, const uint8_t* x, size_t scales_offset,
                   float* y) {
  float32x4_t acc = vdupq_n_f32(0.0f);
  const uint8_t* dx = x + scales_offset;
  int8x16_t lo[4], hi[4];
  int64_t b = 0;
  for (; b + 2 <= nb; b += 2) {
    const float32x2_t d2 = vreinterpret_f32_u8(vld1_u8(dx + b * sizeof(float)));
    const uint8_t* blk = g + b * Block::kBlock;
    Block::unpack(blk, lo, hi);
    token_block<Block::kFrac>(lo, hi, act_quants(x, b),
                              vmulq_lane_f32(row_scales(blk), d2, 0), acc);
    blk += Block::kBlock;
    Block::unpack(blk, lo, hi);
    token_block<Block::kFrac>(lo, hi, act_quants(x, b + 1),
                              vmulq_lane_f32(row_scales(blk), d2, 1), acc);
  }
  if (b < nb) {  // an odd block count (k an odd multiple of 32)
    const uint8_t* blk = g + b * Block::kBlock;
    Block::unpack(blk, lo, hi);
    token_block<Block::kFrac>(lo, hi, act_quants(x, b),
                              vmulq_n_f32(row_scales(blk), act_scale(x, scales_offset, b)), acc);
  }
  vst1q_f32(y, acc);
}

// A token's 32 quants into x0, x1 and its scale in all 4 lanes into d, each
// one load that also steps its pointer to the next token's row: ld1 with a
// register post-increment (two registers: they must be consecutive, hence
// the fixed v30/v31) and ld1r. GCC does not form these from intrinsics; an
// add per token is what it emitted instead.
inline void load_token(const uint8_t*& q, const uint8_t*& sc, size_t step, int8x16_t& x0,
                       int8x16_t& x1, float32x4_t& d) {
  register int8x16_t a asm("v30");
  register int8x16_t b asm("v31");
  asm("ld1 {%0.16b, %1.16b}, [%2], %3"
      : "=w"(a), "=w"(b), "+r"(q)
      : "r"(step), "m"(*reinterpret_cast<const uint8_t(*)[32]>(q)));
  asm("ld1r {%0.4s}, [%1], %2"
      : "=w"(d), "+r"(sc)
      : "r"(step), "m"(*reinterpret_cast<const uint8_t(*)[4]>(sc)));
  x0 = a;
  x1 = b;
}

// T > 1 tokens per pass over a group (prefill). The token loop is a fold
// over Ts..., so every accumulator index is a constant from the start and
// the accumulators can live in registers (a loop over t, unrolled only
// later, left them on the stack). GCC's pre-allocation scheduler would
// still hoist all T scale loads and multiplies to the top of the block and
// spill 4 accumulators; without it the pass has no stack traffic. Q4_0, 8
// tokens: 152 instructions per group block with the spills and an fp16
// scale convert per token, 136 without, 131 with the post-indexed loads
// (Q8_0 131 -> 129; Q5_0's unpacking needs more registers and lost 2 with
// v30/v31 fixed, so it keeps the plain loads: kPostIndexLoads).
template <class Block, int... Ts>
EDGELLM_NO_PRESCHED void q8_0_act_pass(
    std::integer_sequence<int, Ts...>, const uint8_t* g, int64_t nb, const uint8_t* x,
    size_t x_row_bytes, size_t scales_offset, float* y, int64_t y_stride) {
  float32x4_t acc[sizeof...(Ts)];
  ((acc[Ts] = vdupq_n_f32(0.0f)), ...);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * Block::kBlock;
    const float32x4_t dw = row_scales(blk);
    int8x16_t lo[4], hi[4];
    Block::unpack(blk, lo, hi);
    const uint8_t* q = reinterpret_cast<const uint8_t*>(act_quants(x, b));
    const uint8_t* sc = x + scales_offset + b * sizeof(float);
    auto token = [&](int t, float32x4_t& a) {
      if constexpr (Block::kPostIndexLoads) {
        int8x16_t x0, x1;
        float32x4_t d;
        load_token(q, sc, x_row_bytes, x0, x1, d);
        token_block<Block::kFrac>(lo, hi, x0, x1, vmulq_f32(dw, d), a);
      } else {
        const uint8_t* xt = x + t * x_row_bytes;
        token_block<Block::kFrac>(lo, hi, act_quants(xt, b),
                                  vmulq_n_f32(dw, act_scale(xt, scales_offset, b)), a);
      }
    };
    (token(Ts, acc[Ts]), ...);
  }
  // (a lambda: clang's vst1q_f32 is a macro, which a fold cannot expand)
  auto store = [&](int t, float32x4_t a) { vst1q_f32(y + t * y_stride, a); };
  (store(Ts, acc[Ts]), ...);
}

template <class Block, int T>
void q8_0_act_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                    size_t scales_offset, float* y, int64_t y_stride) {
  if constexpr (T == 1) {
    q8_0_act_gemv<Block>(g, nb, x, scales_offset, y);
  } else {
    q8_0_act_pass<Block>(std::make_integer_sequence<int, T>{}, g, nb, x, x_row_bytes,
                         scales_offset, y, y_stride);
  }
}

// Q8_0's group block: the 8 vectors as stored.
struct UnpackQ8_0 {
  static constexpr size_t kBlock = kQ8Block;
  static constexpr int kFrac = 0;
  static constexpr bool kPostIndexLoads = true;
  static inline void unpack(const uint8_t* blk, int8x16_t lo[4], int8x16_t hi[4]) {
    const int8x16x4_t a = vld1q_s8_x4(reinterpret_cast<const int8_t*>(blk + 8));
    const int8x16x4_t b = vld1q_s8_x4(reinterpret_cast<const int8_t*>(blk + 72));
    for (int j = 0; j < 4; ++j) {
      lo[j] = a.val[j];
      hi[j] = b.val[j];
    }
  }
};

// Sub-block J (elements 16J..16J+15, groups of 4 elements 4J..4J+3) of a
// Q6_K group block as 4 vectors of 4*(q-32).
template <int J>
inline void q6_K_unpack(const uint8_t* blk, int8x16_t w[4]) {
  constexpr int kQ = J / 4;  // the high pair's position: bits 2Q..2Q+1
  const uint8x16x4_t l = vld1q_u8_x4(blk + kQ6KLow + 16 * ((4 * J) % 32));
  const uint8x16x4_t h = vld1q_u8_x4(blk + kQ6KHigh + 16 * ((4 * J) % 16));
  for (int i = 0; i < 4; ++i) {
    const uint8x16_t lo = J < 8 ? vshlq_n_u8(l.val[i], 2)
                                : vandq_u8(vshrq_n_u8(l.val[i], 2), vdupq_n_u8(0x3C));
    const uint8x16_t hb = kQ == 0 ? h.val[i] : vshrq_n_u8(h.val[i], kQ == 0 ? 1 : 2 * kQ);
    w[i] = vreinterpretq_s8_u8(vsliq_n_u8(lo, hb, 6));
  }
}

// Per token and sub-block: 4 sdot into the 4 rows' sum, then mla by the
// rows' scales (|sum| <= 256 * 128 * 128 * 128 = 2^29 per super-block).
template <int T>
void q6_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t /*sums_offset*/, float* y, int64_t y_stride) {
  float32x4_t acc[T];
  const block_q8_K* xb[T];
  for (int t = 0; t < T; ++t) {
    acc[t] = vdupq_n_f32(0.0f);
    xb[t] = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes);
  }
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ6KBlock;
    int32x4_t isum[T];
    for (int t = 0; t < T; ++t) isum[t] = vdupq_n_s32(0);
    auto sub = [&](auto j_tag) {
      constexpr int J = decltype(j_tag)::value;
      int8x16_t w[4];
      q6_K_unpack<J>(blk, w);
      // 8 bytes read, the first 4 used (the low nibbles follow the scales).
      const int32x4_t sc =
          vmovl_s16(vget_low_s16(vmovl_s8(vld1_s8(reinterpret_cast<const int8_t*>(blk + kQ6KScales + 4 * J)))));
      for (int t = 0; t < T; ++t) {
        const int8x16_t xv = vld1q_s8(xb[t][b].qs + 16 * J);
        int32x4_t s = vdotq_laneq_s32(vdupq_n_s32(0), w[0], xv, 0);
        s = vdotq_laneq_s32(s, w[1], xv, 1);
        s = vdotq_laneq_s32(s, w[2], xv, 2);
        s = vdotq_laneq_s32(s, w[3], xv, 3);
        isum[t] = vmlaq_s32(isum[t], s, sc);
      }
    };
    [&]<int... J>(std::integer_sequence<int, J...>) {
      (sub(std::integral_constant<int, J>{}), ...);
    }(std::make_integer_sequence<int, 16>{});
    const float32x4_t dw = row_scales(blk);
    for (int t = 0; t < T; ++t) {
      acc[t] = vfmaq_f32(acc[t], vcvtq_n_f32_s32(isum[t], 2), vmulq_n_f32(dw, xb[t][b].d));
    }
  }
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * y_stride, acc[t]);
}

// Q4_K's per-super-block finish for one token, shared by q4_K_group and
// q4_K_pass: acc += isum * dw * d_x - mins_term * mw * d_x, where row r's
// mins term is sum_j m_rj * (bsums[2j] + bsums[2j+1]) in exact int32.
struct Q4KFinish {
  int16x8_t m01, m23, m45, m67;
  float32x4_t dw, mw;
  explicit Q4KFinish(const uint8_t* blk)
      : m01(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(blk + kQ4KMins)))),
        m23(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(blk + kQ4KMins + 8)))),
        m45(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(blk + kQ4KMins + 16)))),
        m67(vreinterpretq_s16_u16(vmovl_u8(vld1_u8(blk + kQ4KMins + 24)))),
        dw(row_scales(blk)),
        mw(row_scales(blk + 8)) {}
  void operator()(const block_q8_K& xb, int32x4_t isum, float32x4_t& acc) const {
    const int16x8_t bs = vpaddq_s16(vld1q_s16(xb.bsums), vld1q_s16(xb.bsums + 8));
    int32x4_t ms = vmull_laneq_s16(vget_low_s16(m01), bs, 0);
    ms = vmlal_laneq_s16(ms, vget_high_s16(m01), bs, 1);
    ms = vmlal_laneq_s16(ms, vget_low_s16(m23), bs, 2);
    ms = vmlal_laneq_s16(ms, vget_high_s16(m23), bs, 3);
    ms = vmlal_laneq_s16(ms, vget_low_s16(m45), bs, 4);
    ms = vmlal_laneq_s16(ms, vget_high_s16(m45), bs, 5);
    ms = vmlal_laneq_s16(ms, vget_low_s16(m67), bs, 6);
    ms = vmlal_laneq_s16(ms, vget_high_s16(m67), bs, 7);
    acc = vfmaq_f32(acc, vcvtq_f32_s32(isum), vmulq_n_f32(dw, xb.d));
    acc = vfmsq_f32(acc, vcvtq_f32_s32(ms), vmulq_n_f32(mw, xb.d));
  }
};

template <int T>
void q4_K_group(const uint8_t* g, int64_t nb, const uint8_t* x, size_t x_row_bytes,
                size_t /*sums_offset*/, float* y, int64_t y_stride) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  float32x4_t acc[T];
  for (int t = 0; t < T; ++t) acc[t] = vdupq_n_f32(0.0f);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4KBlock;
    int32x4_t isum[T];
    for (int t = 0; t < T; ++t) isum[t] = vdupq_n_s32(0);
    for (int c = 0; c < 4; ++c) {  // sub-blocks 2c (low nibbles) and 2c+1 (high)
      int8x16_t lo[8], hi[8];
      for (int i = 0; i < 8; ++i) {
        const uint8x16_t v = vld1q_u8(blk + kQ4KQuants + 128 * c + 16 * i);
        lo[i] = vreinterpretq_s8_u8(vandq_u8(v, low4));
        hi[i] = vreinterpretq_s8_u8(vshrq_n_u8(v, 4));
      }
      const uint16x8_t sc16 = vmovl_u8(vld1_u8(blk + kQ4KScales + 8 * c));
      const int32x4_t sc_lo = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(sc16)));
      const int32x4_t sc_hi = vreinterpretq_s32_u32(vmovl_high_u16(sc16));
      for (int t = 0; t < T; ++t) {
        const int8_t* xq = reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes)[b].qs + 64 * c;
        const int8x16x4_t xv = vld1q_s8_x4(xq);  // one ld1 of 4 registers
        const int8x16_t a0 = xv.val[0], a1 = xv.val[1], b0 = xv.val[2], b1 = xv.val[3];
        int32x4_t sa = vdotq_laneq_s32(vdupq_n_s32(0), lo[0], a0, 0);
        int32x4_t sb = vdotq_laneq_s32(vdupq_n_s32(0), hi[0], b0, 0);
        sa = vdotq_laneq_s32(sa, lo[1], a0, 1);
        sb = vdotq_laneq_s32(sb, hi[1], b0, 1);
        sa = vdotq_laneq_s32(sa, lo[2], a0, 2);
        sb = vdotq_laneq_s32(sb, hi[2], b0, 2);
        sa = vdotq_laneq_s32(sa, lo[3], a0, 3);
        sb = vdotq_laneq_s32(sb, hi[3], b0, 3);
        sa = vdotq_laneq_s32(sa, lo[4], a1, 0);
        sb = vdotq_laneq_s32(sb, hi[4], b1, 0);
        sa = vdotq_laneq_s32(sa, lo[5], a1, 1);
        sb = vdotq_laneq_s32(sb, hi[5], b1, 1);
        sa = vdotq_laneq_s32(sa, lo[6], a1, 2);
        sb = vdotq_laneq_s32(sb, hi[6], b1, 2);
        sa = vdotq_laneq_s32(sa, lo[7], a1, 3);
        sb = vdotq_laneq_s32(sb, hi[7], b1, 3);
        isum[t] = vmlaq_s32(vmlaq_s32(isum[t], sa, sc_lo), sb, sc_hi);
      }
    }
    const Q4KFinish finish(blk);
    for (int t = 0; t < T; ++t) {
      finish(reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes)[b], isum[t], acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) vst1q_f32(y + t * y_stride, acc[t]);
}


// Q4_0 / Q5_0 / Q8_0 block of row r in a group block: the scale, then Vec
// 4-byte groups of quants (4 for 16 bytes of nibbles, 8 for Q8_0's 32),
// each byte XORed with Flip.
template <class Block, int Vec, uint8_t Flip>
inline void put_x4(uint8_t* blk, int r, const Block& s) {
  std::memcpy(blk + 2 * r, &s.d, 2);
  for (int j = 0; j < Vec; ++j) {
    for (int i = 0; i < 4; ++i) {
      blk[8 + 16 * j + 4 * r + i] = static_cast<uint8_t>(s.qs[4 * j + i] ^ Flip);
    }
  }
}

template <class Block, int Vec, uint8_t Flip>
inline void get_x4(const uint8_t* blk, int r, Block& o) {
  using Q = std::remove_reference_t<decltype(o.qs[0])>;
  std::memcpy(&o.d, blk + 2 * r, 2);
  for (int j = 0; j < Vec; ++j) {
    for (int i = 0; i < 4; ++i) o.qs[4 * j + i] = static_cast<Q>(blk[8 + 16 * j + 4 * r + i] ^ Flip);
  }
}

template <class Block, int Vec, uint8_t Flip>
void repack_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, Block>(src, row_bytes, rows, k / kQK, kRows * sizeof(Block), dst,
                                        put_x4<Block, Vec, Flip>);
}

template <class Block, int Vec, uint8_t Flip>
void unrepack_x4(const void* repacked, int64_t k, int64_t row, void* dst) {
  repacked::unrepack_blocks<kRows, Block>(repacked, k / kQK, kRows * sizeof(Block), row, dst,
                                          get_x4<Block, Vec, Flip>);
}

}  // namespace

void unrepack_q4_0_x4(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  unrepack_x4<block_q4_0, 4, 0x88>(repacked, k, row, dst);
}

void unrepack_q8_0_x4(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  unrepack_x4<block_q8_0, 8, 0x00>(repacked, k, row, dst);
}

void unrepack_q5_0_x4(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row, void* dst) {
  repacked::unrepack_blocks<kRows, block_q5_0>(
      repacked, k / kQK, kQ5Block, row, dst, [](const uint8_t* blk, int r, block_q5_0& o) {
        get_x4<block_q5_0, 4, 0x00>(blk, r, o);
        uint32_t qh = 0;
        for (int e = 0; e < kQK; ++e) {
          qh |= static_cast<uint32_t>(((blk[kQ5High + 4 * r + e % 4] >> repacked::q5_bit(e)) & 1) ^ 1) << e;
        }
        std::memcpy(o.qh, &qh, 4);
      });
}

void unrepack_q4_K_x4(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row,
                      void* dst) {
  repacked::unrepack_blocks<kRows, block_q4_K>(
      repacked, k / kQK_K, kQ4KBlock, row, dst, [](const uint8_t* blk, int r, block_q4_K& o) {
        std::memcpy(&o.d, blk + 2 * r, 2);
        std::memcpy(&o.dmin, blk + 8 + 2 * r, 2);
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; ++j) {
          sc[j] = blk[kQ4KScales + 4 * j + r];
          mn[j] = blk[kQ4KMins + 4 * j + r];
        }
        k4_pack_scale_min(sc, mn, o.scales);
        for (int c = 0; c < 4; ++c) {
          for (int i = 0; i < 8; ++i) {
            std::memcpy(o.qs + 32 * c + 4 * i, blk + kQ4KQuants + 128 * c + 16 * i + 4 * r, 4);
          }
        }
      });
}

void repack_q4_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repack_x4<block_q4_0, 4, 0x88>(src, row_bytes, rows, k, dst);
}

void repack_q8_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repack_x4<block_q8_0, 8, 0x00>(src, row_bytes, rows, k, dst);
}

void repack_q6_K_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q6_K>(
      src, row_bytes, rows, k / kQK_K, kQ6KBlock, dst, [](uint8_t* blk, int r, const block_q6_K& s) {
        std::memcpy(blk + 2 * r, &s.d, 2);
        for (int j = 0; j < 16; ++j) blk[kQ6KScales + 4 * j + r] = static_cast<uint8_t>(s.scales[j]);
        uint8_t u[kQK_K];
        q6k::to_values(s, u);
        for (int e = 0; e < kQK_K; ++e) {
          const int grp = e / 4, i = e % 4;
          blk[kQ6KLow + 16 * (grp % 32) + 4 * r + i] |=
              static_cast<uint8_t>((u[e] & 0xF) << (grp < 32 ? 0 : 4));
          blk[kQ6KHigh + 16 * (grp % 16) + 4 * r + i] |=
              static_cast<uint8_t>(((u[e] >> 4) ^ 2) << (2 * (grp / 16)));
        }
      });
}

void unrepack_q6_K_x4(const void* repacked, size_t /*row_bytes*/, int64_t k, int64_t row,
                      void* dst) {
  repacked::unrepack_blocks<kRows, block_q6_K>(
      repacked, k / kQK_K, kQ6KBlock, row, dst, [](const uint8_t* blk, int r, block_q6_K& o) {
        std::memcpy(&o.d, blk + 2 * r, 2);
        for (int j = 0; j < 16; ++j) o.scales[j] = static_cast<int8_t>(blk[kQ6KScales + 4 * j + r]);
        uint8_t u[kQK_K];
        for (int e = 0; e < kQK_K; ++e) {
          const int grp = e / 4, i = e % 4;
          const uint8_t lo = (blk[kQ6KLow + 16 * (grp % 32) + 4 * r + i] >> (grp < 32 ? 0 : 4)) & 0xF;
          const uint8_t hi = ((blk[kQ6KHigh + 16 * (grp % 16) + 4 * r + i] >> (2 * (grp / 16))) & 3) ^ 2;
          u[e] = static_cast<uint8_t>(lo | (hi << 4));
        }
        q6k::from_values(u, &o);
      });
}

void repack_q5_0_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q5_0>(
      src, row_bytes, rows, k / kQK, kQ5Block, dst, [](uint8_t* blk, int r, const block_q5_0& s) {
        put_x4<block_q5_0, 4, 0x00>(blk, r, s);
        uint32_t qh;  // padding rows: scale 0, so their bits do not matter
        std::memcpy(&qh, s.qh, 4);
        for (int e = 0; e < kQK; ++e) {
          blk[kQ5High + 4 * r + e % 4] |= static_cast<uint8_t>((((qh >> e) & 1) ^ 1) << repacked::q5_bit(e));
        }
      });
}

void repack_q4_K_x4(const void* src, size_t row_bytes, int64_t rows, int64_t k, void* dst) {
  repacked::repack_blocks<kRows, block_q4_K>(
      src, row_bytes, rows, k / kQK_K, kQ4KBlock, dst, [](uint8_t* blk, int r, const block_q4_K& s) {
        std::memcpy(blk + 2 * r, &s.d, 2);
        std::memcpy(blk + 8 + 2 * r, &s.dmin, 2);
        for (int j = 0; j < 8; ++j) {
          k4_scale_min(j, s.scales, &blk[kQ4KScales + 4 * j + r], &blk[kQ4KMins + 4 * j + r]);
        }
        for (int c = 0; c < 4; ++c) {
          for (int i = 0; i < 8; ++i) {
            std::memcpy(blk + kQ4KQuants + 128 * c + 16 * i + 4 * r, s.qs + 32 * c + 4 * i, 4);
          }
        }
      });
}

namespace {

// Q4_K, 8 tokens per pass (prefill): one sub-block's 8 weight vectors at a
// time (low nibbles of the group block's 8 vectors of sub-block pair c, then
// the same 8 vectors reloaded for the high nibbles), so 8 weight registers,
// 8 int32 sums and 8 accumulators fit. Per token and sub-block: two loads
// of its 32 quants, 8 sdot, one mla by the rows' scales. Same arithmetic and
// order per token as q4_K_group.
template <int... Ts>
EDGELLM_NO_PRESCHED void q4_K_pass(
    std::integer_sequence<int, Ts...>, const uint8_t* g, int64_t nb, const uint8_t* x,
    size_t x_row_bytes, float* y, int64_t y_stride) {
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  float32x4_t acc[sizeof...(Ts)];
  ((acc[Ts] = vdupq_n_f32(0.0f)), ...);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* blk = g + b * kQ4KBlock;
    int32x4_t isum[sizeof...(Ts)];
    ((isum[Ts] = vdupq_n_s32(0)), ...);
    auto half = [&](int c, int h, int32x4_t sc) {  // sub-block 2c + h
      const uint8x16x4_t v0 = vld1q_u8_x4(blk + kQ4KQuants + 128 * c);
      const uint8x16x4_t v1 = vld1q_u8_x4(blk + kQ4KQuants + 128 * c + 64);
      int8x16_t w[8];
      for (int i = 0; i < 4; ++i) {
        w[i] = vreinterpretq_s8_u8(h == 0 ? vandq_u8(v0.val[i], low4) : vshrq_n_u8(v0.val[i], 4));
        w[4 + i] = vreinterpretq_s8_u8(h == 0 ? vandq_u8(v1.val[i], low4) : vshrq_n_u8(v1.val[i], 4));
      }
      auto token = [&](int t, int32x4_t& is) {
        const int8_t* xq =
            reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes)[b].qs + 64 * c + 32 * h;
        const int8x16_t a0 = vld1q_s8(xq), a1 = vld1q_s8(xq + 16);
        int32x4_t sa = vdotq_laneq_s32(vdupq_n_s32(0), w[0], a0, 0);
        sa = vdotq_laneq_s32(sa, w[1], a0, 1);
        sa = vdotq_laneq_s32(sa, w[2], a0, 2);
        sa = vdotq_laneq_s32(sa, w[3], a0, 3);
        sa = vdotq_laneq_s32(sa, w[4], a1, 0);
        sa = vdotq_laneq_s32(sa, w[5], a1, 1);
        sa = vdotq_laneq_s32(sa, w[6], a1, 2);
        sa = vdotq_laneq_s32(sa, w[7], a1, 3);
        is = vmlaq_s32(is, sa, sc);
      };
      (token(Ts, isum[Ts]), ...);
    };
    for (int c = 0; c < 4; ++c) {
      const uint16x8_t sc16 = vmovl_u8(vld1_u8(blk + kQ4KScales + 8 * c));
      half(c, 0, vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(sc16))));
      half(c, 1, vreinterpretq_s32_u32(vmovl_high_u16(sc16)));
    }
    const Q4KFinish finish(blk);
    auto token_finish = [&](int t, float32x4_t& a, int32x4_t is) {
      finish(reinterpret_cast<const block_q8_K*>(x + t * x_row_bytes)[b], is, a);
    };
    (token_finish(Ts, acc[Ts], isum[Ts]), ...);
  }
  // (a lambda: clang's vst1q_f32 is a macro, which a fold cannot expand)
  auto store = [&](int t, float32x4_t a) { vst1q_f32(y + t * y_stride, a); };
  (store(Ts, acc[Ts]), ...);
}

template <int... Ts>
void q4_K_tokens(std::integer_sequence<int, Ts...> seq, const uint8_t* g, int64_t nb,
                 const uint8_t* x, size_t x_row_bytes, size_t /*sums_offset*/, float* y,
                 int64_t y_stride) {
  q4_K_pass(seq, g, nb, x, x_row_bytes, y, y_stride);
}

// 8 tokens per pass: the unpacked block and 8 accumulators fit in the 32
// vector registers (Q4_0, Q5_0, Q8_0: 8 + 8 + 4; Q6_K: a sub-block's 4
// vectors, 8 int32 sums and 8 accumulators: its unpacking, ~18 instructions
// per 16 elements of 4 rows, then costs 0.17 instructions per multiply-add
// in the pass instead of 0.21 at 4 tokens; Q4_K: q4_K_pass, one sub-block's
// 8 vectors at a time, 4-token passes use q4_K_group's 16).
template <class Block>
void gemm_q8_0_act(const GemmArgs& a) {
  const size_t scales_offset = static_cast<size_t>(a.k / kQK) * sizeof(block_q8_0);
  repacked::gemm_groups<kRows, 8>(a, kQK, Block::kBlock, scales_offset,
      [](auto tokens, auto... args) { q8_0_act_group<Block, decltype(tokens)::value>(args...); });
}

}  // namespace

void gemm_q4_0_x4_dotprod(const GemmArgs& a) { gemm_q8_0_act<UnpackQ4_0>(a); }
void gemm_q5_0_x4_dotprod(const GemmArgs& a) { gemm_q8_0_act<UnpackQ5_0>(a); }
void gemm_q8_0_x4_dotprod(const GemmArgs& a) { gemm_q8_0_act<UnpackQ8_0>(a); }
void gemm_q6_K_x4_dotprod(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 8>(a, kQK_K, kQ6KBlock, 0,
      [](auto tokens, auto... args) { q6_K_group<decltype(tokens)::value>(args...); });
}
void gemm_q4_K_x4_dotprod(const GemmArgs& a) {
  repacked::gemm_groups<kRows, 8>(a, kQK_K, kQ4KBlock, 0, [](auto tokens, auto... args) {
    constexpr int T = decltype(tokens)::value;
    if constexpr (T == 8) {
      q4_K_tokens(std::make_integer_sequence<int, 8>{}, args...);
    } else {
      q4_K_group<T>(args...);
    }
  });
}

}  // namespace edgellm::kernels::arm
