// The x86 8-row repacked layouts (described in gemm_repacked_avx2.cpp),
// shared by the AVX2 and AVX-512 kernels over them.
//
// Everything here has internal linkage on purpose: each per-ISA file
// compiles its own copy with its own -m flags. Inline functions with
// external linkage would be merged by the linker, and the surviving copy
// could carry AVX-512 encodings into the AVX2 path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/ref/blocks.h"
#include "kernels/repacked_groups.h"

namespace edgellm::kernels::x86 {
namespace {  // NOLINT(google-build-namespaces): per-ISA copies, see above

namespace x8 {

constexpr int kRows = 8;
constexpr size_t kQ4Block = kRows * sizeof(block_q4_0);  // 144 bytes per block of a group
constexpr size_t kQ8Block = kRows * sizeof(block_q8_0);  // 272
constexpr size_t kQ4KScales = 32, kQ4KMins = 32 + 128, kQ4KQuants = 32 + 128 + 64;
constexpr size_t kQ4KBlock = kQ4KQuants + kRows * kQK_K / 2;  // 1248
constexpr size_t kQ6KScales = 16, kQ6KLow = 16 + 256, kQ6KHigh = kQ6KLow + 1024;
constexpr size_t kQ6KBlock = kQ6KHigh + 512;  // 1808

inline int32_t load4(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace x8
}  // namespace
}  // namespace edgellm::kernels::x86
