// Q5_1 weights x Q8_1 activations, AVX2. Per 32-element block:
// d*dx*dot(q, x) + m*s with q = nibble + 16*(bit i of qh) in 0..31 and s the
// activation block's dx*sum(x); the integer dot is exact as in the reference
// (vpmaddubsw pairs stay below 2*31*128).
#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q5_1 {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q5_1;
  using XBlock = block_q8_1;
  struct Dec {
    __m256i q;  // unsigned 0..31
    __m128 dm;  // d, m, 0, 0
  };
  static inline void decode(const WBlock& b, Dec* out) {
    const __m256i hi = _mm256_and_si256(bits_32(b.qh), _mm256_set1_epi8(0x10));
    out->q = _mm256_or_si256(nibbles_32(b.qs), hi);
    out->dm = half2(&b);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(w.q, xq), _mm256_set1_epi16(1));
    acc = accum_dm(acc, p, _mm_mul_ps(w.dm, half2(&x)));
  }
};

}  // namespace

void gemm_q5_1_avx2(const GemmArgs& a) { gemm_dispatch<Q5_1, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::x86
