// Q4_0 weights x Q8_0 activations, AVX2. Each 32-element block's integer
// dot product is exact (as in the reference); only the float accumulation
// order differs.
//
// Decode (< 4 tokens) runs the generic row x token tile over the mmap'ed
// blocks. Prefill packs 8 rows x 64 blocks at a time into an L1-resident
// interleaved copy (BLAS-style packing, reused by every token of the call):
// 32 bytes = 4 consecutive unsigned nibbles of each of the 8 rows, so one
// vpmaddubs against the token's 4 quants broadcast to all lanes yields 8
// rows' partial sums at once, accumulated in int16 over a whole block
// (8 * 2 * 15 * 127 < 32768) and reduced once per block. The nibble offset
// (q - 8) is applied per block with the activation's precomputed 8*sum(x)
// (quantize_q8_0_sum8_avx2), so the inner loop is 2 integer ops per 32 MACs
// and the 8 row results land in one vector: no horizontal sums.
#include <cstring>
#include <type_traits>

#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q4_0 {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q4_0;
  using XBlock = block_q8_0;
  struct Dec {
    __m256i abs_q, q;  // signed values q-8 in [-8, 7], and their magnitudes
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
    // Low nibbles are elements 0..15, high nibbles 16..31.
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
    const __m256i q = _mm256_sub_epi8(_mm256_and_si256(both, _mm256_set1_epi8(0x0F)),
                                      _mm256_set1_epi8(8));
    out->q = q;
    out->abs_q = _mm256_sign_epi8(q, q);
    out->d = fp16(b.d);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
    const __m256 s = _mm256_cvtepi32_ps(dot_i8_abs(w.abs_q, w.q, xq));
    acc = _mm256_fmadd_ps(s, _mm256_set1_ps(w.d * fp16(x.d)), acc);
  }
};

constexpr int kRows = 8;          // rows per packed tile (one per int32 lane)
constexpr int kChunkBlocks = 64;  // blocks per packed chunk: 16 KiB of quants + scales

struct Packed {
  alignas(32) uint8_t q[kChunkBlocks][8][32];  // [block][group of 4 k][row r: bytes 4r..4r+3]
  alignas(32) float d[kChunkBlocks][kRows];
};

void pack(const uint8_t* w, size_t w_row_bytes, int64_t b0, int nblk, Packed* p) {
  for (int r = 0; r < kRows; ++r) {
    const block_q4_0* row = reinterpret_cast<const block_q4_0*>(w + r * w_row_bytes) + b0;
    for (int b = 0; b < nblk; ++b) {
      const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row[b].qs));
      const __m256i v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed),
                                         _mm256_set1_epi8(0x0F));
      alignas(32) uint32_t groups[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(groups), v);
      for (int g = 0; g < 8; ++g) std::memcpy(&p->q[b][g][4 * r], &groups[g], 4);
      p->d[b][r] = fp16(row[b].d);
    }
  }
}

// T tokens against one packed chunk; y gets (first ? = : +=) the 8 rows.
template <int T>
void packed_tokens(const Packed& p, int nblk, const uint8_t* x, size_t x_row_bytes,
                   size_t sums_offset, int64_t b0, float* y, int64_t y_stride, bool first) {
  __m256 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const block_q8_0* xb[T];
  const uint8_t* xs[T];
  for (int t = 0; t < T; ++t) {
    xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes) + b0;
    xs[t] = x + t * x_row_bytes + sums_offset + 4 * b0;
  }
  for (int b = 0; b < nblk; ++b) {
    __m256i s16[T];
    for (int t = 0; t < T; ++t) s16[t] = _mm256_setzero_si256();
    for (int g = 0; g < 8; ++g) {
      const __m256i wv = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[b][g]));
      for (int t = 0; t < T; ++t) {
        int32_t x4;
        std::memcpy(&x4, xb[t][b].qs + 4 * g, 4);
        s16[t] = _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(wv, _mm256_set1_epi32(x4)));
      }
    }
    const __m256 dv = _mm256_load_ps(p.d[b]);
    for (int t = 0; t < T; ++t) {
      int32_t sum8;
      std::memcpy(&sum8, xs[t] + 4 * b, 4);
      const __m256i i32 = _mm256_sub_epi32(_mm256_madd_epi16(s16[t], _mm256_set1_epi16(1)),
                                           _mm256_set1_epi32(sum8));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32),
                               _mm256_mul_ps(dv, _mm256_set1_ps(fp16(xb[t][b].d))), acc[t]);
    }
  }
  for (int t = 0; t < T; ++t) {
    float* yr = y + t * y_stride;
    _mm256_storeu_ps(yr, first ? acc[t] : _mm256_add_ps(acc[t], _mm256_loadu_ps(yr)));
  }
}

void gemm_packed(const GemmArgs& a) {
  const int64_t nb = a.k / kQK;
  const size_t sums_offset = static_cast<size_t>(nb) * sizeof(block_q8_0);  // after the Q8_0 row
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const uint8_t* x = static_cast<const uint8_t*>(a.x);
  Packed p;
  int64_t r = a.row_begin;
  for (; r + kRows <= a.row_end; r += kRows) {
    for (int64_t b0 = 0; b0 < nb; b0 += kChunkBlocks) {
      const int nblk = static_cast<int>(nb - b0 < kChunkBlocks ? nb - b0 : kChunkBlocks);
      pack(w + r * a.w_row_bytes, a.w_row_bytes, b0, nblk, &p);
      const bool first = b0 == 0;
      int64_t t = 0;
      for (; t + 4 <= a.n_tokens; t += 4) {
        packed_tokens<4>(p, nblk, x + t * a.x_row_bytes, a.x_row_bytes, sums_offset, b0,
                         a.y + t * a.y_stride + r, a.y_stride, first);
      }
      for (; t < a.n_tokens; ++t) {
        packed_tokens<1>(p, nblk, x + t * a.x_row_bytes, a.x_row_bytes, sums_offset, b0,
                         a.y + t * a.y_stride + r, a.y_stride, first);
      }
    }
  }
  if (r < a.row_end) {
    GemmArgs tail = a;
    tail.row_begin = r;
    gemm_blocks<Q4_0, 1, 3>(tail);
  }
}

// Decode: 4 rows at a time over the mmap'ed blocks. Unsigned nibbles go
// straight into vpmaddubs (no sign/abs fix-ups); the -8 offset comes from the
// activation's 8*sum(x), and each activation block is loaded once per 4 rows.
void gemv_rows(const GemmArgs& a, int64_t t) {
  const int64_t nb = a.k / kQK;
  const uint8_t* xrow = static_cast<const uint8_t*>(a.x) + t * a.x_row_bytes;
  const block_q8_0* xb = reinterpret_cast<const block_q8_0*>(xrow);
  const uint8_t* sums = xrow + static_cast<size_t>(nb) * sizeof(block_q8_0);
  const uint8_t* w = static_cast<const uint8_t*>(a.w);
  const __m256i low4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  auto rows = [&](auto count_tag, int64_t r0) {
    constexpr int R = decltype(count_tag)::value;
    const block_q4_0* wr[R];
    for (int r = 0; r < R; ++r) {
      wr[r] = reinterpret_cast<const block_q4_0*>(w + (r0 + r) * a.w_row_bytes);
    }
    __m256 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[b].qs));
      int32_t sum8;
      std::memcpy(&sum8, sums + 4 * b, 4);
      const __m256i corr = _mm256_set1_epi32(sum8);
      const float dx = fp16(xb[b].d);
      for (int r = 0; r < R; ++r) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wr[r][b].qs));
        const __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low4);
        // The 8 lanes' total is the block dot; the offset term 8*sum(x) is
        // subtracted once, from lane 0.
        const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(u, xq), ones);
        const __m256i fixed = _mm256_sub_epi32(dot, _mm256_blend_epi32(_mm256_setzero_si256(), corr, 1));
        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(fixed), _mm256_set1_ps(fp16(wr[r][b].d) * dx),
                                 acc[r]);
      }
    }
    for (int r = 0; r < R; ++r) a.y[t * a.y_stride + r0 + r] = hsum(acc[r]);
  };
  int64_t r = a.row_begin;
  for (; r + 4 <= a.row_end; r += 4) rows(std::integral_constant<int, 4>{}, r);
  for (; r < a.row_end; ++r) rows(std::integral_constant<int, 1>{}, r);
}

}  // namespace

void gemm_q4_0_avx2(const GemmArgs& a) {
  if (a.n_tokens < 4) {
    for (int64_t t = 0; t < a.n_tokens; ++t) gemv_rows(a, t);
  } else {
    gemm_packed(a);
  }
}

}  // namespace edgellm::kernels::x86
