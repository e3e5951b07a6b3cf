// SPIR-V modules compiled from shaders/ at build time and embedded in the
// library (cmake/shaders.cmake generates the table).
#pragma once

#include <cstddef>

namespace edgellm::vulkan {

struct ShaderBlob {
  const char* name;  // e.g. "matmul_q4_0", "attention_f16"
  const unsigned char* code;
  size_t size;       // bytes, a multiple of 4
};

// nullptr when no module has that name.
const ShaderBlob* find_shader(const char* name);

}  // namespace edgellm::vulkan
