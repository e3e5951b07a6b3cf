// Tensor element types, numbered exactly as GGUF/ggml number them, and the
// block layout facts (elements per block, bytes per block) that the file
// reader needs to validate tensor sizes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgellm {

enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
};

struct DTypeInfo {
  DType type;
  const char* name;    // ggml spelling: "F32", "Q4_0", "Q6_K", ...
  int64_t block_size;  // elements per block (1 for plain types)
  size_t block_bytes;  // bytes per block
};

// Layout of a raw GGUF type id; nullptr for ids this runtime does not know
// (e.g. the IQ* families), so the caller can name the id in its error.
const DTypeInfo* dtype_info(uint32_t raw_type);
inline const DTypeInfo* dtype_info(DType t) { return dtype_info(static_cast<uint32_t>(t)); }
const char* dtype_name(DType t);

// Bytes of n elements of type t. False when n is not a whole number of
// blocks or the byte count would overflow.
bool dtype_row_bytes(DType t, int64_t n, size_t* out);

}  // namespace edgellm
