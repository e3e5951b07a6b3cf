// Q4_0 weights x Q8_0 activations, AVX2. Each 32-element block's integer
// dot product is exact (as in the reference); only the float accumulation
// order differs (8 lanes, summed at the end of the row).
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

}  // namespace

void gemm_q4_0_avx2(const GemmArgs& a) { gemm_dispatch<Q4_0, 4, 4, 3>(a); }

}  // namespace edgellm::kernels::x86
