// Q5_K weights x Q8_K activations, AVX2. Per 256-element super-block and
// 32-element sub-block j: d*dx*sc_j*dot(q_j, x_j) - dmin*dx*m_j*sum(x_j)
// with q = low nibble + 16*(bit j of qh) in 0..31; the integer parts are
// exact, as in the reference (vpmaddubsw pairs stay below 2*31*127).
#include <cstring>

#include "kernels/ref/blocks.h"
#include "kernels/x86/avx2_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace edgellm::kernels::x86 {
namespace {

struct Q5_K {
  static constexpr int kBlockElems = kQK_K;
  using WBlock = block_q5_K;
  using XBlock = block_q8_K;
  struct Dec {
    __m256i q[8];   // sub-block j: 32 unsigned 5-bit values
    __m256i sc[8];  // sub-block j's scale in every int16 lane
    __m256i mins;   // int16 lane g: min of sub-block g/2 (pairs with bsums[g])
    float d, dmin;
  };
  // The 8 6-bit scales (bytes 0-7) and mins (bytes 8-15) of the packed 12
  // bytes: k4_scale_min() for all j at once on three 32-bit words.
  static inline __m128i scales_mins(const uint8_t* packed) {
    uint32_t u[3];
    std::memcpy(u, packed, 12);
    constexpr uint32_t k6 = 0x3F3F3F3Fu, k4 = 0x0F0F0F0Fu, k2 = 0x03030303u;
    const uint32_t s0 = u[0] & k6, s1 = (u[2] & k4) | (((u[0] >> 6) & k2) << 4);
    const uint32_t m0 = u[1] & k6, m1 = ((u[2] >> 4) & k4) | (((u[1] >> 6) & k2) << 4);
    return _mm_setr_epi32(static_cast<int>(s0), static_cast<int>(s1), static_cast<int>(m0),
                          static_cast<int>(m1));
  }
  template <int C>
  static inline void chunk(const WBlock& b, __m256i qh, Dec* out) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i bit4 = _mm256_set1_epi8(0x10);
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * C));
    const __m256i h0 = _mm256_and_si256(move_bit<2 * C, 4>(qh), bit4);
    const __m256i h1 = _mm256_and_si256(move_bit<2 * C + 1, 4>(qh), bit4);
    out->q[2 * C] = _mm256_or_si256(_mm256_and_si256(v, low4), h0);
    out->q[2 * C + 1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4), h1);
  }
  static inline void decode(const WBlock& b, Dec* out) {
    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh));
    chunk<0>(b, qh, out);
    chunk<1>(b, qh, out);
    chunk<2>(b, qh, out);
    chunk<3>(b, qh, out);
    // Scale j in every int16 lane: byte j of the pair, high byte zeroed.
    const __m256i sm = _mm256_broadcastsi128_si256(scales_mins(b.scales));
    for (int j = 0; j < 8; ++j) {
      out->sc[j] = _mm256_shuffle_epi8(sm, _mm256_set1_epi16(static_cast<int16_t>(0x8000 | j)));
    }
    // Int16 lane g: min g/2 (byte 8 + g/2).
    const __m256i pick_mins = _mm256_setr_epi8(
        8, -128, 8, -128, 9, -128, 9, -128, 10, -128, 10, -128, 11, -128, 11, -128,  //
        12, -128, 12, -128, 13, -128, 13, -128, 14, -128, 14, -128, 15, -128, 15, -128);
    out->mins = _mm256_shuffle_epi8(sm, pick_mins);
    out->d = fp16(b.d);
    out->dmin = fp16(b.dmin);
  }
  static inline void accum(__m256& acc, const Dec& w, const XBlock& x) {
    __m256i sum = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs + 32 * j));
      // 2 * 31 * 127 fits int16; madd by the 6-bit scale sums pairs into int32.
      const __m256i p16 = _mm256_maddubs_epi16(w.q[j], xq);
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p16, w.sc[j]));
    }
    const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.bsums));
    const __m256i msum = _mm256_madd_epi16(bsums, w.mins);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(w.d * x.d), acc);
    acc = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(w.dmin * x.d), acc);
  }
};

}  // namespace

void gemm_q5_K_avx2(const GemmArgs& a) { gemm_dispatch<Q5_K, 2, 2, 3>(a); }

}  // namespace edgellm::kernels::x86
