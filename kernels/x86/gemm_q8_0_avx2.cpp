// Q8_0 weights x Q8_0 activations, AVX2 (exact integer block dots, float
// accumulation in 8 lanes). Decode uses the generic row x token tile;
// prefill packs 8 rows x 64 blocks into the interleaved layout of the Q4_0
// GEMM (4 consecutive quants of each row per 32 bytes) and moves each
// weight's sign onto the broadcast activation (vpsignb) so vpmaddubs applies;
// |w|*|x| pairs reach 32512, so int16 sums are widened after every step.
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q8_0 {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q8_0;
  using XBlock = block_q8_0;
  struct Dec {
    __m256i abs_q, q;
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs));
    out->q = q;
    out->abs_q = _mm256_sign_epi8(q, q);  // -128 becomes 0x80 = 128 unsigned: still exact
    out->d = fp16(b.d);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
    const __m256 s = _mm256_cvtepi32_ps(dot_i8_abs(w.abs_q, w.q, xq));
    acc = _mm256_fmadd_ps(s, _mm256_set1_ps(w.d * fp16(x.d)), acc);
  }
};

constexpr int kRows = 8;
constexpr int kChunkBlocks = 64;

struct Packed {
  alignas(32) int8_t q[kChunkBlocks][8][32];  // [block][group of 4 k][row r: bytes 4r..4r+3]
  alignas(32) float d[kChunkBlocks][kRows];
};

void pack(const uint8_t* w, size_t w_row_bytes, int64_t b0, int nblk, Packed* p) {
  for (int r = 0; r < kRows; ++r) {
    const block_q8_0* row = reinterpret_cast<const block_q8_0*>(w + r * w_row_bytes) + b0;
    for (int b = 0; b < nblk; ++b) {
      for (int g = 0; g < 8; ++g) std::memcpy(&p->q[b][g][4 * r], row[b].qs + 4 * g, 4);
      p->d[b][r] = fp16(row[b].d);
    }
  }
}

template <int T>
void packed_tokens(const Packed& p, int nblk, const uint8_t* x, size_t x_row_bytes, int64_t b0,
                   float* y, int64_t y_stride, bool first) {
  __m256 acc[T];
  for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
  const block_q8_0* xb[T];
  for (int t = 0; t < T; ++t) xb[t] = reinterpret_cast<const block_q8_0*>(x + t * x_row_bytes) + b0;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int b = 0; b < nblk; ++b) {
    __m256i s32[T];
    for (int t = 0; t < T; ++t) s32[t] = _mm256_setzero_si256();
    for (int g = 0; g < 8; ++g) {
      const __m256i wv = _mm256_load_si256(reinterpret_cast<const __m256i*>(p.q[b][g]));
      const __m256i aw = _mm256_sign_epi8(wv, wv);
      for (int t = 0; t < T; ++t) {
        int32_t x4;
        std::memcpy(&x4, xb[t][b].qs + 4 * g, 4);
        const __m256i sx = _mm256_sign_epi8(_mm256_set1_epi32(x4), wv);
        s32[t] = _mm256_add_epi32(s32[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sx), ones));
      }
    }
    const __m256 dv = _mm256_load_ps(p.d[b]);
    for (int t = 0; t < T; ++t) {
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32[t]),
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
        packed_tokens<4>(p, nblk, x + t * a.x_row_bytes, a.x_row_bytes, b0,
                         a.y + t * a.y_stride + r, a.y_stride, first);
      }
      for (; t < a.n_tokens; ++t) {
        packed_tokens<1>(p, nblk, x + t * a.x_row_bytes, a.x_row_bytes, b0,
                         a.y + t * a.y_stride + r, a.y_stride, first);
      }
    }
  }
  if (r < a.row_end) {
    GemmArgs tail = a;
    tail.row_begin = r;
    gemm_blocks<Q8_0, 1, 3>(tail);
  }
}

}  // namespace

void gemm_q8_0_avx2(const GemmArgs& a) {
  if (a.n_tokens < 4) {
    gemm_blocks<Q8_0, 4, 1>(a);
  } else {
    gemm_packed(a);
  }
}

}  // namespace edgellm::kernels::x86
