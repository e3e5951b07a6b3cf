// Q8_0 weights x Q8_0 activations, AVX2 (exact integer block dots, float
// accumulation in 8 lanes).
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

}  // namespace

void gemm_q8_0_avx2(const GemmArgs& a) { gemm_dispatch<Q8_0, 4, 4, 3>(a); }

}  // namespace edgellm::kernels::x86
