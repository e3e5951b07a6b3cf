// Q3_K weights x Q8_K activations, AVX2. A super-block's 256 quants are
// q = u - 4 with u = low 2 bits + 4*(hmask bit) in 0..7, one signed 6-bit
// scale per 16 elements. Per super-block
//   sum_j sc_j*dot(q_j, x_j) = sum_j sc_j*dot(u_j, x_j) - 4*sum_j sc_j*bsum_j,
// both integer parts exact as in the reference: vpmaddubsw of u by the
// activations (pairs below 2*7*127), vpmaddwd by the pair's scales, and the
// bias term from the Q8_K block sums.
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q3_K {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q3_K;
  using XBlock = block_q8_K;
  struct Dec {
    __m256i u[8];    // elements 32v..32v+31, unsigned 0..7
    __m256i sc[8];   // int16 lanes 0-7: scale 2v, lanes 8-15: scale 2v+1
    __m256i sc16;    // the 16 scales as int16
    float d;
  };
  // Vector v = 4*half + s: bits 2s..2s+1 of qs[32*half + l], hmask bit v.
  template <int V>
  static inline void vec(const WBlock& b, __m256i hm, Dec* out) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (V / 4)));
    const __m256i lo = _mm256_and_si256(_mm256_srli_epi16(v, 2 * (V % 4)), _mm256_set1_epi8(3));
    const __m256i hi = _mm256_and_si256(move_bit<V, 2>(hm), _mm256_set1_epi8(4));
    out->u[V] = _mm256_or_si256(lo, hi);
    out->sc[V] = pair_scales(out->sc16, V);
  }
  // The 16 signed scales (q3k_scales() on vectors): low 4 bits from bytes
  // 0..7 (low nibbles for j < 8, high for j >= 8), high 2 bits from byte
  // 8 + j%4, bit pair j/4 (dword lane j/4 shifted by 2*(j/4)); minus 32.
  static inline __m128i scales(const uint8_t* packed) {
    int64_t lo8;
    int32_t hi4;
    std::memcpy(&lo8, packed, 8);
    std::memcpy(&hi4, packed + 8, 4);
    const __m128i low4 = _mm_set1_epi8(0x0F);
    const __m128i p = _mm_cvtsi64_si128(lo8);
    const __m128i lo = _mm_unpacklo_epi64(_mm_and_si128(p, low4),
                                          _mm_and_si128(_mm_srli_epi16(p, 4), low4));
    const __m128i hi = _mm_and_si128(
        _mm_srlv_epi32(_mm_set1_epi32(hi4), _mm_setr_epi32(0, 2, 4, 6)), _mm_set1_epi8(3));
    return _mm_sub_epi8(_mm_or_si128(lo, _mm_slli_epi16(hi, 4)), _mm_set1_epi8(32));
  }
  static inline void decode(const WBlock& b, Dec* out) {
    out->sc16 = _mm256_cvtepi8_epi16(scales(b.scales));
    const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask));
    vec<0>(b, hm, out);
    vec<1>(b, hm, out);
    vec<2>(b, hm, out);
    vec<3>(b, hm, out);
    vec<4>(b, hm, out);
    vec<5>(b, hm, out);
    vec<6>(b, hm, out);
    vec<7>(b, hm, out);
    out->d = fp16(b.d);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    __m256i sum = _mm256_setzero_si256();
    for (int v = 0; v < 8; ++v) {
      const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs + 32 * v));
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(w.u[v], xq), w.sc[v]));
    }
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums));
    const __m256i bias = _mm256_slli_epi32(_mm256_madd_epi16(bsums, w.sc16), 2);
    sum = _mm256_sub_epi32(sum, bias);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(w.d * x.d), acc);
  }
};

}  // namespace

void gemm_q3_K_avx2(const GemmArgs& a) { gemm_dispatch<Q3_K, 2, 2, 3>(a); }

}  // namespace edgellm::kernels::x86
