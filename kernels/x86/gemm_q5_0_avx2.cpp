// Q5_0 weights x Q8_0 activations, AVX2. Per 32-element block:
// d*dx*dot(q, x) with q = (nibble | 16*(bit i of qh)) - 16 in [-16, 15],
// formed without a subtraction as nibble | (bit clear ? 0xF0 : 0). The
// weight's sign moves onto the activation (vpsignb) so vpmaddubsw applies;
// the integer dot is exact as in the reference.
#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q5_0 {
  static constexpr int kBlockElems = kQK;
  using WBlock = block_q5_0;
  using XBlock = block_q8_0;
  struct Dec {
    __m256i abs_q, q;  // q in [-16, 15] and |q|
    float d;
  };
  static inline void decode(const WBlock& b, Dec* out) {
    const __m256i f0 = _mm256_set1_epi8(static_cast<char>(0xF0));
    const __m256i neg = _mm256_andnot_si256(bits_32(b.qh), f0);
    const __m256i q = _mm256_or_si256(nibbles_32(b.qs), neg);
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

void gemm_q5_0_avx2(const GemmArgs& a) { gemm_dispatch<Q5_0, 4, 2, 4>(a); }

}  // namespace edgellm::kernels::x86
