// Attention inner kernels: the two loops of attention over a whole range of
// cached keys for nq queries that read the same keys (the heads of one GQA
// group at one token), per instruction-set path.
//
//   scores:  s_i[j] = scale * dot(q_i[0:hd], K_j[0:hd])   j in [0, n_keys)
//   wsum:    o_i[0:hd] = sum_j p_i[j] * V_j[0:hd]         (o_i is overwritten)
//
// for every query i in [0, nq): q_i = q + i * q_stride, s_i = s + i *
// s_stride, p_i = p + i * p_stride, o_i = o + i * o_stride (strides in
// floats). K_j / V_j start at base + j * row_stride bytes and hold hd values
// of the KV cache's type (F32 or F16). Sharing the keys is what the fast
// paths gain: each K / V row is loaded (and transposed / widened) once for
// all queries of a call. The reference (kernels/ref/attn.cpp) is the
// single-query loop run once per query: it sums in dimension (scores) / key
// (wsum) order exactly as the scalar loops it replaced, each product rounded
// before its add. A kernel set marked `exact` (all current ones) keeps that
// order and rounding for every query, so its results are bit-identical to
// the reference; any other would have to stay within float summation-order
// error. Each output depends on nothing but its own inputs, so results never
// depend on nq or on how a caller splits work. Any nq >= 1 is accepted (a
// kernel splits it into passes of at most max_queries); kernels are
// stateless and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels {

using AttnScoresFn = void (*)(const float* q, size_t q_stride, int32_t nq, const void* k,
                              size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                              size_t s_stride);
using AttnWsumFn = void (*)(const float* p, size_t p_stride, int32_t nq, const void* v,
                            size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                            size_t o_stride);

// Most queries any kernel set shares one pass over the keys between; callers
// size per-call scratch (nq score rows) with it.
constexpr int32_t kAttnMaxQueries = 8;

struct AttnKernels {
  Isa isa;              // path these kernels belong to
  const char* name;     // for logs and tests
  bool exact;           // bit-identical to the reference
  int32_t max_queries;  // queries sharing one pass (<= kAttnMaxQueries); larger nq gains nothing
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
void attn_scores_f32(const float* q, size_t q_stride, int32_t nq, const void* k,
                     size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                     size_t s_stride);
void attn_scores_f16(const float* q, size_t q_stride, int32_t nq, const void* k,
                     size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                     size_t s_stride);
void attn_wsum_f32(const float* p, size_t p_stride, int32_t nq, const void* v,
                   size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                   size_t o_stride);
void attn_wsum_f16(const float* p, size_t p_stride, int32_t nq, const void* v,
                   size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                   size_t o_stride);
}  // namespace ref

// Defined in files compiled for their ISA (kernels/x86/attn_avx2.cpp,
// kernels/arm/attn_neon.cpp); only reachable through attn_kernels().
#if defined(__x86_64__)
namespace x86 {
void attn_scores_f32_avx2(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride);
void attn_scores_f16_avx2(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride);
void attn_wsum_f32_avx2(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride);
void attn_wsum_f16_avx2(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride);
}  // namespace x86
#endif
#if defined(__aarch64__)
namespace arm {
void attn_scores_f32_neon(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride);
void attn_scores_f16_neon(const float* q, size_t q_stride, int32_t nq, const void* k,
                          size_t row_stride, int32_t n_keys, int32_t hd, float scale, float* s,
                          size_t s_stride);
void attn_wsum_f32_neon(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride);
void attn_wsum_f16_neon(const float* p, size_t p_stride, int32_t nq, const void* v,
                        size_t row_stride, int32_t n_keys, int32_t hd, float* o,
                        size_t o_stride);
}  // namespace arm
#endif

}  // namespace edgellm::kernels
