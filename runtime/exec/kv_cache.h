// The KV cache: per layer and position one row of K (kv_dim) and one of V
// (v_dim), stored as F16 (default), F32 or Q8_0. Rows are written from
// floats once and read back per head slice by attention.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dtype.h"
#include "kernels/kernels.h"

namespace edgellm {

enum class KvType { kF16, kF32, kQ8_0 };

const char* kv_type_name(KvType t);
DType kv_dtype(KvType t);

struct KvCache {
  KvType type = KvType::kF16;
  uint8_t* k = nullptr;  // [n_layer][n_ctx] rows of k_row_bytes
  uint8_t* v = nullptr;  // [n_layer][n_ctx] rows of v_row_bytes
  int32_t n_ctx = 0;
  int32_t kv_dim = 0;
  int32_t v_dim = 0;
  int32_t head_dim = 0;
  size_t k_row_bytes = 0;
  size_t v_row_bytes = 0;
  size_t head_bytes = 0;  // bytes of one head's slice of a row
  const kernels::TypeTraits* traits = nullptr;
  kernels::FromFloatFn from_float = nullptr;  // row store (the path's, for F16)

  uint8_t* k_row(int32_t layer, int32_t pos) const {
    return k + (static_cast<size_t>(layer) * n_ctx + pos) * k_row_bytes;
  }
  uint8_t* v_row(int32_t layer, int32_t pos) const {
    return v + (static_cast<size_t>(layer) * n_ctx + pos) * v_row_bytes;
  }
  // Head `h` of a K or V row as floats: F32 rows are returned in place,
  // other types are converted into scratch (head_dim floats).
  const float* head(const uint8_t* row, int32_t h, float* scratch) const {
    const uint8_t* src = row + static_cast<size_t>(h) * head_bytes;
    if (type == KvType::kF32) return reinterpret_cast<const float*>(src);
    traits->to_float(src, scratch, head_dim);
    return scratch;
  }
  void store(uint8_t* row, const float* values, int32_t n) const {
    from_float(values, row, n);
  }
};

// Bytes of the whole cache (K and V) for the given geometry; false when the
// head size does not suit the type (Q8_0 needs head_dim % 32 == 0).
bool kv_cache_bytes(KvType type, int32_t n_layer, int32_t n_ctx, int32_t kv_dim, int32_t v_dim,
                    int32_t head_dim, size_t* k_bytes, size_t* v_bytes);

}  // namespace edgellm
