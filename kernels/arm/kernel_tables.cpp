// The aarch64 paths' kernel tables (compiled with baseline flags: data only).
#include "kernels/kernel_tables.h"

namespace edgellm::kernels {

KernelTable isa_kernel_table(Isa) { return {}; }

}  // namespace edgellm::kernels
