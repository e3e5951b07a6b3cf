// Scalar half-precision conversions with ggml's exact semantics.
//
// fp16: IEEE binary16, round-to-nearest-even on narrowing; infinities and
// subnormals handled exactly; every NaN narrows to the canonical quiet NaN
// 0x7E00 with the sign kept (ggml's portable fp32_to_fp16).
// bf16: upper 16 bits of fp32, round-to-nearest-even; a NaN keeps its top
// bits and is forced quiet (ggml's GGML_FP32_TO_BF16).
#pragma once

#include <cstdint>
#include <cstring>

namespace edgellm::kernels {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline float fp16_to_fp32(uint16_t h) {
  // Shift the half into the top of a float: normal numbers are rebiased by a
  // multiply; subnormals are produced by a magic-number subtraction.
  const uint32_t w = static_cast<uint32_t>(h) << 16;
  const uint32_t sign = w & 0x80000000u;
  const uint32_t two_w = w + w;
  const uint32_t exp_offset = 0xE0u << 23;
  const float normalized = f32_from_bits((two_w >> 4) + exp_offset) * 0x1.0p-112f;
  const float denormalized = f32_from_bits((two_w >> 17) | (126u << 23)) - 0.5f;
  const uint32_t denorm_cutoff = 1u << 27;
  const uint32_t bits = two_w < denorm_cutoff ? f32_bits(denormalized) : f32_bits(normalized);
  return f32_from_bits(sign | bits);
}

inline uint16_t fp32_to_fp16(float f) {
  // Scale so the FPU performs the round-to-nearest-even at the half's
  // precision; overflow saturates to infinity through the scaling.
  float base = (__builtin_fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
  const uint32_t w = f32_bits(f);
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xFF000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;
  base = f32_from_bits((bias >> 1) + 0x07800000u) + base;
  const uint32_t bits = f32_bits(base);
  const uint32_t exp_bits = (bits >> 13) & 0x00007C00u;
  const uint32_t mantissa_bits = bits & 0x00000FFFu;
  const uint32_t nonsign = exp_bits + mantissa_bits;
  return static_cast<uint16_t>((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

inline float bf16_to_fp32(uint16_t h) { return f32_from_bits(static_cast<uint32_t>(h) << 16); }

inline uint16_t fp32_to_bf16(float f) {
  const uint32_t u = f32_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) {  // NaN: truncate, force quiet
    return static_cast<uint16_t>((u >> 16) | 64u);
  }
  return static_cast<uint16_t>((u + (0x7FFFu + ((u >> 16) & 1u))) >> 16);
}

}  // namespace edgellm::kernels
