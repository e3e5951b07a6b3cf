// C API: what the CPU offers and which kernels the runtime will use.
#include "edgellm.h"
#include "kernels/dispatch.h"

extern "C" size_t edgellm_cpu_info(char* buf, size_t size) {
  return edgellm::kernels::describe_cpu(buf, size);
}
