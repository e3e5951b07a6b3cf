// Included first by every kernel source: the reference numerics must not
// fuse a*b+c into an FMA (ggml's goldens are unfused). GCC in ISO mode
// (-std=c++20, CMAKE_CXX_EXTENSIONS OFF) already defaults to
// -ffp-contract=off; clang defaults to "on" and needs the pragma.
#pragma once
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
