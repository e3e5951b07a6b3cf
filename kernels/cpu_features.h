// What the CPU we run on can execute, detected once (cpuid + xgetbv on x86,
// getauxval(AT_HWCAP/AT_HWCAP2) on aarch64). Every flag is false on other
// architectures.
#pragma once

namespace edgellm::kernels {

struct CpuFeatures {
  // x86: AVX2 path needs avx2 + fma + f16c (and OS-enabled YMM state).
  bool avx2 = false, fma = false, f16c = false;
  // AVX-512 path needs F/BW/VL/DQ + VNNI (and OS-enabled ZMM state).
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false,
       avx512vnni = false;
  // aarch64: asimd is architectural; dotprod = sdot/udot (armv8.2 asimddp),
  // i8mm = smmla (armv8.6), fp16 = half-precision arithmetic (fphp+asimdhp).
  bool neon = false, dotprod = false, i8mm = false, fp16 = false;
};

const CpuFeatures& cpu_features();

}  // namespace edgellm::kernels
