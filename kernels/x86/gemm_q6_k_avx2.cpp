// Q6_K weights x Q8_K activations, AVX2. Values are stored as unsigned
// 0..63 (the reference's q+32); the bias comes back through the activation
// block sums: sum(sc*(u-32)*x) = sum(sc*u*x) - 32*sum_g(sc_g*bsum_g).
#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q6_K {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q6_K;
  using XBlock = block_q8_K;
  struct Dec {
    __m256i u[8];   // elements 32j..32j+31 as unsigned 6-bit values
    __m256i sc[8];  // int16 lanes 0-7: scale of sub-block 2j, lanes 8-15: 2j+1
    __m256i sc16;   // the 16 scales as int16 (pairs with bsums)
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i two = _mm256_set1_epi8(0x03);
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = b.ql + 64 * h;
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h));
      // Bits 2s..2s+1 of qh are the high bits of the s-th group of 32.
      const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(hb, two), 4);
      const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), two), 4);
      const __m256i h2 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), two), 4);
      const __m256i h3 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), two), 4);
      out->u[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(l0, low4), h0);
      out->u[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(l1, low4), h1);
      out->u[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), h2);
      out->u[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4), h3);
    }
    for (int j = 0; j < 8; ++j) {
      out->sc[j] = _mm256_set_m128i(_mm_set1_epi16(b.scales[2 * j + 1]),
                                    _mm_set1_epi16(b.scales[2 * j]));
    }
    out->sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    out->d = fp16(b.d);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    __m256i sum = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs + 32 * j));
      const __m256i p16 = _mm256_maddubs_epi16(w.u[j], xq);  // 63 * 127 * 2 fits int16
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p16, w.sc[j]));
    }
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums));
    const __m256i bias = _mm256_slli_epi32(_mm256_madd_epi16(bsums, w.sc16), 5);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(sum, bias)),
                          _mm256_set1_ps(w.d * x.d), acc);
  }
};

}  // namespace

void gemm_q6_K_avx2(const GemmArgs& a) { gemm_dispatch<Q6_K, 2, 2, 3>(a); }

}  // namespace edgellm::kernels::x86
