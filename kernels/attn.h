// Attention inner kernels: the two loops of one (query, head) attention item
// over a whole range of cached keys, per instruction-set path.
//
//   scores:  s[j] = scale * dot(q[0:hd], K_j[0:hd])     j in [0, n_keys)
//   wsum:    o[0:hd] = sum_j p[j] * V_j[0:hd]           (o is overwritten)
//
// K_j / V_j start at base + j * row_stride bytes and hold hd values of the
// KV cache's type (F32 or F16). The reference (kernels/ref/attn.cpp) sums in
// dimension (scores) / key (wsum) order exactly as the scalar loops it
// replaced, each product rounded before its add. A kernel set marked
// `exact` (all current ones) keeps that order and rounding, so its results
// are bit-identical to the reference; any other would have to stay within
// float summation-order error. Each output depends on nothing but its own
// inputs, so results never depend on how a caller splits work. Kernels are
// stateless and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels {

using AttnScoresFn = void (*)(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                              int32_t hd, float scale, float* s);
using AttnWsumFn = void (*)(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                            int32_t hd, float* o);

struct AttnKernels {
  Isa isa;           // path these kernels belong to
  const char* name;  // for logs and tests
  bool exact;        // bit-identical to the reference
  AttnScoresFn scores_f32;
  AttnScoresFn scores_f16;
  AttnWsumFn wsum_f32;
  AttnWsumFn wsum_f16;
};

// The attention kernels of path isa, falling back down the family like
// matmul_kernel (avx512 -> avx2, i8mm / dotprod -> neon, else ref). Never
// nullptr.
const AttnKernels* attn_kernels(Isa isa);

namespace ref {
void attn_scores_f32(const float* q, const void* k, size_t row_stride, int32_t n_keys, int32_t hd,
                     float scale, float* s);
void attn_scores_f16(const float* q, const void* k, size_t row_stride, int32_t n_keys, int32_t hd,
                     float scale, float* s);
void attn_wsum_f32(const float* p, const void* v, size_t row_stride, int32_t n_keys, int32_t hd,
                   float* o);
void attn_wsum_f16(const float* p, const void* v, size_t row_stride, int32_t n_keys, int32_t hd,
                   float* o);
}  // namespace ref

// Defined in files compiled for their ISA (kernels/x86/attn_avx2.cpp,
// kernels/arm/attn_neon.cpp); only reachable through attn_kernels().
#if defined(__x86_64__)
namespace x86 {
void attn_scores_f32_avx2(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s);
void attn_scores_f16_avx2(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s);
void attn_wsum_f32_avx2(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o);
void attn_wsum_f16_avx2(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o);
}  // namespace x86
#endif
#if defined(__aarch64__)
namespace arm {
void attn_scores_f32_neon(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s);
void attn_scores_f16_neon(const float* q, const void* k, size_t row_stride, int32_t n_keys,
                          int32_t hd, float scale, float* s);
void attn_wsum_f32_neon(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o);
void attn_wsum_f16_neon(const float* p, const void* v, size_t row_stride, int32_t n_keys,
                        int32_t hd, float* o);
}  // namespace arm
#endif

}  // namespace edgellm::kernels
