#include "kernels/dtype.h"

#include <limits>

namespace edgellm {
namespace {

// ggml block layouts: Q*_0/1 blocks hold 32 elements with fp16 scale(s);
// K-quants hold 256 elements in super-blocks.
constexpr DTypeInfo kInfos[] = {
    {DType::F32, "F32", 1, 4},
    {DType::F16, "F16", 1, 2},
    {DType::Q4_0, "Q4_0", 32, 2 + 16},
    {DType::Q4_1, "Q4_1", 32, 2 + 2 + 16},
    {DType::Q5_0, "Q5_0", 32, 2 + 4 + 16},
    {DType::Q5_1, "Q5_1", 32, 2 + 2 + 4 + 16},
    {DType::Q8_0, "Q8_0", 32, 2 + 32},
    {DType::Q8_1, "Q8_1", 32, 2 + 2 + 32},
    {DType::Q2_K, "Q2_K", 256, 16 + 64 + 2 + 2},
    {DType::Q3_K, "Q3_K", 256, 32 + 64 + 12 + 2},
    {DType::Q4_K, "Q4_K", 256, 2 + 2 + 12 + 128},
    {DType::Q5_K, "Q5_K", 256, 2 + 2 + 12 + 32 + 128},
    {DType::Q6_K, "Q6_K", 256, 128 + 64 + 16 + 2},
    {DType::Q8_K, "Q8_K", 256, 4 + 256 + 32},
    {DType::I8, "I8", 1, 1},
    {DType::I16, "I16", 1, 2},
    {DType::I32, "I32", 1, 4},
    {DType::I64, "I64", 1, 8},
    {DType::F64, "F64", 1, 8},
    {DType::BF16, "BF16", 1, 2},
};

}  // namespace

const DTypeInfo* dtype_info(uint32_t raw_type) {
  for (const DTypeInfo& info : kInfos) {
    if (static_cast<uint32_t>(info.type) == raw_type) return &info;
  }
  return nullptr;
}

const char* dtype_name(DType t) {
  const DTypeInfo* info = dtype_info(t);
  return info ? info->name : "unknown";
}

bool dtype_row_bytes(DType t, int64_t n, size_t* out) {
  const DTypeInfo* info = dtype_info(t);
  if (!info || n < 0 || n % info->block_size != 0) return false;
  const uint64_t blocks = static_cast<uint64_t>(n / info->block_size);
  if (blocks > std::numeric_limits<size_t>::max() / info->block_bytes) return false;
  *out = static_cast<size_t>(blocks * info->block_bytes);
  return true;
}

}  // namespace edgellm
