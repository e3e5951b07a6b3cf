// Q2_K weights x Q8_K activations, AVX2. A super-block's 256 quants are
// 2-bit values 0..3 with a 4-bit scale and a 4-bit min per 16 elements:
//   d*dx*sum_j sc_j*dot(q_j, x_j) - dmin*dx*sum_j m_j*bsum_j,
// integer parts exact as in the reference (vpmaddubsw pairs below 2*3*127,
// vpmaddwd by the pair's scales; the mins pair with the Q8_K block sums).
#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q2_K {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q2_K;
  using XBlock = block_q8_K;
  struct Dec {
    __m256i q[8];   // elements 32v..32v+31, 0..3
    __m256i sc[8];  // int16 lanes 0-7: scale 2v, lanes 8-15: scale 2v+1
    __m256i mins;   // the 16 mins as int16
    float d, dmin;
  };
  // Vector v = 4*half + s: bits 2s..2s+1 of qs[32*half + l].
  template <int V>
  static inline void vec(const WBlock& b, __m256i sc16, Dec* out) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * (V / 4)));
    out->q[V] = _mm256_and_si256(_mm256_srli_epi16(v, 2 * (V % 4)), _mm256_set1_epi8(3));
    out->sc[V] = pair_scales(sc16, V);
  }
  static inline void decode(const WBlock& b, Dec* out) {
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m128i low4 = _mm_set1_epi8(0x0F);
    const __m256i sc16 = _mm256_cvtepu8_epi16(_mm_and_si128(s, low4));
    out->mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s, 4), low4));
    vec<0>(b, sc16, out);
    vec<1>(b, sc16, out);
    vec<2>(b, sc16, out);
    vec<3>(b, sc16, out);
    vec<4>(b, sc16, out);
    vec<5>(b, sc16, out);
    vec<6>(b, sc16, out);
    vec<7>(b, sc16, out);
    out->d = fp16(b.d);
    out->dmin = fp16(b.dmin);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    __m256i sum = _mm256_setzero_si256();
    for (int v = 0; v < 8; ++v) {
      const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs + 32 * v));
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(w.q[v], xq), w.sc[v]));
    }
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums));
    const __m256i msum = _mm256_madd_epi16(bsums, w.mins);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(w.d * x.d), acc);
    acc = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(w.dmin * x.d), acc);
  }
};

}  // namespace

void gemm_q2_K_avx2(const GemmArgs& a) { gemm_dispatch<Q2_K, 2, 2, 3>(a); }

}  // namespace edgellm::kernels::x86
