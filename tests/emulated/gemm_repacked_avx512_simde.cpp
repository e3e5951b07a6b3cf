// The AVX-512 kernels compiled over SIMDe for hosts without AVX-512 (see
// kernels/x86/gemm_repacked_avx512.cpp and the Avx512KernelsUnderEmulation
// test). Built with -mavx2 -mfma -mf16c: SIMDe maps the AVX-512 intrinsics
// onto AVX2 where it can.
#define EDGELLM_AVX512_EMULATED 1
#include "kernels/x86/gemm_repacked_avx512.cpp"
