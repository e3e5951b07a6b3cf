// Element-wise kernels per instruction-set path: the SiLU-gated product of
// SwiGLU FFNs and the attention softmax, the two places a forward pass
// evaluates exp once per element (per FFN row, per visible key), and the
// conversion of K/V rows to the F16 cache.
//
// The reference (kernels/ref/ops.cpp) calls libm's expf per element. The
// vector paths evaluate exp with one shared algorithm (below): the same
// fused operations in the same order on AVX2 and NEON (softmax sums in 4
// double lanes on AVX2, 2 on NEON):
//   n = round(x / ln2) (the 1.5 * 2^23 shifter), r = x - n * ln2 in two
//   fused steps (Cody-Waite), e^r by its degree-7 Taylor polynomial
//   (|r| <= ln2 / 2: truncation < 6e-9 relative), then times 2^n as two
//   exact power-of-two factors, so results that overflow give +inf and
//   those below the normal range round once into the subnormals. Inputs are
//   first clamped to [-104, 89] (exp rounds to 0 / +inf outside); NaN stays
//   NaN.
// SwiGLU results stay within 2.25 ulp of the exact value, as libm's do
// (tests/unit/ops_test.cpp measures them on 20000 values over the whole
// range and asserts 3 ulp); softmax within 5 ulp (asserted: 8, rows of
// 1..70 and of 4096 / 32768 keys), its sum accumulated in double as the
// reference does. The F16 store (to_f16) is bit-identical to the
// reference. Kernels are stateless and never allocate.
#pragma once

#include <cstdint>

#include "kernels/dispatch.h"

namespace edgellm::kernels {

// y[i] = silu(gate[i]) * up[i] = gate[i] / (1 + exp(-gate[i])) * up[i]
using SwigluFn = void (*)(const float* gate, const float* up, float* y, int64_t n);
// In-place softmax of x[0:n].
using SoftmaxFn = void (*)(float* x, int64_t n);
// n floats to F16, bit-identical to the reference's fp32_to_fp16 (round to
// nearest even, subnormals, +-inf on overflow, NaN as 0x7E00 with its sign).
using ToF16Fn = void (*)(const float* src, void* dst, int64_t n);

struct ActKernels {
  Isa isa;           // path these kernels belong to
  const char* name;  // for logs and tests
  SwigluFn swiglu;
  SoftmaxFn softmax;
  ToF16Fn to_f16;  // the F16 KV cache's row store
};

// The activation kernels of path isa, falling back down the family like
// attn_kernels (avx512 -> avx2, i8mm / dotprod -> neon, else ref). Never
// nullptr.
const ActKernels* act_kernels(Isa isa);

// Defined in files compiled for their ISA; only reachable through
// act_kernels().
#if defined(__x86_64__)
namespace x86 {
void swiglu_avx2(const float* gate, const float* up, float* y, int64_t n);
void softmax_avx2(float* x, int64_t n);
void to_f16_avx2(const float* src, void* dst, int64_t n);
}  // namespace x86
#endif
#if defined(__aarch64__)
namespace arm {
void swiglu_neon(const float* gate, const float* up, float* y, int64_t n);
void softmax_neon(float* x, int64_t n);
void to_f16_neon(const float* src, void* dst, int64_t n);
}  // namespace arm
#endif

}  // namespace edgellm::kernels
