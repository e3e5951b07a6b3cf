// Static memory planning: buffers with known sizes and lifetimes (first and
// last step that touches them) get offsets in one arena so that buffers
// alive at the same time never overlap. Several strategies are tried and
// the smallest plan kept (as ExecuTorch does); the lower bound is the peak
// of simultaneously live bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgellm::plan {

struct BufferSpec {
  const char* name;
  size_t bytes;
  int32_t first;  // first step that writes or reads the buffer
  int32_t last;   // last step (inclusive); persistent buffers span every step
};

struct Plan {
  std::vector<size_t> offsets;  // per spec, aligned
  size_t total = 0;             // arena bytes needed
  size_t lower_bound = 0;       // max over steps of live bytes (aligned sizes)
  const char* strategy = "";    // which strategy won
};

// Places every buffer; `align` must be a power of two.
Plan plan_buffers(const std::vector<BufferSpec>& specs, size_t align);

// True if no two buffers with overlapping lifetimes overlap in memory and
// every buffer fits in total (used by tests and debug checks).
bool plan_is_valid(const std::vector<BufferSpec>& specs, const Plan& plan);

}  // namespace edgellm::plan
