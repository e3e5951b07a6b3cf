// Per-path kernel tables, defined next to the kernels of each architecture
// (kernels/x86/kernel_tables.cpp, kernels/arm/kernel_tables.cpp). Those files
// are compiled with the baseline flags: they only hold function pointers.
#pragma once

#include <cstddef>

#include "kernels/dispatch.h"

namespace edgellm::kernels {

struct KernelTable {
  const MatmulKernel* kernels = nullptr;
  size_t count = 0;
};

// The kernels path `isa` itself provides (no fallback); empty for the
// reference and for paths of another architecture.
KernelTable isa_kernel_table(Isa isa);

}  // namespace edgellm::kernels
