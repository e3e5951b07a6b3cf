// Q6_K's 256 unsigned 6-bit values in element order, from and back to
// ggml's ql/qh packing: what every repacked Q6_K layout (x86 x8, aarch64
// x4) is built from and unrepacked to. Scalar code, run at load.
//
// Internal linkage on purpose (see kernels/repacked_groups.h): each
// per-ISA file compiles its own copy.
#pragma once

#include <cstdint>

#include "kernels/ref/blocks.h"

namespace edgellm::kernels {
namespace {  // NOLINT(google-build-namespaces): per-ISA copies
namespace q6k {

inline void to_values(const block_q6_K& s, uint8_t u[kQK_K]) {
  for (int n = 0; n < 2; ++n) {
    const uint8_t* ql = s.ql + 64 * n;
    const uint8_t* qh = s.qh + 32 * n;
    for (int l = 0; l < 32; ++l) {
      u[128 * n + l] = static_cast<uint8_t>((ql[l] & 0xF) | ((qh[l] & 3) << 4));
      u[128 * n + l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
      u[128 * n + l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
      u[128 * n + l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
    }
  }
}

inline void from_values(const uint8_t u[kQK_K], block_q6_K* o) {
  for (int n = 0; n < 2; ++n) {
    uint8_t* ql = o->ql + 64 * n;
    uint8_t* qh = o->qh + 32 * n;
    const uint8_t* un = u + 128 * n;
    for (int l = 0; l < 32; ++l) {
      ql[l] = static_cast<uint8_t>((un[l] & 0xF) | ((un[l + 64] & 0xF) << 4));
      ql[l + 32] = static_cast<uint8_t>((un[l + 32] & 0xF) | ((un[l + 96] & 0xF) << 4));
      qh[l] = static_cast<uint8_t>((un[l] >> 4) | ((un[l + 32] >> 4) << 2) | ((un[l + 64] >> 4) << 4) |
                                   ((un[l + 96] >> 4) << 6));
    }
  }
}

}  // namespace q6k
}  // namespace
}  // namespace edgellm::kernels
